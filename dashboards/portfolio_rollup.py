"""The portfolio rollup (`ClientEconomics`): rebuild, schedule after a change (debounced), and whether it is ready.

A rebuild replaces the agency's rows with fresh ones from four GROUP BY queries (paid invoices by client, currency and
month paid; time entries by client and month; flagged interactions by client and month in the agency's time zone;
the status history by client), so it always equals the live figures of the moment it ran; nothing is patched. It
runs nightly (beat: `client_economics_nightly_task`) and `DEBOUNCE_SECONDS` after the first of a burst of changes
(`client_economics_schedule`, called by the invoice, time and interaction services). The page reads the rollup once
it was built and the period is whole months (month, quarter, year); custom dates and a never-built agency read live
(`portfolio_sql`); tests/dashboards/test_portfolio_rollup.py checks both paths answer the same figures."""
from collections import defaultdict
from datetime import datetime
from decimal import Decimal

from django.core.cache import cache
from django.db import transaction
from django.db.models import F, IntegerField, Max, Min, Q, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from clients.models import Client, ClientStatusChange, Interaction, Invoice
from mrm.core.business_hours import zone
from mrm.tenancy.models import Agency
from projects.models import TimeEntry
from projects.selectors_changes import unpriced_extra_work_q

from . import portfolio as pf
from .models import ClientEconomics, ClientEconomicsState
from .portfolio_sql import CAUSE_Q, _cost, _sum
from .selectors import ACTIVE

DEBOUNCE_SECONDS = 60
ZERO = Decimal("0")
FIELDS = ("revenue", "team_cost", "extra_work", "hours", "unplanned_minutes", "revisions_minutes", "urgent_minutes")


def _month(value):
    return value.date() if isinstance(value, datetime) else value


@transaction.atomic
def client_economics_rebuild(*, agency: Agency, now: datetime | None = None) -> int:
    """Replace the agency's rollup rows with fresh ones; returns the row count."""
    tz = zone(agency.timezone)
    cells: dict = defaultdict(lambda: dict.fromkeys(FIELDS, ZERO))
    for r in (Invoice.objects.filter(agency=agency, status=Invoice.Status.PAID, kind=Invoice.Kind.INVOICE,
                                     paid_on__isnull=False).order_by()
              .values("client_id", "currency", month=TruncMonth("paid_on")).annotate(total=Sum("amount"))):
        cells[(r["client_id"], _month(r["month"]), r["currency"])]["revenue"] += r["total"]
    extra = unpriced_extra_work_q(agency=agency)
    for r in (TimeEntry.objects.filter(agency=agency, started_at__isnull=True).order_by()
              .values(client=F("project__client_id"), month=TruncMonth("date"))
              .annotate(team=_sum(_cost(), ~extra), extra=_sum(_cost(), extra), logged=_sum("hours"))):
        cell = cells[(r["client"], _month(r["month"]), agency.currency)]
        cell["team_cost"] += r["team"]
        cell["extra_work"] += r["extra"]
        cell["hours"] += r["logged"]
    minutes = Coalesce("duration_minutes", Value(pf.DEFAULT_MINUTES), output_field=IntegerField())
    for r in (Interaction.objects.filter(agency=agency).filter(Q(is_unplanned=True) | Q(is_extra_revision=True)
                                                               | Q(is_urgent=True)).order_by()
              .values("client_id", month=TruncMonth("occurred_at", tzinfo=tz))
              .annotate(**{cause: Coalesce(Sum(minutes, filter=q), 0) for cause, q in CAUSE_Q.items()})):
        cell = cells[(r["client_id"], _month(r["month"]), agency.currency)]
        for cause in CAUSE_Q:
            cell[f"{cause}_minutes"] += r[cause]
    history = {r["client_id"]: r for r in ClientStatusChange.objects.filter(agency=agency).order_by()
               .values("client_id").annotate(began=Min("changed_at", filter=Q(to_status__in=ACTIVE)),
                                             churned=Max("changed_at", filter=Q(to_status=Client.Status.CHURNED)))}
    rows = [ClientEconomics(agency=agency, client_id=client_id, month=month, currency=currency, **values)
            for (client_id, month, currency), values in cells.items()]
    lifetime: dict = defaultdict(lambda: dict.fromkeys(FIELDS, ZERO))
    for (client_id, _m, currency), values in cells.items():
        if currency == agency.currency:
            for name in FIELDS:
                lifetime[client_id][name] += values[name]
    for client in Client.objects.filter(agency=agency).exclude(status=Client.Status.LEAD).values("id", "start_date"):
        h = history.get(client["id"], {})
        began = h["began"].astimezone(tz).date() if h.get("began") else client["start_date"]
        churned = h["churned"].astimezone(tz).date() if h.get("churned") else None
        rows.append(ClientEconomics(agency=agency, client_id=client["id"], month=None, currency=agency.currency,
                                    began=began, churned_on=churned, **lifetime[client["id"]]))
    ClientEconomics.objects.filter(agency=agency).delete()
    ClientEconomics.objects.bulk_create(rows, batch_size=2000)
    ClientEconomicsState.objects.update_or_create(agency=agency, defaults={"built_at": now or timezone.now(),
                                                                           "rows": len(rows)})
    agency_id = agency.pk
    transaction.on_commit(lambda: cache.delete(_ready_key(agency_id)))
    return len(rows)


def _debounce_key(agency_id: int) -> str:
    return f"dashboards:economics-pending:{agency_id}"


def _ready_key(agency_id: int) -> str:
    return f"dashboards:economics-built:{agency_id}"


def client_economics_schedule(*, agency: Agency) -> bool:
    """After a change of the figures: rebuild in `DEBOUNCE_SECONDS` (after the commit), once for a burst."""
    if not cache.add(_debounce_key(agency.pk), 1, timeout=DEBOUNCE_SECONDS * 10):
        return False
    from .tasks import client_economics_rebuild_task

    agency_id = agency.pk
    transaction.on_commit(lambda: client_economics_rebuild_task.apply_async(kwargs={"agency_id": agency_id},
                                                                            countdown=DEBOUNCE_SECONDS))
    return True


def client_economics_run(*, agency: Agency) -> int:
    """The queued rebuild: clear the pending mark first, so a change during the rebuild queues the next one."""
    cache.delete(_debounce_key(agency.pk))
    return client_economics_rebuild(agency=agency)


def built_at(*, agency: Agency) -> datetime | None:
    """When the agency's rollup was built (None: never); remembered in the cache for 5 minutes."""
    value = cache.get(_ready_key(agency.pk))
    if value is None:
        value = ClientEconomicsState.objects.filter(agency=agency).values_list("built_at", flat=True).first() or ""
        cache.set(_ready_key(agency.pk), value, timeout=300)
    return value or None
