"""Celery tasks of the dashboards: the KPI rollup, nightly for every agency and after changes (debounced)."""
from mrm.celery import app
from mrm.tenancy.tasks import AgencyTask


@app.task(base=AgencyTask, acks_late=True)
def kpi_rollup_rebuild_task(*, agency_id: int) -> int:
    """Rebuild one agency's daily KPI rollup (idempotent: a full rebuild; a redelivery rebuilds again)."""
    from mrm.tenancy.models import Agency

    from .rollups import kpi_rollup_run

    return kpi_rollup_run(agency=Agency.objects.get(pk=agency_id))


@app.task
def kpi_rollup_nightly_task() -> int:
    """Beat (nightly): one rebuild task per agency, each in its own scope."""
    return _each_agency(kpi_rollup_rebuild_task)


@app.task(base=AgencyTask, bind=True, acks_late=True)
def dashboard_pdf_task(self, *, agency_id: int, job_id: str) -> None:
    """Render the KPI dashboard PDF into the job's file; idempotent: a finished job is left alone."""
    from mrm.jobs.models import Job
    from mrm.jobs.services import job_running
    from mrm.jobs.tasks import job_claim_or_defer

    from .pdf import dashboard_pdf_run

    job = Job.objects.filter(agency_id=agency_id, pk=job_id).select_related("agency", "created_by").first()
    if job is None or not job_claim_or_defer(self, job=job):
        return
    with job_running(job=job):
        dashboard_pdf_run(agency=job.agency, job=job)


def _each_agency(task) -> int:
    from mrm.tenancy.models import Agency

    ids = list(Agency.objects.values_list("pk", flat=True))
    for agency_id in ids:
        task.delay(agency_id=agency_id)
    return len(ids)


@app.task(base=AgencyTask, acks_late=True)
def client_economics_rebuild_task(*, agency_id: int) -> int:
    """Rebuild one agency's portfolio rollup (idempotent: a full rebuild)."""
    from mrm.tenancy.models import Agency

    from .portfolio_rollup import client_economics_run

    return client_economics_run(agency=Agency.objects.get(pk=agency_id))


@app.task
def client_economics_nightly_task() -> int:
    """Beat (nightly): one portfolio rollup rebuild per agency."""
    return _each_agency(client_economics_rebuild_task)


@app.task(base=AgencyTask, acks_late=True)
def health_rollup_rebuild_task(*, agency_id: int) -> int:
    """Rebuild one agency's client health rows (idempotent: a full rebuild; a redelivery rebuilds again)."""
    from mrm.tenancy.models import Agency

    from .health_rollups import health_rollup_run

    return health_rollup_run(agency=Agency.objects.get(pk=agency_id))


@app.task
def health_rollup_nightly_task() -> int:
    """Beat (nightly): one health rebuild task per agency ("days since the last contact" moves every day)."""
    return _each_agency(health_rollup_rebuild_task)
