"""The daily KPI rollup (`KpiDailyRollup`): rebuild, schedule after a change (debounced), and read.

Rebuilding is a full rebuild of one agency (two GROUP BY queries over its NPS answers and paid invoices, then a bulk
insert of a row per day: ~1,500 rows and well under a second at 50,000 answers and 100,000 invoices), so it is
always equal to the live figures of the moment it ran; nothing is patched incrementally. It runs nightly (beat:
`kpi_rollup_nightly_task`) and `ROLLUP_DEBOUNCE_SECONDS` after the first of a burst of changes (the services that
answer an NPS survey or create, edit or pay an invoice call `kpi_rollup_schedule`). Between a change and the rebuild
the director's tiles may lag by up to that delay; the drill-downs, the per-AM table and AMs' figures are live.

The board reads the rollup only for agency-wide figures (a director, no client, not per AM) and only once the
agency's rollup was built (`KpiRollupState`); `rollup_counts` answers exactly the rows `selectors.nps_counts` and
`selectors.revenue_sums` answer for those (tests/dashboards/test_rollups.py compares both on the same data)."""
from collections.abc import Sequence
from datetime import datetime

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from clients.models import Invoice
from mrm.core.business_hours import zone
from mrm.tenancy.models import Agency
from portal.models import NpsResponse

from .models import KpiDailyRollup, KpiRollupState
from .periods import Period

ROLLUP_DEBOUNCE_SECONDS = 60


@transaction.atomic
def kpi_rollup_rebuild(*, agency: Agency, now: datetime | None = None) -> int:
    """Replace the agency's rollup rows with fresh ones from its answers and paid invoices; returns the row count."""
    day = TruncDate("answered_at", tzinfo=zone(agency.timezone))
    nps = (NpsResponse.objects.filter(agency=agency).order_by().annotate(day=day).values("day")
           .annotate(promoters=Count("pk", filter=Q(score__gte=9)),
                     passives=Count("pk", filter=Q(score__gte=7, score__lte=8)),
                     detractors=Count("pk", filter=Q(score__lte=6))))
    paid = (Invoice.objects.filter(agency=agency, status=Invoice.Status.PAID, kind=Invoice.Kind.INVOICE,
                                   paid_on__isnull=False).order_by().values("paid_on", "currency")
            .annotate(total=Sum("amount")))
    rows = [KpiDailyRollup(agency=agency, day=r["day"], currency="", promoters=r["promoters"],
                           passives=r["passives"], detractors=r["detractors"]) for r in nps]
    rows += [KpiDailyRollup(agency=agency, day=r["paid_on"], currency=r["currency"], paid=r["total"])
             for r in paid]
    KpiDailyRollup.objects.filter(agency=agency).delete()
    KpiDailyRollup.objects.bulk_create(rows, batch_size=2000)
    KpiRollupState.objects.update_or_create(agency=agency, defaults={"built_at": now or timezone.now(),
                                                                     "rows": len(rows)})
    agency_id = agency.pk
    transaction.on_commit(lambda: cache.set(_ready_key(agency_id), True, timeout=300))
    return len(rows)


def _debounce_key(agency_id: int) -> str:
    return f"dashboards:kpi-rollup-pending:{agency_id}"


def kpi_rollup_schedule(*, agency: Agency) -> bool:
    """After a change of the figures: rebuild the agency's rollup in `ROLLUP_DEBOUNCE_SECONDS` (after the commit),
    once for a burst of changes. Returns whether this call queued the rebuild."""
    if not cache.add(_debounce_key(agency.pk), 1, timeout=ROLLUP_DEBOUNCE_SECONDS * 10):
        return False  # a rebuild is already queued and will see this change
    from .tasks import kpi_rollup_rebuild_task

    agency_id = agency.pk
    transaction.on_commit(lambda: kpi_rollup_rebuild_task.apply_async(kwargs={"agency_id": agency_id},
                                                                      countdown=ROLLUP_DEBOUNCE_SECONDS))
    return True


def kpi_rollup_run(*, agency: Agency) -> int:
    """The queued rebuild: clear the pending mark first, so a change during the rebuild queues the next one."""
    cache.delete(_debounce_key(agency.pk))
    return kpi_rollup_rebuild(agency=agency)


def _ready_key(agency_id: int) -> str:
    return f"dashboards:kpi-rollup-ready:{agency_id}"


def rollup_ready(*, agency: Agency) -> bool:
    """Whether the agency's rollup was built (remembered in the cache for 5 minutes, so a page costs no query)."""
    ready = cache.get(_ready_key(agency.pk))
    if ready is None:
        ready = KpiRollupState.objects.filter(agency=agency).exists()
        cache.set(_ready_key(agency.pk), ready, timeout=300)
    return ready


def rollup_counts(*, agency: Agency, windows: Sequence[Period]) -> tuple[list[dict], list[dict]]:
    """(`nps_counts` rows, `revenue_sums` rows) of the whole agency for `windows`, from the rollup, in one query."""
    aggregates = {}
    for i, w in enumerate(windows):
        win = Q(day__gte=w.start, day__lt=w.end)
        aggregates[f"promoters_{i}"] = Sum("promoters", filter=win)
        aggregates[f"passives_{i}"] = Sum("passives", filter=win)
        aggregates[f"detractors_{i}"] = Sum("detractors", filter=win)
        aggregates[f"paid_{i}"] = Sum("paid", filter=win)
    lo, hi = min(w.start for w in windows), max(w.end for w in windows)
    rows = list(KpiDailyRollup.objects.filter(agency=agency, day__gte=lo, day__lt=hi).order_by()
                .values("currency").annotate(**aggregates))
    nps = {k: v or 0 for row in rows if not row["currency"] for k, v in row.items()
           if k.startswith(("promoters_", "passives_", "detractors_"))}
    if not nps:
        nps = {f"{k}_{i}": 0 for i in range(len(windows)) for k in ("promoters", "passives", "detractors")}
    revenue = [{"currency": row["currency"], **{f"paid_{i}": row[f"paid_{i}"] for i in range(len(windows))}}
               for row in rows if row["currency"]]
    return [nps], revenue
