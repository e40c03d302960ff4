"""The project's Budget tab: planned against spent per role, margin and the forecast at completion."""
from django.shortcuts import render
from django.utils.translation import gettext as _

from mrm.tenancy.permissions import member_required
from mrm.tenancy.policy import can

from ..selectors import can_manage_project, project_get
from ..services.burn import project_burn
from ..services.time import agency_today


@member_required("project.view")
def project_budget_view(request, project_id):
    project = project_get(agency=request.agency, membership=request.membership, project_id=project_id)
    burn = project_burn(project=project, today=agency_today(request.agency), no_role_name=_("No role"))
    return render(request, "projects/burn_project.html", {
        "project": project, "tab": "budget", "burn": burn, "total": burn.total,
        "show_costs": can(request.membership, "project.view_costs"),
        "can_manage": can_manage_project(membership=request.membership, project=project),
    })
