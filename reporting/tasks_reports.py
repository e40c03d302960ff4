"""Celery tasks of client reports: they take ids, run inside the agency scope (AgencyTask) and are idempotent
(the build's result and the job's success commit together; publishing's notifications carry keys and a marker)."""
from mrm.celery import app
from mrm.jobs.models import Job
from mrm.jobs.services import job_running
from mrm.jobs.tasks import job_claim_or_defer, task_retry_later
from mrm.tenancy.tasks import AgencyTask


@app.task(base=AgencyTask, bind=True, acks_late=True)
def report_build_task(self, *, agency_id: int, job_id: str) -> None:
    """Build a report: its snapshot, a commentary draft (AI or rules) and the PDF."""
    from .services.reports import report_build_run

    job = Job.objects.filter(agency_id=agency_id, pk=job_id).select_related("agency").first()
    if job is None or not job_claim_or_defer(self, job=job):
        return
    with job_running(job=job):
        report_build_run(agency=job.agency, job=job)


@app.task(base=AgencyTask, bind=True, acks_late=True, max_retries=5)
def report_publish_task(self, *, agency_id: int, report_id: str) -> None:
    """Render the published report's PDF once and tell the client's contacts (notifications and e-mail)."""
    from mrm.tenancy.models import Agency

    from .services.reports import report_publish_deliver

    agency = Agency.objects.filter(pk=agency_id).first()
    if agency is None:
        return
    try:
        report_publish_deliver(agency=agency, report_id=report_id)
    except OSError:  # the mail server or storage hiccuped: try again later
        if not task_retry_later(self, countdown=30 * (self.request.retries + 1)):
            raise


@app.task
def report_schedules_all_task() -> int:
    """Beat (hourly): one schedule run per agency, each in its own scope."""
    from mrm.tenancy.models import Agency

    ids = list(Agency.objects.values_list("pk", flat=True))
    for agency_id in ids:
        report_schedules_agency_task.delay(agency_id=agency_id)
    return len(ids)


@app.task(base=AgencyTask, acks_late=True)
def report_schedules_agency_task(*, agency_id: int) -> int:
    """Create and build the agency's due scheduled reports (idempotent: one report per schedule and period)."""
    from mrm.tenancy.models import Agency

    from .services.report_schedules import schedules_run_agency

    return schedules_run_agency(agency=Agency.objects.get(pk=agency_id))
