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
    from mrm.tenancy.models import Agency

    ids = list(Agency.objects.values_list("pk", flat=True))
    for agency_id in ids:
        kpi_rollup_rebuild_task.delay(agency_id=agency_id)
    return len(ids)


@app.task(base=AgencyTask, acks_late=True)
def health_rollup_rebuild_task(*, agency_id: int) -> int:
    """Rebuild one agency's client health rows (idempotent: a full rebuild; a redelivery rebuilds again)."""
    from mrm.tenancy.models import Agency

    from .health_rollups import health_rollup_run

    return health_rollup_run(agency=Agency.objects.get(pk=agency_id))


@app.task
def health_rollup_nightly_task() -> int:
    """Beat (nightly): one health rebuild task per agency ("days since the last contact" moves every day)."""
    from mrm.tenancy.models import Agency

    ids = list(Agency.objects.values_list("pk", flat=True))
    for agency_id in ids:
        health_rollup_rebuild_task.delay(agency_id=agency_id)
    return len(ids)
