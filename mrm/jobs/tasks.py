from django_scopes import scopes_disabled

from mrm.celery import app

from .services import job_fail_stale


@app.task
def job_fail_stale_task() -> int:
    """Beat: fail jobs stuck for 30 minutes (their worker died)."""
    # Maintenance across all agencies by design: the query only touches stuck job rows.
    with scopes_disabled():
        return job_fail_stale()
