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
