"""Job lifecycle. Workers update rows with `update()` so a progress tick never overwrites a final state."""
import logging
from contextlib import contextmanager
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mrm.core.errors import ServiceError
from mrm.tenancy.models import Agency

from .models import Job

logger = logging.getLogger(__name__)
S = Job.Status


def job_create(*, agency: Agency, actor, kind: str, title: str, params: dict | None = None) -> Job:
    return Job.objects.create(agency=agency, created_by=actor, kind=kind, title=title, params=params or {})


def job_progress(*, job: Job, progress: int, message: str = "") -> None:
    progress = max(0, min(100, int(progress)))
    Job.objects.filter(agency_id=job.agency_id, pk=job.pk, status=S.RUNNING).update(
        progress=progress, message=message[:300]
    )
    job.progress, job.message = progress, message


def job_start(*, job: Job) -> bool:
    """Claim a queued (or retried) job; False if it already finished."""
    now = timezone.now()
    claimed = Job.objects.filter(agency_id=job.agency_id, pk=job.pk, status__in=[S.QUEUED, S.RUNNING]).update(
        status=S.RUNNING, started_at=now, attempts=job.attempts + 1, error=""
    )
    job.refresh_from_db()
    return bool(claimed)


def job_succeed(*, job: Job, message: str = "", result_url: str = "", result_file: str = "") -> None:
    fields = {"status": S.SUCCEEDED, "progress": 100, "message": message[:300], "finished_at": timezone.now()}
    if result_url:
        fields["result_url"] = result_url
    if result_file:
        fields["result_file"] = result_file
    Job.objects.filter(agency_id=job.agency_id, pk=job.pk).update(**fields)
    job.refresh_from_db()


def job_fail(*, job: Job, error: str) -> None:
    Job.objects.filter(agency_id=job.agency_id, pk=job.pk).exclude(status=S.SUCCEEDED).update(
        status=S.FAILED, error=error[:2000], finished_at=timezone.now()
    )
    job.refresh_from_db()


@contextmanager
def job_running(*, job: Job, retryable: tuple[type[BaseException], ...] = (), final_attempt: bool = True):
    """Run the body as the job's work: a ServiceError fails it with its message; a transient error
    fails it only on the final attempt (earlier ones are retried by Celery); anything else fails it
    with a generic message and is re-raised for the logs."""
    try:
        yield job
    except ServiceError as exc:
        job_fail(job=job, error=exc.message)
    except retryable:
        if final_attempt:
            job_fail(job=job, error=_("The service did not answer after several attempts. Try again later."))
        raise
    except Exception:
        logger.exception("job %s failed", job.pk)
        job_fail(job=job, error=_("Something went wrong on our side. The team has been notified; try again."))
        raise


@transaction.atomic
def job_fail_stale(*, older_than_minutes: int = 30) -> int:
    """Mark jobs whose worker vanished as failed so the UI stops waiting."""
    cutoff = timezone.now() - timedelta(minutes=older_than_minutes)
    return Job.objects.filter(status__in=[S.QUEUED, S.RUNNING], created_at__lt=cutoff).update(
        status=S.FAILED, finished_at=timezone.now(), error=_("The job took too long and was stopped. Try again.")
    )
