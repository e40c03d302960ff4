"""On change: when a project's tasks, time entries or milestones (or the project itself) are saved or deleted,
evaluate its alerts again a little later. Debounced per project through the shared cache: the first change
in DEBOUNCE_SECONDS queues one evaluation that runs after the window, so a burst of edits (a board drag, a
week of time entries) costs one run that sees them all. The receiver reads only the instance: no queries."""
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save

DEBOUNCE_SECONDS = 30


def debounce_key(project_id) -> str:
    return f"alerts:debounce:{project_id}"


def schedule_evaluation(*, agency_id: int, project_id) -> bool:
    """Queue the project's evaluation after commit unless one is already pending; True when queued."""
    if not agency_id or not project_id:
        return False
    if not cache.add(debounce_key(project_id), 1, DEBOUNCE_SECONDS):
        return False
    from .tasks import alerts_evaluate_project_task

    alerts_evaluate_project_task.apply_async_on_commit(
        kwargs={"agency_id": agency_id, "project_id": str(project_id)}, countdown=DEBOUNCE_SECONDS)
    return True


def _project_row_changed(sender, instance, **kwargs) -> None:
    schedule_evaluation(agency_id=instance.agency_id, project_id=instance.project_id)


def _project_changed(sender, instance, **kwargs) -> None:
    # A status change (paused, done) resolves or brings back alerts; a deleted project takes them along.
    schedule_evaluation(agency_id=instance.agency_id, project_id=instance.pk)


def connect() -> None:
    """Called once from ProjectsConfig.ready()."""
    from projects.models import Milestone, Project, ProjectTask, TimeEntry

    for model in (ProjectTask, TimeEntry, Milestone):
        post_save.connect(_project_row_changed, sender=model, dispatch_uid=f"alerts-{model.__name__}-save")
        post_delete.connect(_project_row_changed, sender=model, dispatch_uid=f"alerts-{model.__name__}-delete")
    post_save.connect(_project_changed, sender=Project, dispatch_uid="alerts-Project-save")
