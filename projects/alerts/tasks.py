"""Celery tasks of the alert engine: the hourly sweep and the on-change evaluation of one project.

Two runs never double-raise: each project is evaluated under its row lock (engine.evaluate_project), and the
sweep of an agency claims its hour in the shared cache (`cache.add` is atomic on Redis), so a duplicate beat
delivery or a second beat process finds the hour taken and does nothing."""
import logging

from django.core.cache import cache
from django.utils import timezone

from mrm.celery import app
from mrm.tenancy.tasks import AgencyTask

logger = logging.getLogger(__name__)
SWEEP_CLAIM_SECONDS = 55 * 60


def sweep_claim_key(*, agency_id: int, now=None) -> str:
    return f"alerts:sweep:{agency_id}:{(now or timezone.now()):%Y%m%d%H}"


@app.task(base=AgencyTask, bind=True, acks_late=True)
def alerts_evaluate_project_task(self, *, agency_id: int, project_id: str) -> dict | None:
    """Evaluate one project now (queued on change, debounced by projects.alerts.signals); safe to repeat."""
    from projects.models import Project

    from .engine import evaluate_project

    project = Project.objects.filter(agency_id=agency_id, pk=project_id).first()
    if project is None:
        return None
    result = evaluate_project(project=project)
    return {"raised": result.raised, "updated": result.updated, "resolved": result.resolved}


@app.task(base=AgencyTask, bind=True, acks_late=True)
def alerts_evaluate_agency_task(self, *, agency_id: int) -> dict | None:
    """The agency's sweep for this hour: every open project, in batches; once per hour whatever the deliveries."""
    from mrm.tenancy.models import Agency

    from .engine import evaluate_agency

    if not cache.add(sweep_claim_key(agency_id=agency_id), self.request.id or "run", SWEEP_CLAIM_SECONDS):
        logger.info("alerts: the sweep of agency %s for this hour already ran", agency_id)
        return None
    result = evaluate_agency(agency=Agency.objects.get(pk=agency_id))
    return {"raised": result.raised, "updated": result.updated, "resolved": result.resolved}


@app.task
def alerts_sweep_task() -> int:
    """Beat (hourly): one sweep task per agency, each in its own scope."""
    from mrm.tenancy.models import Agency

    ids = list(Agency.objects.values_list("pk", flat=True))
    for agency_id in ids:
        alerts_evaluate_agency_task.delay(agency_id=agency_id)
    return len(ids)
