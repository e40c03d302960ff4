"""Job lifecycle: claimed once, never lost, never doubled.

A worker *claims* a job with a compare-and-set `update()` (QUEUED → RUNNING) that sets a lease
(`lease_expires_at`) and a heartbeat; every progress tick is a heartbeat and extends the lease. A RUNNING
job is taken over by another delivery of its message only after the lease expired (its worker died), and
`attempts` — bumped by every claim — is the fencing token: a worker that lost its claim can no longer
move the job's progress. The reaper fails a running job only when its lease expired so long ago that the
broker can no longer redeliver its message (see the JOB_* settings), and a queued job only after a day.

Side effects are the tasks' part: each writes a marker (`Job.result`, a report, `emailed_at`) in the same
transaction as the effect, so a redelivered message finds the work done instead of doing it twice.
Workers update rows with `update()`, so a progress tick never overwrites a final state.
"""
import enum
import logging
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from mrm.core.errors import ServiceError
from mrm.tenancy.models import Agency

from .models import Job

logger = logging.getLogger(__name__)
S = Job.Status


def job_create(*, agency: Agency, actor, kind: str, title: str, params: dict | None = None) -> Job:
    return Job.objects.create(agency=agency, created_by=actor, kind=kind, title=title, params=params or {})


def _lease(now) -> dict:
    return {"heartbeat_at": now, "lease_expires_at": now + timedelta(seconds=settings.JOB_LEASE_SECONDS)}


def _ours(job: Job):
    """The job's row while this worker's claim on it stands (same attempt, still running)."""
    return Job.objects.filter(agency_id=job.agency_id, pk=job.pk, status=S.RUNNING, attempts=job.attempts)


class Claim(enum.Enum):
    CLAIMED = "claimed"    # this worker owns the job now: do the work
    FINISHED = "finished"  # succeeded or failed already: nothing to do (a redelivered message)
    BUSY = "busy"          # another worker holds a live lease: look again when it runs out


@dataclass(frozen=True)
class ClaimResult:
    outcome: Claim
    retry_in: float = 0.0  # for BUSY: seconds until the other worker's lease runs out

    @property
    def claimed(self) -> bool:
        return self.outcome is Claim.CLAIMED


def job_claim(*, job: Job) -> ClaimResult:
    """Claim a queued job, or take over a running one whose lease expired; compare-and-set, so of two
    deliveries of one message exactly one gets CLAIMED."""
    now = timezone.now()
    base = Job.objects.filter(agency_id=job.agency_id, pk=job.pk)
    claimed = base.filter(status=S.QUEUED).update(
        status=S.RUNNING, started_at=now, attempts=F("attempts") + 1, error="", **_lease(now))
    if not claimed:
        expired = Q(lease_expires_at__lt=now) | Q(lease_expires_at__isnull=True)
        current = base.values_list("takeovers", flat=True).first()
        if current is not None and current >= settings.JOB_MAX_TAKEOVERS:
            # The work has stopped its worker again and again (out of memory, a crash): stop trying.
            base.filter(expired, status=S.RUNNING).update(
                status=S.FAILED, finished_at=now,
                error=_("The job was interrupted several times and was stopped. Try again; if it keeps "
                        "failing, contact support."))
        else:
            claimed = base.filter(expired, status=S.RUNNING).update(
                attempts=F("attempts") + 1, takeovers=F("takeovers") + 1, **_lease(now))
            if claimed:
                logger.warning("job %s: its worker vanished; taken over", job.pk)
    job.refresh_from_db()
    if claimed:
        return ClaimResult(Claim.CLAIMED)
    if job.is_finished:
        return ClaimResult(Claim.FINISHED)
    left = (job.lease_expires_at - now).total_seconds() if job.lease_expires_at else 0.0
    return ClaimResult(Claim.BUSY, retry_in=max(1.0, left + 1.0))


def job_heartbeat(*, job: Job) -> bool:
    """Extend this worker's lease; False when the claim was lost (another worker took the job over)."""
    return bool(_ours(job).update(**_lease(timezone.now())))


def job_progress(*, job: Job, progress: int, message: str = "") -> None:
    """A progress tick, which is also a heartbeat. Call it outside long transactions: it must commit to count."""
    progress = max(0, min(100, int(progress)))
    _ours(job).update(progress=progress, message=message[:300], **_lease(timezone.now()))
    job.progress, job.message = progress, message


def job_release(*, job: Job, message: str = "") -> None:
    """Give the claim back (RUNNING → QUEUED) before the task is retried later, so the retry can claim it."""
    _ours(job).update(status=S.QUEUED, heartbeat_at=None, lease_expires_at=None, message=message[:300])
    job.refresh_from_db()


def job_lock(*, job: Job) -> Job:
    """The job row locked until the end of the surrounding transaction: read its `result` marker and write
    the side effect and the marker together, so two runs never both do it."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("job_lock() needs a transaction")
    return Job.objects.select_for_update().get(agency_id=job.agency_id, pk=job.pk)


def job_succeed(*, job: Job, message: str = "", result_url: str = "", result_file: str = "",
                result: dict | None = None) -> None:
    fields = {"status": S.SUCCEEDED, "progress": 100, "message": message[:300], "finished_at": timezone.now(),
              "lease_expires_at": None}
    if result_url:
        fields["result_url"] = result_url
    if result_file:
        fields["result_file"] = result_file
    if result is not None:
        fields["result"] = result
    Job.objects.filter(agency_id=job.agency_id, pk=job.pk).update(**fields)
    job.refresh_from_db()


def job_fail(*, job: Job, error: str) -> None:
    Job.objects.filter(agency_id=job.agency_id, pk=job.pk).exclude(status=S.SUCCEEDED).update(
        status=S.FAILED, error=error[:2000], finished_at=timezone.now(), lease_expires_at=None
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


def stale_after_seconds() -> int:
    """How long after its lease ran out a running job can still be redelivered (after that it is lost)."""
    return (settings.JOB_VISIBILITY_TIMEOUT_SECONDS + 2 * settings.JOB_REDELIVERY_SCAN_SECONDS
            + settings.JOB_REAP_GRACE_SECONDS)


@transaction.atomic
def job_fail_stale() -> int:
    """Fail jobs that nothing will finish any more, so the UI stops waiting: running ones whose lease
    expired longer ago than any redelivery can take, and queued ones whose message never arrived."""
    now = timezone.now()
    lost = now - timedelta(seconds=stale_after_seconds())
    running = Job.objects.filter(status=S.RUNNING).filter(
        Q(lease_expires_at__lt=lost) | Q(lease_expires_at__isnull=True, started_at__lt=lost))
    count = running.update(status=S.FAILED, finished_at=now, lease_expires_at=None,
                           error=_("The job stopped responding and was stopped. Try again."))
    never = now - timedelta(seconds=settings.JOB_QUEUED_MAX_SECONDS)
    count += Job.objects.filter(status=S.QUEUED, created_at__lt=never).update(
        status=S.FAILED, finished_at=now, error=_("The job never started. Try again."))
    return count
