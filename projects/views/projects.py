"""The project list and the project page (overview). Other areas (work, timeline, time, changes, alerts)
add their tabs to templates/projects/_tabs.html."""
from django.shortcuts import render

from mrm.core.pagination import CappedPaginator
from mrm.tenancy.permissions import member_required

from ..models import Project
from ..selectors import can_manage_project, project_get, project_list

PAGE_SIZE = 25


@member_required("project.view")
def project_list_view(request):
    qs = project_list(agency=request.agency, membership=request.membership)
    status = request.GET.get("status", "open")
    if status == "open":
        qs = qs.filter(status__in=Project.OPEN_STATUSES)
    elif status in Project.Status.values:
        qs = qs.filter(status=status)
    q = request.GET.get("q", "").strip()[:100]
    if q:
        qs = qs.filter(name__icontains=q) | qs.filter(client__name__icontains=q)
    page = CappedPaginator(qs.order_by("-created_at", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "projects/project_list.html", {
        "page": page, "q": q, "status": status, "statuses": Project.Status.choices,
    })


@member_required("project.view")
def project_detail_view(request, project_id):
    project = project_get(agency=request.agency, membership=request.membership, project_id=project_id)
    return render(request, "projects/project_detail.html", {
        "project": project, "tab": "overview",
        "can_manage": can_manage_project(membership=request.membership, project=project),
    })
