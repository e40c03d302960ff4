"""Celery tasks of the projects app (each delivery area adds its own block)."""
from mrm.celery import app
from mrm.jobs.tasks import task_retry_later
from mrm.tenancy.tasks import AgencyTask


# --- change requests --------------------------------------------------------------------------------
@app.task(base=AgencyTask, bind=True, acks_late=True, max_retries=5)
def change_request_send_task(self, *, agency_id: int, change_request_id: str, message: str = "") -> None:
    """E-mail each recipient of a sent change request once (marker: `emailed_at`); a redelivered message or a
    second run sends nothing more. A mail-server hiccup retries with backoff."""
    from proposals.tasks import backoff_seconds

    from .services.changes import deliver

    try:
        deliver(agency_id=agency_id, change_request_id=change_request_id, message=message)
    except OSError:
        if not task_retry_later(self, countdown=backoff_seconds(self.request.retries)):
            raise
