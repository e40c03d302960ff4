"""A test-only task the worker subprocesses load (`celery worker -I tests.jobs.worker_tasks`): a slow "import"
that ticks its progress and then writes its rows and the job's success in one transaction, like the real
ones. It lets a test kill a worker in the middle of a task at a known point."""
import time

from django.db import transaction

from clients.models import Tag
from mrm.celery import app
from mrm.jobs.models import Job
from mrm.jobs.services import job_lock, job_progress, job_succeed
from mrm.jobs.tasks import job_claim_or_defer
from mrm.tenancy.tasks import AgencyTask


@app.task(base=AgencyTask, bind=True, acks_late=True, name="tests.slow_import")
def slow_import_task(self, *, agency_id: int, job_id: str, rows: int, steps: int, step_seconds: float) -> None:
    job = Job.objects.filter(agency_id=agency_id, pk=job_id).first()
    if job is None or not job_claim_or_defer(self, job=job):
        return
    for step in range(1, steps + 1):
        time.sleep(step_seconds)
        job_progress(job=job, progress=90 * step // steps, message=f"step {step} of {steps} on {self.request.hostname}")
    with transaction.atomic():
        if job_lock(job=job).result.get("created"):
            return
        Tag.objects.bulk_create([Tag(agency_id=agency_id, name=f"{job_id[:8]}-{n}") for n in range(rows)])
        job_succeed(job=job, message=f"{rows} created", result={"created": rows})
