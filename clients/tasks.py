"""Celery tasks of the CRM: they take ids, run inside the agency scope (AgencyTask) and are idempotent."""
from mrm.celery import app
from mrm.jobs.services import job_running, job_succeed
from mrm.jobs.tasks import job_claim_or_defer
from mrm.tenancy.tasks import AgencyTask


@app.task(base=AgencyTask, bind=True, acks_late=True)
def import_run_task(self, *, agency_id: int, import_id: str) -> None:
    """Run an import once: the job is claimed (a finished one is left alone), and a run whose rows were
    already committed (`report.outcome == "done"` is written in the transaction of the rows, and
    `import_start` clears it) only finishes its job instead of importing again."""
    from django.utils.translation import gettext as _

    from .models import ImportFile
    from .services.importing import import_run

    import_file = ImportFile.objects.filter(agency_id=agency_id, pk=import_id).select_related("job").first()
    if import_file is None or import_file.job is None or not job_claim_or_defer(self, job=import_file.job):
        return
    job = import_file.job
    if import_file.report.get("outcome") == "done":
        job_succeed(job=job, message=_("%(created)s created, %(updated)s updated, %(skipped)s skipped")
                    % import_file.report)
        return
    with job_running(job=job):
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
