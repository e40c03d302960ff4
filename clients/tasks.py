"""Celery tasks of the CRM: they take ids, run inside the agency scope (AgencyTask) and are idempotent."""
from mrm.celery import app
from mrm.jobs.services import job_running, job_start
from mrm.tenancy.tasks import AgencyTask


@app.task(base=AgencyTask, bind=True, acks_late=True)
def import_run_task(self, *, agency_id: int, import_id: str) -> None:
    """Run an import; a finished job is left alone, and a re-delivered one re-runs safely (atomic, keyed)."""
    from .models import ImportFile
    from .services.importing import import_run

    import_file = ImportFile.objects.filter(agency_id=agency_id, pk=import_id).select_related("job").first()
    if import_file is None or import_file.job is None or not job_start(job=import_file.job):
        return
    with job_running(job=import_file.job) as job:
        import_run(agency=import_file.agency, import_file=import_file, job=job)


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
    if job is None or not job_start(job=job):
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
