"""Alerts: the project's Alerts tab, the cross-project alerts page and the acknowledge action (HTMX and a
plain form)."""
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mrm.core.errors import ServiceError
from mrm.core.pagination import CappedPaginator
from mrm.tenancy.permissions import member_required

from ..alerts import rules
from ..alerts.selectors import alert_list
from ..models import Alert
from ..selectors import can_manage_project, project_get

PAGE_SIZE = 25
STATES = ("open", "new", "acknowledged", "resolved")


def _filtered(qs, request) -> tuple:
    kind = request.GET.get("kind", "")
    if kind in dict(rules.KIND_CHOICES):
        qs = qs.filter(kind=kind)
    else:
        kind = ""
    state = request.GET.get("state", "open")
    if state not in STATES:
        state = "open"
    if state == "resolved":
        qs = qs.filter(resolved_at__isnull=False).order_by("-resolved_at", "pk")
    else:
        qs = qs.filter(resolved_at__isnull=True)
        if state == "new":
            qs = qs.filter(acknowledged_at__isnull=True)
        elif state == "acknowledged":
            qs = qs.filter(acknowledged_at__isnull=False)
        # New (unacknowledged) first, then the most recently raised.
        qs = qs.order_by(F("acknowledged_at").asc(nulls_first=True), "-raised_at", "pk")
    return qs, kind, state


def _page(request, qs):
    qs, kind, state = _filtered(qs, request)
    page = CappedPaginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return page, kind, state


@member_required("project.view")
def project_alerts_view(request, project_id):
    project = project_get(agency=request.agency, membership=request.membership, project_id=project_id)
    qs = alert_list(agency=request.agency, membership=request.membership).filter(project=project)
    page, kind, state = _page(request, qs)
    return render(request, "projects/alerts_project.html", {
        "project": project, "tab": "alerts", "page": page, "kind": kind, "state": state,
        "kinds": rules.KIND_CHOICES, "can_manage": can_manage_project(membership=request.membership, project=project),
    })


@member_required("project.view")
def alert_list_view(request):
    """Alerts across the projects the member sees; a director sees all, an AM / PM their own."""
    page, kind, state = _page(request, alert_list(agency=request.agency, membership=request.membership))
    manageable = {a.pk for a in page.object_list
                  if can_manage_project(membership=request.membership, project=a.project)}
    return render(request, "projects/alerts_list.html", {
        "page": page, "kind": kind, "state": state, "kinds": rules.KIND_CHOICES, "manageable": manageable,
        "nav": "alerts",
    })


def _next_url(request, default: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return default


@require_POST
@member_required("project.manage")
def alert_acknowledge_view(request, project_id, alert_id):
    from ..services.alerts import alert_acknowledge

    project = project_get(agency=request.agency, membership=request.membership, project_id=project_id)
    alert = Alert.objects.filter(agency=request.agency, project=project, pk=alert_id).select_related(
        "project", "project__client", "acknowledged_by").first()
    if alert is None:
        raise Http404
    if not can_manage_project(membership=request.membership, project=project):
        raise PermissionDenied
    try:
        alert = alert_acknowledge(agency=request.agency, actor=request.user, alert=alert)
    except ServiceError as exc:
        if request.htmx:
            alert.refresh_from_db()
            return render(request, "projects/_alert_row.html", {"alert": alert, "can_manage": True,
                                                                 "show_project": request.POST.get("cross") == "1"})
        messages.error(request, exc.message)
    else:
        if request.htmx:
            return render(request, "projects/_alert_row.html", {"alert": alert, "can_manage": True,
                                                                 "show_project": request.POST.get("cross") == "1"})
        messages.success(request, _("Alert acknowledged: it comes back only if it gets worse."))
    return redirect(_next_url(request, reverse("projects:alerts", args=[project.pk])))
