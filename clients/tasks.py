"""Celery tasks of the CRM: they take ids, run inside the agency scope (AgencyTask) and are idempotent."""
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings

from mrm.celery import app
from mrm.jobs.services import job_running, job_succeed
from mrm.jobs.tasks import job_claim_or_defer
from mrm.tenancy.tasks import AgencyTask

# The import jobs stop themselves at MRM_IMPORT_TIME_LIMIT (importing.limits); Celery's soft limit is the
# backstop a little later (it needs the prefork pool), the hard limit kills the worker child after that.
_IMPORT_LIMIT = getattr(settings, "MRM_IMPORT_TIME_LIMIT", 600)
IMPORT_TIME_LIMITS = {"soft_time_limit": _IMPORT_LIMIT + 30, "time_limit": _IMPORT_LIMIT + 60}


def _run_import_job(task, import_file, job_field: str, work) -> None:
    """Claim the file's job (a second delivery of a running job is deferred, a finished one left alone),
    then do the work under the job's caps."""
    job = getattr(import_file, job_field)
    if job is None or not job_claim_or_defer(task, job=job):
        return
    with job_running(job=job) as job:
        try:
            work(agency=import_file.agency, import_file=import_file, job=job)
        except SoftTimeLimitExceeded:
            from .importing.limits import too_slow

            raise too_slow() from None


@app.task(base=AgencyTask, bind=True, acks_late=True, **IMPORT_TIME_LIMITS)
def import_inspect_task(self, *, agency_id: int, import_id: str) -> None:
    """Read an uploaded file (format, headers, first rows) for the mapping page; safe to repeat."""
    from .models import ImportFile
    from .services.importing import import_file_inspect

    import_file = ImportFile.objects.filter(agency_id=agency_id, pk=import_id).select_related("inspection").first()
    if import_file is not None:
        _run_import_job(self, import_file, "inspection", import_file_inspect)


@app.task(base=AgencyTask, bind=True, acks_late=True, **IMPORT_TIME_LIMITS)
def import_run_task(self, *, agency_id: int, import_id: str) -> None:
    """Run an import once: the job is claimed (a finished one is left alone), and a run whose rows were
    already committed (`report.outcome == "done"` is written in the transaction of the rows, and
    `import_start` clears it) only finishes its job instead of importing again."""
    from django.utils.translation import gettext as _

    from .models import ImportFile
    from .services.importing import import_run

    import_file = ImportFile.objects.filter(agency_id=agency_id, pk=import_id).select_related("job").first()
    if import_file is None:
        return
    if import_file.job is not None and import_file.report.get("outcome") == "done":
        # The rows were committed by an earlier delivery: only finish the job (once claimed).
        if job_claim_or_defer(self, job=import_file.job):
            job_succeed(job=import_file.job, message=_("%(created)s created, %(updated)s updated, %(skipped)s skipped")
                        % import_file.report)
        return
    _run_import_job(self, import_file, "job", import_run)


@app.task(base=AgencyTask, bind=True, acks_late=True)
def invoices_mark_overdue_task(self, *, agency_id: int) -> int:
    """Flip the agency's sent invoices past their due date to overdue (compare-and-set, safe to repeat)."""
    from mrm.tenancy.models import Agency

    from .services.invoices import invoices_mark_overdue

    return invoices_mark_overdue(agency=Agency.objects.get(pk=agency_id))


@app.task
def invoices_mark_overdue_all_task() -> int:
    """Beat: one overdue check per agency (each runs in its own scope)."""
    from mrm.tenancy.models import Agency

    ids = list(Agency.objects.values_list("pk", flat=True))
    for agency_id in ids:
        invoices_mark_overdue_task.delay(agency_id=agency_id)
    return len(ids)


@app.task(base=AgencyTask, bind=True, acks_late=True)
def invoice_render_pdf_task(self, *, agency_id: int, job_id: str) -> None:
    """Render an invoice or act to PDF; idempotent (a finished job is left alone, the file name is fixed)."""
    from mrm.jobs.models import Job

    from .services.billing import invoice_pdf_job_run

    job = Job.objects.filter(agency_id=agency_id, pk=job_id).select_related("agency").first()
    if job is None or not job_claim_or_defer(self, job=job):
        return
    with job_running(job=job):
        invoice_pdf_job_run(agency=job.agency, job=job)


@app.task(base=AgencyTask, bind=True, acks_late=True, max_retries=5)
def invoice_send_task(self, *, agency_id: int, invoice_id: str, emails: list[str], message: str = "",
                      sender_id: int | None = None) -> None:
    """E-mail the document's PDF to the chosen contacts; a mail-server hiccup retries with backoff."""
    from django.contrib.auth import get_user_model

    from mrm.tenancy.models import Agency

    from .services.billing import invoice_deliver

    sender = get_user_model().objects.filter(pk=sender_id).first() if sender_id else None
    try:
        invoice_deliver(agency=Agency.objects.get(pk=agency_id), invoice_id=invoice_id, emails=emails,
                        message=message, sender=sender)
    except OSError as exc:
        raise self.retry(exc=exc, countdown=min(300, 10 * 2 ** self.request.retries)) from exc
