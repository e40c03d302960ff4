"""The project's Timeline tab (a server-drawn Gantt chart) and the "Set baseline" action."""
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from mrm.tenancy.permissions import member_required

from ..selectors import can_manage_project, project_get
from ..services.timeline import timeline_context, timeline_set_baseline


@member_required("project.view")
def project_timeline_view(request, project_id):
    project = project_get(agency=request.agency, membership=request.membership, project_id=project_id)
    context = timeline_context(agency=request.agency, project=project, zoom=request.GET.get("zoom"))
    context.update({"project": project, "tab": "timeline",
                    "can_manage": can_manage_project(membership=request.membership, project=project)})
    return render(request, "projects/timeline_page.html", context)


@require_POST
@member_required("project.manage")
def project_timeline_baseline_view(request, project_id):
    project = project_get(agency=request.agency, membership=request.membership, project_id=project_id)
    if not can_manage_project(membership=request.membership, project=project):
        raise PermissionDenied
    count = timeline_set_baseline(agency=request.agency, actor=request.user, project=project)
    messages.success(request, _("Baseline set: %(count)s tasks and milestones keep their current dates as the plan.")
                     % {"count": count})
    url = reverse("projects:timeline", kwargs={"project_id": project.pk})
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
