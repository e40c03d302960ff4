import logging

from celery import Task
from django_scopes import scopes_disabled

from mrm.celery import app

from .models import Job
from .services import Claim, job_claim, job_fail_stale

logger = logging.getLogger(__name__)


def _same_queue(task: Task) -> dict:
    # Another delivery goes where this one came from (the redis transport routes by queue name).
    routing_key = (task.request.delivery_info or {}).get("routing_key")
    return {"queue": routing_key} if routing_key else {}


def job_claim_or_defer(task: Task, *, job: Job) -> bool:
    """Claim the job for this delivery of `task`; True means: do the work now.

    A finished job (a redelivered message) is left alone. A job whose lease another worker still holds
    (the broker redelivered a message of a task that outlived the visibility timeout) is looked at again
    when that lease runs out: this delivery re-queues itself, so if that worker dies the job is still
    taken over instead of waiting for the reaper."""
    claim = job_claim(job=job)
    if claim.outcome is Claim.BUSY:
        logger.info("job %s is running elsewhere; checking again in %.0f s", job.pk, claim.retry_in)
        task.apply_async(kwargs=dict(task.request.kwargs), countdown=claim.retry_in, **_same_queue(task))
    return claim.claimed


def task_retry_later(task: Task, *, countdown: float) -> bool:
    """Queue another delivery of this task (same kwargs, one more retry) after `countdown` seconds; False when
    its retries are used up. Unlike `Task.retry()` the current delivery then ends normally (it is acked),
    which behaves the same on a worker and in-process (eager), so no caller needs a special case."""
    if task.request.retries >= (task.max_retries or 0):
        return False
    task.apply_async(kwargs=dict(task.request.kwargs), countdown=countdown, retries=task.request.retries + 1,
                     **_same_queue(task))
    return True


@app.task
def job_fail_stale_task() -> int:
    """Beat: fail jobs that nothing will finish any more (lease long expired, or never started)."""
    # Maintenance across all agencies by design: the query only touches stuck job rows.
    with scopes_disabled():
        return job_fail_stale()
