"""Celery tasks of the connector syncs: ids in, the agency scope entered by AgencyTask, claimed once."""
from mrm.celery import app
from mrm.jobs.services import job_running
from mrm.jobs.tasks import job_claim_or_defer
from mrm.tenancy.tasks import AgencyTask


@app.task(base=AgencyTask, bind=True, acks_late=True)
def source_sync_task(self, *, agency_id: int, sync_id: str) -> None:
    """Run one sync; a redelivered message of a finished job does nothing (the facts and the job's success
    commit together)."""
    from .models import SourceSync
    from .services.syncs import sync_run

    sync = SourceSync.objects.filter(agency_id=agency_id, pk=sync_id).select_related("job", "agency").first()
    if sync is None or sync.job is None or not job_claim_or_defer(self, job=sync.job):
        return
    with job_running(job=sync.job) as job:
        sync_run(agency=sync.agency, sync=sync, job=job)


@app.task
def sources_sync_all_task() -> int:
    """Beat (daily): the connector syncs of every agency, each in its own scope."""
    from mrm.tenancy.models import Agency

    ids = list(Agency.objects.values_list("pk", flat=True))
    for agency_id in ids:
        sources_sync_agency_task.delay(agency_id=agency_id)
    return len(ids)


@app.task(base=AgencyTask, acks_late=True)
def sources_sync_agency_task(*, agency_id: int) -> int:
    from mrm.tenancy.models import Agency

    from .services.syncs import sources_sync_agency

    return sources_sync_agency(agency=Agency.objects.get(pk=agency_id))
