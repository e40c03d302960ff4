"""Bulk actions on many clients, deals or tasks at once (the list pages' checkboxes).

Every record goes through the ordinary one-record service (`client_update`, `task_update`, `task_complete`), so
each one gets its history rows and its audit row exactly as if it had been edited by hand; the whole batch runs
in one transaction, so a failure on one record leaves none of them changed.
"""
import datetime
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from mrm.tenancy.models import Agency

from ..models import Client, Deal, Task
from .companies import client_update
from .deals import deal_move, deal_update
from .tasks import task_complete, task_update

MAX_BULK_IDS = 500
DEFAULT_DUE_TIME = datetime.time(18, 0)


@transaction.atomic
def client_bulk_update(*, agency: Agency, actor, clients: Iterable[Client], data: dict) -> int:
    """Apply the same field changes (owner, status, churn reason) to each client; returns how many changed."""
    changed = 0
    for client in clients:
        before = (client.owner_id, client.status)
        client = client_update(agency=agency, actor=actor, client=client, data=data)
        changed += before != (client.owner_id, client.status)
    return changed


@transaction.atomic
def client_bulk_add_tag(*, agency: Agency, actor, clients: Iterable[Client], tag_name: str) -> int:
    """Add one tag to each client (keeping its other tags); returns how many did not have it yet."""
    changed = 0
    for client in clients:
        names = set(client.tags.values_list("name", flat=True))
        if tag_name in names:
            continue
        client_update(agency=agency, actor=actor, client=client, data={}, tag_names=sorted(names | {tag_name}))
        changed += 1
    return changed


@transaction.atomic
def task_bulk_assign(*, agency: Agency, actor, tasks: Iterable[Task], assignee) -> int:
    changed = 0
    for task in tasks:
        if task.assignee_id != assignee.pk:
            task_update(agency=agency, actor=actor, task=task, data={"assignee": assignee})
            changed += 1
    return changed


@transaction.atomic
def task_bulk_set_due(*, agency: Agency, actor, tasks: Iterable[Task], due_date: datetime.date) -> int:
    """Move each task to `due_date`, keeping its time of day (a task without a due time gets the end of the day)."""
    changed = 0
    for task in tasks:
        at = timezone.localtime(task.due_at).time() if task.due_at else DEFAULT_DUE_TIME
        due_at = timezone.make_aware(datetime.datetime.combine(due_date, at))
        if task.due_at != due_at:
            task_update(agency=agency, actor=actor, task=task, data={"due_at": due_at})
            changed += 1
    return changed


@transaction.atomic
def task_bulk_complete(*, agency: Agency, actor, tasks: Iterable[Task]) -> int:
    changed = 0
    for task in tasks:
        if task.done_at is None:
            task_complete(agency=agency, actor=actor, task=task)
            changed += 1
    return changed


@transaction.atomic
def deal_bulk_assign(*, agency: Agency, actor, deals: Iterable[Deal], owner) -> int:
    """Give each deal a new owner (through `deal_update`: its audit row); returns how many changed."""
    changed = 0
    for deal in deals:
        if deal.owner_id != owner.pk:
            deal_update(agency=agency, actor=actor, deal=deal, data={"owner": owner})
            changed += 1
    return changed


@transaction.atomic
def deal_bulk_move(*, agency: Agency, actor, deals: Iterable[Deal], stage: str, lost_reason: str = "") -> int:
    """Move each deal to the step `stage` of its own pipeline (through `deal_move`: the stage history, the audit
    row, a won deal's lead client to onboarding). A deal whose pipeline has no such step stays where it is.
    Returns how many moved."""
    changed = 0
    for deal in deals:
        before = deal.stage
        moved = deal_move(agency=agency, actor=actor, deal=deal, stage=stage, lost_reason=lost_reason)
        changed += moved.stage != before
    return changed
