"""Reads of AM tasks and follow-ups. A member sees the tasks assigned to them and the tasks on the clients
they may see; directors see every task of the agency."""
from datetime import datetime, time, timedelta

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from mrm.tenancy.fences import refuse_client
from mrm.tenancy.models import Agency, Membership, Role

from ..models import Task
from .companies import client_list

TASK_SORTS = ("due_at", "-due_at", "priority", "title", "-created_at")


def task_list(*, agency: Agency, membership: Membership) -> QuerySet[Task]:
    refuse_client(membership)
    qs = Task.objects.filter(agency=agency).select_related("client", "deal", "assignee")
    if membership.role == Role.DIRECTOR:
        return qs
    visible = client_list(agency=agency, membership=membership).values("pk")
    return qs.filter(Q(assignee_id=membership.user_id) | Q(client__in=visible))


def task_get(*, agency: Agency, membership: Membership, task_id) -> Task:
    refuse_client(membership)
    task = task_list(agency=agency, membership=membership).filter(pk=task_id).first()
    if task is None:
        raise Http404
    return task


def day_bounds(day=None) -> tuple[datetime, datetime]:
    """Start and end of a day in the current (user's) time zone, as aware datetimes."""
    day = day or timezone.localdate()
    tz = timezone.get_current_timezone()
    start = datetime.combine(day, time.min, tzinfo=tz)
    return start, start + timedelta(days=1)


def task_filter(qs: QuerySet[Task], *, filters: dict, user) -> QuerySet[Task]:
    """The task list's URL filters: whose (mine/all), state (open/done/all), overdue, client, type."""
    if filters.get("scope", "mine") != "all":
        qs = qs.filter(assignee=user)
    state = filters.get("state") or "open"
    if state == "open":
        qs = qs.filter(done_at__isnull=True)
    elif state == "done":
        qs = qs.filter(done_at__isnull=False)
    if filters.get("overdue"):
        qs = qs.filter(done_at__isnull=True, due_at__lt=timezone.now())
    if filters.get("client"):
        qs = qs.filter(client_id=filters["client"])
    if filters.get("kind"):
        qs = qs.filter(kind=filters["kind"])
    if filters.get("q"):
        qs = qs.filter(Q(title__icontains=filters["q"]) | Q(client__name__icontains=filters["q"]))
    sort = filters.get("sort") or ("-done_at" if state == "done" else "due_at")
    if sort == "due_at":
        return qs.order_by(F("due_at").asc(nulls_last=True), "-created_at")
    if sort == "-due_at":
        return qs.order_by(F("due_at").desc(nulls_last=True), "-created_at")
    if sort == "priority":
        # high → normal → low, then by due date
        rank = Case(When(priority=Task.Priority.HIGH, then=Value(0)), When(priority=Task.Priority.NORMAL, then=Value(1)),
                    default=Value(2), output_field=IntegerField())
        return qs.order_by(rank, F("due_at").asc(nulls_last=True))
    if sort == "-done_at":
        return qs.order_by(F("done_at").desc(nulls_last=True), "-created_at")
    return qs.order_by(sort, "pk")


def client_open_tasks(*, agency: Agency, membership: Membership, client, limit: int = 8) -> tuple[list[Task], int]:
    """Open tasks of one client, soonest first, and how many there are (two queries). `client` is one the member
    sees (client_get), so every task on it is visible: no second visibility filter."""
    refuse_client(membership)
    qs = Task.objects.filter(agency=agency, client=client, done_at__isnull=True).select_related("deal", "assignee")
    rows = list(qs.order_by(F("due_at").asc(nulls_last=True), "-created_at")[:limit])
    total = len(rows) if len(rows) < limit else qs.aggregate(n=Count("pk"))["n"]
    return rows, total
