"""Celery tasks of the portal (each area adds its own block)."""
from mrm.celery import app
from mrm.jobs.tasks import task_retry_later
from mrm.tenancy.tasks import AgencyTask


# --- nps --------------------------------------------------------------------------------------------------------
@app.task
def nps_schedule_all_task() -> int:
    """Beat (daily): one scheduling task per agency, each in its own scope."""
    from mrm.tenancy.models import Agency

    ids = list(Agency.objects.values_list("pk", flat=True))
    for agency_id in ids:
        nps_schedule_agency_task.delay(agency_id=agency_id)
    return len(ids)


@app.task(base=AgencyTask, acks_late=True)
def nps_schedule_agency_task(*, agency_id: int) -> int:
    """Create the agency's due surveys (idempotent: the period is a unique key, the interval is checked under a
    lock); each new survey mails its link after commit."""
    from mrm.tenancy.models import Agency

    from .services.nps import nps_schedule_agency

    return nps_schedule_agency(agency=Agency.objects.get(pk=agency_id))


@app.task(base=AgencyTask, acks_late=True)
def nps_milestone_task(*, agency_id: int, project_id: str, milestone_id: str, milestone_title: str = "") -> int:
    from mrm.tenancy.models import Agency

    from .services.nps import nps_milestone_reached

    return nps_milestone_reached(agency=Agency.objects.get(pk=agency_id), project_id=project_id,
                                 milestone_id=milestone_id, milestone_title=milestone_title)


@app.task(base=AgencyTask, bind=True, acks_late=True, max_retries=5)
def nps_survey_email_task(self, *, agency_id: int, survey_id: str) -> None:
    """E-mail a survey's link once (marker `emailed_at`); a mail-server hiccup retries with backoff."""
    from proposals.tasks import backoff_seconds

    from .services.nps import deliver

    try:
        deliver(agency_id=agency_id, survey_id=survey_id)
    except OSError:
        if not task_retry_later(self, countdown=backoff_seconds(self.request.retries)):
            raise
