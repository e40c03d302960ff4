"""The stored health scores (`ClientHealth`): rebuild, schedule after a change (debounced), and whether built.

A rebuild is a full rebuild of one agency from `health_queries.health_compute` (seven GROUP BY queries, then a bulk
insert of one row per current client), so the rows always equal the live computation of the moment it ran (tests
check both on the same data). It runs nightly (beat: `health_rollup_nightly_task`; "days since contact" moves every
day) and `HEALTH_DEBOUNCE_SECONDS` after the first of a burst of changes: the services that log an interaction, pay
an invoice or answer an NPS survey call `health_rollup_schedule`. Rebuilds of one agency are serialised by a row
lock on the agency, so two at once never collide on the one-row-per-client constraint."""
from datetime import datetime

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from mrm.tenancy.models import Agency

from .health_queries import agency_today, health_compute
from .models import ClientHealth, ClientHealthState

HEALTH_DEBOUNCE_SECONDS = 60


@transaction.atomic
def health_rollup_rebuild(*, agency: Agency, now: datetime | None = None) -> int:
    """Replace the agency's health rows with freshly computed ones; returns the row count."""
    Agency.objects.select_for_update().filter(pk=agency.pk).first()
    now = now or timezone.now()
    results = health_compute(agency=agency, today=agency_today(agency))
    rows = [ClientHealth(agency=agency, client_id=r.client_id, score=r.health.score, band=r.health.band,
                         signals=[s.as_json() for s in r.health.signals], revenue_at_stake=r.health.revenue_at_stake,
                         currency=agency.currency, action_key=r.health.action_key,
                         action_params=r.health.action_params, computed_at=now) for r in results]
    ClientHealth.objects.filter(agency=agency).delete()
    ClientHealth.objects.bulk_create(rows, batch_size=2000)
    ClientHealthState.objects.update_or_create(agency=agency, defaults={"built_at": now, "rows": len(rows)})
    agency_id = agency.pk
    cache.delete(_ready_key(agency_id))  # a remembered "never built" must not outlive this rebuild
    transaction.on_commit(lambda: cache.set(_ready_key(agency_id), True, timeout=300))
    return len(rows)


def _debounce_key(agency_id: int) -> str:
    return f"dashboards:health-pending:{agency_id}"


def _ready_key(agency_id: int) -> str:
    return f"dashboards:health-ready:{agency_id}"


def health_rollup_schedule(*, agency: Agency) -> bool:
    """After a change of a signal: rebuild the agency's health rows in `HEALTH_DEBOUNCE_SECONDS` (after the commit),
    once for a burst of changes. Returns whether this call queued the rebuild."""
    if not cache.add(_debounce_key(agency.pk), 1, timeout=HEALTH_DEBOUNCE_SECONDS * 10):
        return False
    from .tasks import health_rollup_rebuild_task

    agency_id = agency.pk
    transaction.on_commit(lambda: health_rollup_rebuild_task.apply_async(kwargs={"agency_id": agency_id},
                                                                         countdown=HEALTH_DEBOUNCE_SECONDS))
    return True


def health_rollup_run(*, agency: Agency) -> int:
    """The queued rebuild: clear the pending mark first, so a change during the rebuild queues the next one."""
    cache.delete(_debounce_key(agency.pk))
    return health_rollup_rebuild(agency=agency)


def health_ready(*, agency: Agency) -> bool:
    """Whether the agency's health rows were built (remembered in the cache, so a page usually costs no query)."""
    ready = cache.get(_ready_key(agency.pk))
    if ready is None:
        ready = ClientHealthState.objects.filter(agency=agency).exists()
        cache.set(_ready_key(agency.pk), ready, timeout=300)
    return ready


def health_ensure(*, agency: Agency) -> bool:
    """Build the agency's rows now if they were never built (the first visit computes live, once, and stores it).
    Returns whether it built."""
    if health_ready(agency=agency):
        return False
    health_rollup_rebuild(agency=agency)
    return True
