"""Writes of AM tasks and follow-ups: create, edit, complete, reopen."""
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mrm.core.errors import ServiceError
from mrm.tenancy.models import STAFF_ROLES, Agency, Membership
from mrm.tenancy.services import apply_changes, audit

from ..models import Task

TASK_FIELDS = ("title", "kind", "notes", "due_at", "priority", "assignee", "client", "deal")


def _check(*, agency: Agency, data: dict, task: Task | None = None) -> dict:
    assignee = data.get("assignee")
    if assignee is not None and not Membership.objects.filter(agency=agency, user=assignee, is_active=True,
                                                              role__in=STAFF_ROLES).exists():
        raise ServiceError(_("Assign the task to an active member of the agency team."), field="assignee")
    client = data.get("client", task.client if task else None)
    deal = data.get("deal", task.deal if task else None)
    if client is not None and client.agency_id != agency.pk:
        raise ServiceError(_("Choose a client of this agency."), field="client")
    if deal is not None:
        if deal.agency_id != agency.pk:
            raise ServiceError(_("Choose a deal of this agency."), field="deal")
        if client is None:
            data["client"] = deal.client  # a deal's task is the client's task too
        elif deal.client_id != client.pk:
            raise ServiceError(_("The deal belongs to another client."), field="deal")
    due = data.get("due_at")
    if due is not None and (task is None or due != task.due_at):
        start_of_today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
        if due < start_of_today:
            raise ServiceError(_("The due date is in the past. Pick today or a later day."), field="due_at")
        if due > timezone.now() + timedelta(days=3660):
            raise ServiceError(_("The due date is more than ten years away."), field="due_at")
    return data


@transaction.atomic
def task_create(*, agency: Agency, actor, data: dict) -> Task:
    """A new task; without an assignee it is the author's own."""
    data = {k: v for k, v in data.items() if k in TASK_FIELDS}
    if data.get("assignee") is None:
        data["assignee"] = actor
    data = _check(agency=agency, data=data)
    task = Task.objects.create(agency=agency, **data)
    audit(agency=agency, actor=actor, action="task.created", target=task)
    return task


@transaction.atomic
def task_update(*, agency: Agency, actor, task: Task, data: dict) -> Task:
    task = Task.objects.select_for_update().get(agency=agency, pk=task.pk)
    data = _check(agency=agency, data={k: v for k, v in data.items() if k in TASK_FIELDS}, task=task)
    changes = apply_changes(task, data)
    if changes:
        task.save()
        audit(agency=agency, actor=actor, action="task.updated", target=task, changes=changes)
    return task


@transaction.atomic
def task_complete(*, agency: Agency, actor, task: Task) -> Task:
    """Mark done; completing a done task changes nothing (compare-and-set, safe to repeat)."""
    now = timezone.now()
    if Task.objects.filter(agency=agency, pk=task.pk, done_at__isnull=True).update(done_at=now, done_by=actor,
                                                                                   updated_at=now):
        audit(agency=agency, actor=actor, action="task.completed", target=task)
    task.refresh_from_db()
    return task


@transaction.atomic
def task_reopen(*, agency: Agency, actor, task: Task) -> Task:
    now = timezone.now()
    if Task.objects.filter(agency=agency, pk=task.pk, done_at__isnull=False).update(done_at=None, done_by=None,
                                                                                    updated_at=now):
        audit(agency=agency, actor=actor, action="task.reopened", target=task)
    task.refresh_from_db()
    return task
