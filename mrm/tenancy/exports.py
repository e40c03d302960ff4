"""Audit log export: a Celery job that writes a CSV file (the first user of the Job machinery)."""
import zoneinfo

from django.conf import settings
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from mrm.core.exports import csv_bytes
from mrm.jobs.models import Job
from mrm.jobs.services import job_create, job_progress, job_succeed

from . import audit_text
from .models import Agency
from .selectors import audit_list


def audit_export_start(*, agency: Agency, actor, filters: dict) -> Job:
    """Queue a CSV export of the audit log with the given filters (after commit)."""
    job = job_create(agency=agency, actor=actor, kind="audit.export", title=_("Audit log export"),
                     params={k: str(v) if v else "" for k, v in filters.items()})
    from .tasks import audit_export_task

    audit_export_task.delay_on_commit(agency_id=agency.pk, job_id=str(job.pk))
    return job


def audit_export_header() -> list[str]:
    """Column names in the active language; the last, `code`, is the raw action code for scripts."""
    return [_("When"), _("Who"), _("Action"), _("Object"), _("Changes"), _("IP"), "code"]


def _job_language(job: Job) -> str:
    return getattr(job.created_by, "language", "") or settings.LANGUAGE_CODE


def _job_timezone(job: Job):
    try:
        return zoneinfo.ZoneInfo(getattr(job.created_by, "timezone", "") or settings.TIME_ZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def audit_export(*, agency: Agency, job: Job) -> None:
    p = job.params
    rows = audit_list(agency=agency, actor_id=p.get("actor") or None, action=p.get("action", ""),
                      date_from=p.get("date_from") or None, date_to=p.get("date_to") or None)
    total = rows.count() or 1

    def lines():
        for i, row in enumerate(rows.iterator(chunk_size=1000), 1):
            yield [
                timezone.localtime(row.created_at).isoformat(timespec="seconds"),
                audit_text.actor_name(row),
                audit_text.sentence(row),
                row.target_repr,
                audit_text.changes_text(row),
                row.ip_address or "",
                row.action,
            ]
            if i % 500 == 0:
                job_progress(job=job, progress=int(90 * i / total), message=_("%(n)s of %(total)s rows") % {
                    "n": i, "total": total})

    # The export runs in a worker: it speaks the language, and tells the time, of the user who asked for it.
    with translation.override(_job_language(job)), timezone.override(_job_timezone(job)):
        # Object names and changed values are typed by users: csv_bytes keeps "=HYPERLINK(...)" from running.
        content = csv_bytes(header=audit_export_header(), rows=lines())
        message = _("%(n)s rows exported") % {"n": rows.count()}
    job.result_file.save(f"audit-{agency.uuid}-{job.pk}.csv", ContentFile(content), save=False)
    job_succeed(job=job, message=message, result_url=reverse("jobs:download", args=[job.pk]),
                result_file=job.result_file.name)

