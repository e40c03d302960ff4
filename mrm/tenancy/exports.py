"""Audit log export: a Celery job that writes a CSV file (the first user of the Job machinery)."""
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from mrm.core.exports import csv_bytes
from mrm.jobs.models import Job
from mrm.jobs.services import job_create, job_progress, job_succeed

from .models import Agency
from .selectors import audit_list


def audit_export_start(*, agency: Agency, actor, filters: dict) -> Job:
    """Queue a CSV export of the audit log with the given filters (after commit)."""
    job = job_create(agency=agency, actor=actor, kind="audit.export", title=_("Audit log export"),
                     params={k: str(v) if v else "" for k, v in filters.items()})
    from .tasks import audit_export_task

    audit_export_task.delay_on_commit(agency_id=agency.pk, job_id=str(job.pk))
    return job


def audit_export(*, agency: Agency, job: Job) -> None:
    p = job.params
    rows = audit_list(agency=agency, actor_id=p.get("actor") or None, action=p.get("action", ""),
                      date_from=p.get("date_from") or None, date_to=p.get("date_to") or None)
    total = rows.count() or 1

    def lines():
        for i, row in enumerate(rows.iterator(chunk_size=1000), 1):
            yield [
                timezone.localtime(row.created_at).isoformat(timespec="seconds"),
                row.actor.email if row.actor else "", row.action,
                row.target_type.model if row.target_type else "", row.target_repr,
                "; ".join(f"{k}: {v[0]} → {v[1]}" for k, v in row.changes.items()), row.ip_address or "",
            ]
            if i % 500 == 0:
                job_progress(job=job, progress=int(90 * i / total), message=_("%(n)s of %(total)s rows") % {
                    "n": i, "total": total})

    # Object names and changed values are typed by users: csv_bytes keeps "=HYPERLINK(...)" from running.
    content = csv_bytes(header=["time", "who", "action", "object type", "object", "changes", "ip"], rows=lines())
    job.result_file.save(f"audit-{agency.uuid}-{job.pk}.csv", ContentFile(content), save=False)
    job_succeed(job=job, message=_("%(n)s rows exported") % {"n": rows.count()},
                result_url=reverse("jobs:download", args=[job.pk]), result_file=job.result_file.name)

