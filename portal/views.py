"""The client portal's home and project pages. Every read goes through portal selectors (portal/selectors/*):
the client login's company only, and only what the agency shares with the client."""
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils import timezone

from mrm.tenancy.permissions import member_required
from projects.services.timeline import timeline_context

from .selectors import portal_company
from .selectors.changes import portal_pending_change_requests
from .selectors.home import portal_pending_proposals, portal_recent_activity
from .selectors.projects import (
    DELIVERABLE_LIMIT,
    WAITING_LIMIT,
    portal_awaiting_approval,
    portal_deliverable_get,
    portal_deliverable_list,
    portal_home_projects,
    portal_milestone_list,
    portal_project_get,
)


@member_required("portal.view")
def portal_home_view(request):
    """The client contact's home: their projects with progress and the next milestone, what the agency waits
    for from them, recent activity, and their account manager. A constant number of queries."""
    agency, membership = request.agency, request.membership
    try:
        client = portal_company(agency=agency, membership=membership)
    except Http404:
        # A client login whose contact was removed: nothing of any company, and a word on why.
        return render(request, "portal/home.html", {"client": None})
    open_projects, finished_projects = portal_home_projects(agency=agency, membership=membership)
    approvals = list(portal_awaiting_approval(agency=agency, membership=membership)[:WAITING_LIMIT])
    changes = list(portal_pending_change_requests(agency=agency, membership=membership)[:WAITING_LIMIT])
    proposals = portal_pending_proposals(agency=agency, membership=membership)
    return render(request, "portal/home.html", {
        "client": client, "projects": open_projects, "finished_projects": finished_projects,
        "approvals": approvals, "pending_changes": changes, "pending_proposals": proposals,
        "waiting_count": len(approvals) + len(changes) + len(proposals),
        "activity": portal_recent_activity(agency=agency, membership=membership), "today": timezone.localdate(),
    })


@member_required("portal.view")
def portal_project_view(request, project_id):
    """One project as the client sees it: progress, the timeline of client-visible items, the milestones, the
    tasks waiting for their approval and the deliverables to download."""
    agency, membership = request.agency, request.membership
    project = portal_project_get(agency=agency, membership=membership, project_id=project_id)
    context = timeline_context(agency=agency, project=project, zoom=request.GET.get("zoom"), client_view=True)
    context.update({
        "project": project, "today": timezone.localdate(),
        "milestones": list(portal_milestone_list(agency=agency, membership=membership, project=project)),
        "approvals": list(portal_awaiting_approval(agency=agency, membership=membership, project=project)
                          [:WAITING_LIMIT]),
        "deliverables": list(portal_deliverable_list(agency=agency, membership=membership, project=project)
                             [:DELIVERABLE_LIMIT]),
    })
    return render(request, "portal/project_detail.html", context)


@member_required("portal.view")
def portal_deliverable_download_view(request, project_id, attachment_id):
    """A deliverable of the client's own project, as a download (private storage; never shown inline)."""
    agency, membership = request.agency, request.membership
    project = portal_project_get(agency=agency, membership=membership, project_id=project_id)
    attachment = portal_deliverable_get(agency=agency, membership=membership, project=project,
                                        attachment_id=attachment_id)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    ext = attachment.file.name.rsplit(".", 1)[-1] if "." in attachment.file.name else ""
    filename = attachment.name if not ext or attachment.name.lower().endswith("." + ext) else f"{attachment.name}.{ext}"
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=attachment.content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
