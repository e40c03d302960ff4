"""Celery tasks of the proposals app. Each takes ids, claims its Job with a compare-and-set
(`job_claim_or_defer`), and retries only transient failures of the AI service, with exponential backoff."""
import logging
import random

from django.utils.translation import gettext as _

from mrm.celery import app
from mrm.core.errors import ServiceError
from mrm.integrations.llm import LLMError, LLMTransientError
from mrm.jobs.models import Job
from mrm.jobs.services import job_fail, job_release, job_running
from mrm.jobs.tasks import job_claim_or_defer, task_retry_later
from mrm.tenancy.tasks import AgencyTask

logger = logging.getLogger(__name__)

DRAFT_MAX_RETRIES = 3


def backoff_seconds(retries: int) -> int:
    """5 s, 10 s, 20 s … plus jitter, capped at 2 minutes."""
    return min(120, 5 * 2 ** retries) + random.randint(0, 3)  # noqa: S311 - jitter, not security


@app.task(base=AgencyTask, bind=True, acks_late=True, max_retries=DRAFT_MAX_RETRIES)
def proposal_draft_task(self, *, agency_id: int, job_id: str) -> None:
    """Draft a proposal from a brief (AI or rules). Transient AI errors retry; others fail the job with a
    message. The brief is never changed by a failure, and nothing is saved until the answer validated.
    Idempotent: the proposal and the job's success commit together (see `drafting.draft_run`)."""
    from .services import drafting

    job = Job.objects.filter(agency_id=agency_id, pk=job_id).select_related("agency", "created_by").first()
    if job is None or not job_claim_or_defer(self, job=job):
        return
    try:
        drafting.draft_run(agency=job.agency, job=job)
    except LLMTransientError as exc:
        if self.request.retries < self.max_retries:
            wait = backoff_seconds(self.request.retries)
            # The claim goes back so that the retry (a new message) can take the job.
            job_release(job=job, message=_("%(problem)s Trying again in %(s)d s…") % {
                "problem": exc.message, "s": wait})
            task_retry_later(self, countdown=wait)
            return
        job_fail(job=job, error=_("%(problem)s We tried %(n)d times. Try again later, or draft without AI.")
                 % {"problem": exc.message, "n": self.request.retries + 1})
    except LLMError as exc:
        job_fail(job=job, error=_("%(problem)s You can draft without AI instead.") % {"problem": exc.message})
    except ServiceError as exc:
        job_fail(job=job, error=exc.message)
    except Exception:
        logger.exception("proposal draft job %s failed", job_id)
        job_fail(job=job, error=_("Something went wrong on our side while drafting. The brief is safe; try again."))


@app.task(base=AgencyTask, bind=True, acks_late=True)
def proposal_render_pdf_task(self, *, agency_id: int, job_id: str) -> None:
    """Render the current state of a proposal to PDF; idempotent (deterministic file name, and the file and
    the job's success commit together, so a redelivered message finds the job finished)."""
    from .services import documents

    job = Job.objects.filter(agency_id=agency_id, pk=job_id).select_related("agency").first()
    if job is None or not job_claim_or_defer(self, job=job):
        return
    with job_running(job=job):
        documents.pdf_job_run(agency=job.agency, job=job)


@app.task(base=AgencyTask, bind=True, acks_late=True, max_retries=5)
def proposal_send_task(self, *, agency_id: int, version_id: str, message: str = "") -> None:
    """Render the sent version's PDF once, then e-mail each recipient once (marker: `emailed_at`)."""
    from .services import sending

    try:
        sending.deliver(agency_id=agency_id, version_id=version_id, message=message)
    except OSError:  # the mail server or storage hiccuped: try again later
        if not task_retry_later(self, countdown=backoff_seconds(self.request.retries)):
            raise


@app.task(base=AgencyTask, bind=True, acks_late=True, max_retries=5)
def decision_confirmation_task(self, *, agency_id: int, decision_id: str) -> None:
    """E-mail the accepting client the PDF with the acceptance certificate; idempotent on the Decision
    (`confirmation_sent_at`), so a redelivered message or a second run sends nothing."""
    from mrm.tenancy.models import Agency

    from .services.confirmation import decision_confirmation_send

    agency = Agency.objects.filter(pk=agency_id).first()
    if agency is None:
        return
    try:
        decision_confirmation_send(agency=agency, decision_id=decision_id)
    except OSError:  # the mail server or storage hiccuped: try again later
        if not task_retry_later(self, countdown=backoff_seconds(self.request.retries)):
            raise


@app.task(base=AgencyTask, bind=True, acks_late=True)
def handoff_deliver_task(self, *, agency_id: int, event_id: str) -> None:
    """Offer one accepted proposal to delivery's receivers; idempotent (a processed row is left alone, and a
    receiver that took the event is not called again). Failures stay on the row for the sweep."""
    from mrm.tenancy.models import Agency

    from .handoff import handoff_deliver

    handoff_deliver(agency=Agency.objects.get(pk=agency_id), event_id=event_id)


@app.task
def handoff_outbox_sweep_task() -> int:
    """Beat: re-send accepted-proposal hand-offs that are not processed yet and are due."""
    from django_scopes import scopes_disabled

    from mrm.jobs.outbox import outbox_due

    from .handoff import KIND

    # Maintenance across all agencies by design: it only lists due outbox rows; each delivery is scoped.
    with scopes_disabled():
        due = outbox_due(kind=KIND)
    for agency_id, event_id in due:
        handoff_deliver_task.delay(agency_id=agency_id, event_id=event_id)
    return len(due)
