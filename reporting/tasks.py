"""Celery tasks of reporting: they take ids, run inside the agency scope (AgencyTask) and are idempotent."""
from celery.exceptions import SoftTimeLimitExceeded
from django.utils.translation import gettext as _

from clients.tasks import IMPORT_TIME_LIMITS
from mrm.celery import app
from mrm.jobs.services import job_running, job_succeed
from mrm.jobs.tasks import job_claim_or_defer
from mrm.tenancy.tasks import AgencyTask


@app.task(base=AgencyTask, bind=True, acks_late=True, **IMPORT_TIME_LIMITS)
def metric_import_inspect_task(self, *, agency_id: int, import_id: str) -> None:
    """Read an uploaded metrics file (format, headers, first rows) for the mapping page; safe to repeat."""
    from .models import MetricImport
    from .services.importing import metric_import_inspect

    item = MetricImport.objects.filter(agency_id=agency_id, pk=import_id).select_related(
        "inspection", "agency").first()
    if item is None or item.inspection is None or not job_claim_or_defer(self, job=item.inspection):
        return
    with job_running(job=item.inspection) as job:
        try:
            metric_import_inspect(agency=item.agency, item=item, job=job)
        except SoftTimeLimitExceeded:
            from clients.importing.limits import too_slow

            raise too_slow() from None


@app.task(base=AgencyTask, bind=True, acks_late=True, **IMPORT_TIME_LIMITS)
def metric_import_run_task(self, *, agency_id: int, import_id: str) -> None:
    """Run a metrics import once: a redelivered message of a run whose facts were committed (`report.outcome
    == "done"`, written in the transaction of the facts) only finishes its job."""
    from .models import MetricImport
    from .services.importing import metric_import_run

    item = MetricImport.objects.filter(agency_id=agency_id, pk=import_id).select_related(
        "job", "source", "agency").first()
    if item is None or item.job is None:
        return
    if item.report.get("outcome") == "done":
        if job_claim_or_defer(self, job=item.job):
            job_succeed(job=item.job, message=_("%(rows)s rows imported") % item.report)
        return
    if not job_claim_or_defer(self, job=item.job):
        return
    with job_running(job=item.job) as job:
        try:
            metric_import_run(agency=item.agency, item=item, job=job)
        except SoftTimeLimitExceeded:
            from clients.importing.limits import too_slow

            raise too_slow() from None
from .tasks_reports import report_build_task, report_publish_task, report_schedules_all_task  # noqa: E402,F401 - client reports (h-reports)
from .tasks_sync import source_sync_task, sources_sync_all_task  # noqa: E402,F401 - connector syncs (h-connectors)
