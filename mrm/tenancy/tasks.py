from celery.contrib.django.task import DjangoTask
from django_scopes import scope

from mrm.celery import app
from mrm.jobs.models import Job
from mrm.jobs.services import job_running

from . import exports
from .models import Agency


class AgencyTask(DjangoTask):
    """Celery base for agency work: takes `agency_id` and runs the task inside that agency's scope."""

    abstract = True

    def __call__(self, *args, **kwargs):
        agency_id = kwargs.get("agency_id")
        if agency_id is None:
            raise TypeError(f"{self.name} must be called with agency_id=")
        agency = Agency.objects.filter(pk=agency_id).first()
        if agency is None:
            return None  # the agency was deleted after the task was queued
        with scope(agency=agency):
            return super().__call__(*args, **kwargs)


@app.task(base=AgencyTask, bind=True, acks_late=True)
def audit_export_task(self, *, agency_id: int, job_id: str) -> None:
    """Write the CSV (named after the job); idempotent: a finished job is left alone."""
    from mrm.jobs.tasks import job_claim_or_defer

    job = Job.objects.filter(agency_id=agency_id, pk=job_id).first()
    if job is None or not job_claim_or_defer(self, job=job):
        return
    with job_running(job=job):
        exports.audit_export(agency=job.agency, job=job)
