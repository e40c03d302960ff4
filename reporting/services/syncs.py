"""Connector syncs: start one (by hand, the API or the daily beat), run it as a job, store what it read.

A sync reads a period from the source's connector *before* touching the database; only a complete, clean
answer is written, by `sync_store`, which deletes the source's facts of the whole period and inserts the
new ones in one transaction (under the source's row lock). So re-syncing a period replaces it — a
campaign that had no impressions any more on a day loses that day's old row too — and never doubles it;
a failed or garbage answer changes no fact and leaves its message on the source and the sync.
"""
import logging
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from mrm.core.errors import ServiceError
from mrm.jobs.models import Job
from mrm.jobs.services import job_create, job_lock, job_progress, job_succeed
from mrm.tenancy.models import Agency
from mrm.tenancy.services import audit

from ..connectors import http
from ..connectors.base import connector_for
from ..models import DailyMetric, DataSource, SourceCredential, SourceSync
from .importing import agency_today
from .metrics import campaign_external_id, metrics_replace, source_record_error

logger = logging.getLogger(__name__)
MAX_SYNC_DAYS = 366
CONNECTOR_KINDS = (DataSource.Kind.YANDEX_DIRECT, DataSource.Kind.YANDEX_METRICA, DataSource.Kind.VK_ADS)


def default_period(*, agency: Agency) -> tuple[date, date]:
    today = agency_today(agency)
    return today - timedelta(days=max(1, settings.CONNECTOR_SYNC_DAYS) - 1), today


def check_period(*, agency: Agency, date_from: date, date_to: date) -> None:
    if date_from > date_to:
        raise ServiceError(_("The start of the period is after its end."), field="date_from")
    if date_to > agency_today(agency):
        raise ServiceError(_("The period ends in the future."), field="date_to")
    if (date_to - date_from).days >= MAX_SYNC_DAYS:
        raise ServiceError(_("Sync at most a year at a time."), field="date_from")


def sync_running(*, source: DataSource) -> SourceSync | None:
    """The source's sync whose job has not finished, if any."""
    return (SourceSync.objects.filter(agency_id=source.agency_id, source=source, job__isnull=False)
            .exclude(job__status__in=[Job.Status.SUCCEEDED, Job.Status.FAILED]).select_related("job").first())


@transaction.atomic
def sync_start(*, agency: Agency, actor, source: DataSource, date_from: date | None = None,
               date_to: date | None = None, trigger: str = SourceSync.Trigger.MANUAL) -> SourceSync:
    """Queue a sync of a period (default: the last CONNECTOR_SYNC_DAYS days up to today) after commit."""
    source = DataSource.objects.select_for_update().get(agency=agency, pk=source.pk)
    if source.kind not in CONNECTOR_KINDS:
        raise ServiceError(_("Only Yandex Direct, Yandex Metrica and VK Ads sources sync; a file source is "
                             "imported."), code="no_connector")
    if not SourceCredential.objects.filter(agency=agency, source=source).exclude(access_token="",
                                                                               refresh_token="").exists():
        raise ServiceError(_("The source is not connected: paste its access token on the source's Connection "
                             "page."), code="not_connected")
    if sync_running(source=source) is not None:
        raise ServiceError(_("A sync of this source is already running."), code="running")
    first, last = default_period(agency=agency)
    date_from, date_to = date_from or first, date_to or last
    check_period(agency=agency, date_from=date_from, date_to=date_to)
    job = job_create(agency=agency, actor=actor, kind="reporting.sync",
                     title=_("Sync of %(name)s") % {"name": source.name[:150]},
                     params={"source_id": str(source.pk)})
    sync = SourceSync.objects.create(agency=agency, source=source, job=job, trigger=trigger, date_from=date_from,
                                     date_to=date_to, created_by=actor)
    if actor is not None:
        audit(agency=agency, actor=actor, action="reporting.sync_started", target=source,
              changes={"period": (None, f"{date_from.isoformat()} – {date_to.isoformat()}")})
    from ..tasks_sync import source_sync_task

    source_sync_task.delay_on_commit(agency_id=agency.pk, sync_id=str(sync.pk))
    return sync


def _checked(rows, *, date_from: date, date_to: date) -> list[dict]:
    """The rows of the period; a connector answering one campaign's day twice is garbage, not a sum."""
    seen, clean = set(), []
    for row in rows:
        if not date_from <= row["date"] <= date_to:
            continue
        key = (row["date"], campaign_external_id(row), row.get("channel", ""))
        if key in seen:
            raise http.garbage(_("The service"), _("the same campaign and day twice (%(day)s)")
                               % {"day": row["date"].isoformat()})
        seen.add(key)
        clean.append(row)
    return clean


def _fail(*, agency: Agency, sync: SourceSync, error: str) -> None:
    SourceSync.objects.filter(agency=agency, pk=sync.pk).update(status=SourceSync.Status.FAILED, error=error[:2000],
                                                                finished_at=timezone.now(), updated_at=timezone.now())
    source_record_error(agency=agency, source=sync.source, error=error)


def sync_run(*, agency: Agency, sync: SourceSync, job: Job) -> dict | None:
    """The job's work: read the period from the connector, then store it (see the module docstring)."""
    source = DataSource.objects.get(agency=agency, pk=sync.source_id)
    sync.source = source
    SourceSync.objects.filter(agency=agency, pk=sync.pk).update(status=SourceSync.Status.RUNNING,
                                                                updated_at=timezone.now())
    job_progress(job=job, progress=5, message=_("Asking %(kind)s…") % {"kind": source.get_kind_display()})

    def tick(message: str) -> None:
        job_progress(job=job, progress=min(50, max(job.progress, 10) + 2), message=message)

    try:
        connector = connector_for(source)
        with http.waiting(tick):
            rows = _checked(connector.fetch(source, sync.date_from, sync.date_to), date_from=sync.date_from,
                            date_to=sync.date_to)
    except ServiceError as exc:
        _fail(agency=agency, sync=sync, error=exc.message)
        raise
    except Exception:
        _fail(agency=agency, sync=sync, error=_("Something went wrong on our side; the data synced before is "
                                                "kept. Try again."))
        raise
    today = agency_today(agency)
    partial_from = today if sync.date_to >= today else None
    job_progress(job=job, progress=60, message=_("Saving %(n)s rows…") % {"n": len(rows)})
    with transaction.atomic():
        locked = job_lock(job=job)
        if locked.status != Job.Status.RUNNING or locked.attempts != job.attempts:
            logger.warning("sync job %s: the claim was lost; the run holding it stores", job.pk)
            return None
        counts = sync_store(agency=agency, source=source, sync=sync, rows=rows, partial_from=partial_from,
                            notes=getattr(connector, "notes", []))
        job_succeed(job=job, message=_("%(rows)s rows synced") % counts,
                    result_url=reverse("reporting:source_detail", args=[source.pk]))
    return counts


@transaction.atomic
def sync_store(*, agency: Agency, source: DataSource, sync: SourceSync, rows: list[dict],
               partial_from: date | None = None, notes: list[str] | None = None) -> dict:
    """Replace the source's facts of the sync's whole period with `rows` and record the sync as done."""
    source = DataSource.objects.select_for_update().get(agency=agency, pk=source.pk)
    cleared = DailyMetric.objects.filter(agency=agency, source=source, date__gte=sync.date_from,
                                         date__lte=sync.date_to).delete()[0]
    counts = metrics_replace(agency=agency, source=source, rows=rows)
    counts["replaced"] += cleared
    SourceSync.objects.filter(agency=agency, pk=sync.pk).update(
        status=SourceSync.Status.DONE, rows=counts["rows"], replaced=counts["replaced"], partial_from=partial_from,
        notes=list(notes or []), error="", finished_at=timezone.now(), updated_at=timezone.now())
    return counts


def sources_sync_agency(*, agency: Agency) -> int:
    """The daily run: one sync per connected, active connector source (none twice a day, none while one runs)."""
    today_start = timezone.now() - timedelta(hours=20)
    started = 0
    sources = (DataSource.objects.filter(agency=agency, kind__in=CONNECTOR_KINDS)
               .exclude(status=DataSource.Status.PAUSED)
               .filter(credential__isnull=False).order_by("created_at", "id"))
    for source in sources:
        if SourceSync.objects.filter(agency=agency, source=source, trigger=SourceSync.Trigger.BEAT,
                                     created_at__gte=today_start).exists():
            continue
        try:
            sync_start(agency=agency, actor=None, source=source, trigger=SourceSync.Trigger.BEAT)
        except ServiceError as exc:
            logger.info("daily sync of source %s skipped: %s", source.pk, exc.message)
            continue
        started += 1
    return started
