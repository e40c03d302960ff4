"""The at-risk list (`/dashboards/health/`), its inline "assign a follow-up" form and a client's health block (loaded
into the client page). The list reads the stored `ClientHealth` rows; an agency whose health was never built gets
it built on the first visit (a live computation, once, then stored), so no page ever shows an invented number."""
from dataclasses import dataclass
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from clients.models import Task
from clients.selectors.companies import client_get
from clients.services.tasks import task_create
from mrm.core.errors import ServiceError
from mrm.core.forms import add_service_error
from mrm.core.htmx import htmx_invalid
from mrm.core.pagination import CappedPaginator
from mrm.tenancy.models import STAFF_ROLES, Membership, Role
from mrm.tenancy.permissions import member_required
from mrm.tenancy.policy import can
from projects.calendar import work_calendar

from . import health
from .forms_health import FollowUpForm, HealthFilterForm
from .health_rollups import health_ensure
from .health_selectors import at_risk_count, health_get, health_list, open_followups
from .models import ClientHealth
from .views import EXPORT_CAP, _export, _plain

PER_PAGE = 50
TOP_SIGNALS = 3


@dataclass(frozen=True)
class HealthRow:
    item: ClientHealth
    signals: list[tuple[int, str]]  # (points, explanation), worst first
    action: str
    followup: Task | None = None  # the open follow-up already assigned, if any

    @property
    def top(self) -> list[tuple[int, str]]:
        return [s for s in self.signals if s[0]][:TOP_SIGNALS]


def present(item: ClientHealth, followup: Task | None = None) -> HealthRow:
    return HealthRow(item=item, signals=[(s["points"], health.explain(s)) for s in item.signals],
                     action=health.action_text(item.action_key, item.action_params), followup=followup)


def _staff(agency):
    return get_user_model().objects.filter(pk__in=Membership.objects.filter(
        agency=agency, is_active=True, role__in=STAFF_ROLES).values("user_id")).order_by("full_name", "email")


def _is_director(request) -> bool:
    return request.membership.role == Role.DIRECTOR


@member_required("dashboard.view")
def health_list_view(request):
    health_ensure(agency=request.agency)
    owners = list(_staff(request.agency)) if _is_director(request) else []
    form = HealthFilterForm(request.GET or None, owners=owners)
    query = form.query()
    qs = health_list(agency=request.agency, membership=request.membership, query=query)
    if request.GET.get("export"):
        header = [_("Client"), _("Account manager"), _("Health score"), _("Band"), _("Revenue at stake"),
                  _("Currency"), _("Signals"), _("Suggested next action"), _("Computed")]
        exported = _export(request, name="client-health", header=header, rows=(
            [r.item.client.name, _owner(r.item.client), r.item.score, str(health.BAND_LABELS[r.item.band]),
             _plain(r.item.revenue_at_stake), r.item.currency, "; ".join(t for _p, t in r.top), r.action,
             timezone.localtime(r.item.computed_at).replace(tzinfo=None)]
            for r in map(present, qs[:EXPORT_CAP])))
        if exported:
            return exported
    page = CappedPaginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    followups = open_followups(agency=request.agency, client_ids=[i.client_id for i in page.object_list])
    context = {"form": form, "query": query, "page": page,
               "rows": [present(i, followups.get(i.client_id)) for i in page.object_list],
               "owners": owners, "nav": "dashboard", "can_assign": can(request.membership, "task.edit"),
               "bands": form.fields["band"].choices, "computed_at": page.object_list[0].computed_at
               if page.object_list else None}
    if request.htmx and request.htmx.target == "at-risk-results":
        return render(request, "dashboards/health_list.html#results", context)
    return render(request, "dashboards/health_list.html", context)


def _owner(client) -> str:
    return (client.owner.full_name or client.owner.email) if client.owner else ""


def _default_due(agency):
    today = timezone.localdate()
    return work_calendar(agency=agency, start=today, end=today + timedelta(days=60)).add_working_days(today, 2)


@member_required("dashboard.view")
def health_followup_view(request, client_id):
    """GET: the inline form (HTMX) or its page; POST: a follow-up task for the client's AM, then the row says so."""
    if not can(request.membership, "task.edit"):
        raise PermissionDenied
    client = client_get(agency=request.agency, membership=request.membership, client_id=client_id)
    health_ensure(agency=request.agency)
    item = health_get(agency=request.agency, membership=request.membership, client=client)
    row = present(item) if item is not None else None
    assignees = list(_staff(request.agency)) if _is_director(request) else None
    default_assignee = client.owner or request.user
    initial = {"title": (row.action if row else _("Check in with %(client)s") % {"client": client.name})[:200],
               "due_date": _default_due(request.agency), "assignee": default_assignee.pk}
    form = FollowUpForm(request.POST if request.method == "POST" else None, initial=initial, assignees=assignees)
    context = {"client": client, "row": row, "form": form, "nav": "dashboard"}
    if request.method == "POST" and form.is_valid():
        try:
            task = task_create(agency=request.agency, actor=request.user,
                               data=form.task_data(client=client, default_assignee=default_assignee))
        except ServiceError as exc:
            add_service_error(form, _on_due_date(exc))
        else:
            if request.htmx:
                return render(request, "dashboards/health_list.html#assigned", {**context, "task": task})
            messages.success(request, _("Follow-up assigned to %(name)s, due %(due)s.") % {
                "name": task.assignee.full_name or task.assignee.email,
                "due": timezone.localtime(task.due_at).date().strftime("%d.%m.%Y")})
            return redirect(reverse("dashboards:at_risk"))
    template = "dashboards/health_list.html#followup" if request.htmx else "dashboards/health_followup.html"
    if form.errors:
        return htmx_invalid(request, template, context)
    return render(request, template, context)


def _on_due_date(exc: ServiceError) -> ServiceError:
    if exc.field == "due_at":
        exc.field = "due_date"
    return exc


@member_required("dashboard.view")
def health_client_view(request, client_id):
    """One client's health: the score, band and every signal explained (the client page's block)."""
    client = client_get(agency=request.agency, membership=request.membership, client_id=client_id)
    health_ensure(agency=request.agency)
    item = health_get(agency=request.agency, membership=request.membership, client=client)
    context = {"client": client, "row": present(item) if item is not None else None}
    template = "dashboards/health_block.html" if request.htmx else "dashboards/health_client_page.html"
    return render(request, template, context)


@member_required("dashboard.view")
def health_count_view(request):
    """The KPI dashboard's link text: how many visible clients are at risk (loaded by htmx, so the dashboard's own
    query budget does not grow); "Client health" while the rows were never built."""
    count = at_risk_count(agency=request.agency, membership=request.membership)
    return render(request, "dashboards/_at_risk_count.html", {"count": count})
