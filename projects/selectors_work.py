"""Reads of the work area: milestones, the task board and list, "My tasks", a task's dependencies, comments and
files. Every function takes a project already loaded through projects.selectors.project_get (visibility), or
filters by the same visibility rule ("My tasks")."""
import uuid
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When, Window
from django.db.models.functions import RowNumber
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from mrm.tenancy.fences import refuse_client
from mrm.tenancy.models import STAFF_ROLES, Agency, Membership

from .models import Comment, Milestone, Project, ProjectTask, TaskAttachment, TaskDependency, Workstream
from .selectors import project_visibility_q

BOARD_COLUMN_LIMIT = 20
BOARD_COLUMN_MAX = 500


def staff_users(*, agency: Agency) -> QuerySet:
    """The agency's active staff: who can be assigned a task or @mentioned."""
    members = Membership.objects.filter(agency=agency, is_active=True, role__in=STAFF_ROLES)
    return get_user_model().objects.filter(pk__in=members.values("user_id")).order_by("full_name", "email")


def workstream_list(*, agency: Agency, project: Project) -> QuerySet[Workstream]:
    return Workstream.objects.filter(agency=agency, project=project)


def milestone_list(*, agency: Agency, project: Project) -> QuerySet[Milestone]:
    return (Milestone.objects.filter(agency=agency, project=project).select_related("workstream")
            .annotate(task_count=Count("tasks"),
                      open_count=Count("tasks", filter=Q(tasks__status__in=ProjectTask.OPEN_STATUSES)))
            .order_by(F("due_date").asc(nulls_last=True), "order", "created_at"))


def milestone_get(*, agency: Agency, project: Project, milestone_id) -> Milestone:
    milestone = Milestone.objects.filter(agency=agency, project=project, pk=milestone_id).first()
    if milestone is None:
        raise Http404
    return milestone


def _task_rows(qs: QuerySet[ProjectTask]) -> QuerySet[ProjectTask]:
    return qs.select_related("assignee", "milestone", "workstream", "role")


def task_get(*, agency: Agency, project: Project, task_id) -> ProjectTask:
    task = _task_rows(ProjectTask.objects.filter(agency=agency, project=project, pk=task_id)).first()
    if task is None:
        raise Http404
    return task


@dataclass
class BoardColumn:
    status: str
    label: str
    tasks: list = field(default_factory=list)
    total: int = 0
    limit: int = BOARD_COLUMN_LIMIT

    @property
    def more(self) -> int:
        return max(self.total - len(self.tasks), 0)

    @property
    def next_limit(self) -> int:
        return min(self.limit + BOARD_COLUMN_LIMIT, BOARD_COLUMN_MAX)


def board_limits(params) -> dict[str, int]:
    """Per-column limits from the query string (`show_<status>=40`), clamped."""
    limits = {}
    for status in ProjectTask.Status.values:
        try:
            value = int(params.get(f"show_{status}", BOARD_COLUMN_LIMIT))
        except (TypeError, ValueError):
            value = BOARD_COLUMN_LIMIT
        limits[status] = min(max(value, 1), BOARD_COLUMN_MAX)
    return limits


def task_board(*, agency: Agency, project: Project, limits: dict[str, int] | None = None,
               qs: QuerySet[ProjectTask] | None = None) -> list[BoardColumn]:
    """The board's columns by status: the first `limit` cards of each column in one query (a row number per
    column), and every column's total in another."""
    limits = limits or {s: BOARD_COLUMN_LIMIT for s in ProjectTask.Status.values}
    base = qs if qs is not None else ProjectTask.objects.filter(agency=agency, project=project)
    column_limit = Case(*[When(status=s, then=Value(n)) for s, n in limits.items()],
                        default=Value(BOARD_COLUMN_LIMIT), output_field=IntegerField())
    rows = (_task_rows(base)
            .annotate(column_row=Window(RowNumber(), partition_by=[F("status")],
                                        order_by=[F("position").asc(), F("created_at").asc()]),
                      column_limit=column_limit)
            .filter(column_row__lte=F("column_limit"))
            .order_by("status", "position", "created_at"))
    totals = dict(base.order_by().values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    columns = {s: BoardColumn(status=s, label=label, total=totals.get(s, 0), limit=limits.get(s, BOARD_COLUMN_LIMIT))
               for s, label in ProjectTask.Status.choices}
    for task in rows:
        columns[task.status].tasks.append(task)
    return list(columns.values())


TASK_SORTS = {
    "due": (F("due_date").asc(nulls_last=True), "position"),
    "-due": (F("due_date").desc(nulls_last=True), "position"),
    "title": ("title",),
    "status": ("status", "position"),
    "assignee": (F("assignee__full_name").asc(nulls_last=True), "position"),
    "created": ("-created_at",),
    "position": ("position", "created_at"),
}


def task_filter(qs: QuerySet[ProjectTask], params) -> tuple[QuerySet[ProjectTask], dict]:
    """Apply the list's filters (status, assignee, milestone, workstream, overdue), search and sort from
    `params` (request.GET); returns the queryset and the cleaned values for the form."""
    chosen = {}
    status = params.get("status", "")
    if status == "open":
        qs = qs.filter(status__in=ProjectTask.OPEN_STATUSES)
    elif status in ProjectTask.Status.values:
        qs = qs.filter(status=status)
    else:
        status = ""
    chosen["status"] = status
    assignee = params.get("assignee", "")
    if assignee == "none":
        qs = qs.filter(assignee__isnull=True)
    elif assignee.isdigit():
        qs = qs.filter(assignee_id=int(assignee))
    else:
        assignee = ""
    chosen["assignee"] = assignee
    for name in ("milestone", "workstream"):
        value = params.get(name, "")
        try:
            if value == "none":
                qs = qs.filter(**{f"{name}__isnull": True})
            elif value:
                qs = qs.filter(**{f"{name}_id": uuid.UUID(value)})
        except ValueError:
            value = ""
        chosen[name] = value
    overdue = params.get("overdue") in ("1", "on", "true")
    if overdue:
        qs = qs.filter(status__in=ProjectTask.OPEN_STATUSES, due_date__lt=timezone.localdate())
    chosen["overdue"] = overdue
    q = (params.get("q") or "").strip()[:100]
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(description__icontains=q))
    chosen["q"] = q
    sort = params.get("sort", "position")
    if sort not in TASK_SORTS:
        sort = "position"
    chosen["sort"] = sort
    return qs.order_by(*TASK_SORTS[sort], "pk"), chosen


def task_list(*, agency: Agency, project: Project) -> QuerySet[ProjectTask]:
    return _task_rows(ProjectTask.objects.filter(agency=agency, project=project))


def my_task_list(*, agency: Agency, membership: Membership) -> QuerySet[ProjectTask]:
    """The person's own tasks across the projects they see."""
    refuse_client(membership)
    return (_task_rows(ProjectTask.objects.filter(agency=agency, assignee_id=membership.user_id))
            .filter(project_visibility_q(membership=membership, prefix="project__"))
            .select_related("project", "project__client"))


def task_date_warnings(*, task: ProjectTask, project: Project) -> list[str]:
    """Dates outside the project's start / planned end: shown as a warning, never refused."""
    warnings = []
    if project.start_date and any(d and d < project.start_date for d in (task.start_date, task.due_date)):
        warnings.append(_("The task's dates begin before the project starts (%(date)s).")
                        % {"date": project.start_date.strftime("%d.%m.%Y")})
    if project.end_date and any(d and d > project.end_date for d in (task.start_date, task.due_date)):
        warnings.append(_("The task's dates go past the project's planned end (%(date)s).")
                        % {"date": project.end_date.strftime("%d.%m.%Y")})
    return warnings


def milestone_date_warnings(*, milestone: Milestone, project: Project) -> list[str]:
    due = milestone.due_date
    if due and ((project.start_date and due < project.start_date) or (project.end_date and due > project.end_date)):
        return [_("The milestone's date is outside the project's dates.")]
    return []


@dataclass
class DependencyRow:
    dependency: TaskDependency
    task: ProjectTask
    conflict: bool  # the successor starts before the predecessor is due


def task_dependencies(*, agency: Agency, task: ProjectTask) -> tuple[list[DependencyRow], list[DependencyRow]]:
    """(what this task waits for, what waits for it), each flagged when a successor's start comes before its
    predecessor's due date."""
    links = (TaskDependency.objects.filter(agency=agency).filter(Q(successor=task) | Q(predecessor=task))
             .select_related("predecessor", "successor", "predecessor__assignee", "successor__assignee")
             .order_by("created_at"))
    before, after = [], []
    for link in links:
        conflict = bool(link.successor.start_date and link.predecessor.due_date
                        and link.successor.start_date < link.predecessor.due_date)
        if link.successor_id == task.pk:
            before.append(DependencyRow(link, link.predecessor, conflict))
        else:
            after.append(DependencyRow(link, link.successor, conflict))
    return before, after


def dependency_get(*, agency: Agency, task: ProjectTask, dependency_id) -> TaskDependency:
    link = (TaskDependency.objects.filter(agency=agency, pk=dependency_id)
            .filter(Q(successor=task) | Q(predecessor=task)).select_related("predecessor", "successor").first())
    if link is None:
        raise Http404
    return link


def comment_list(*, agency: Agency, task: ProjectTask) -> QuerySet[Comment]:
    return Comment.objects.filter(agency=agency, task=task).select_related("author").order_by("created_at")


def comment_get(*, agency: Agency, task: ProjectTask, comment_id) -> Comment:
    comment = Comment.objects.filter(agency=agency, task=task, pk=comment_id).first()
    if comment is None:
        raise Http404
    return comment


def attachment_list(*, agency: Agency, task: ProjectTask) -> QuerySet[TaskAttachment]:
    return TaskAttachment.objects.filter(agency=agency, task=task).select_related("uploaded_by")


def attachment_get(*, agency: Agency, task: ProjectTask, attachment_id) -> TaskAttachment:
    attachment = TaskAttachment.objects.filter(agency=agency, task=task, pk=attachment_id).select_related(
        "task").first()
    if attachment is None:
        raise Http404
    return attachment
