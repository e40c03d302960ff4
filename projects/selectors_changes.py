"""Reads for change requests: the project's requests (the project itself comes from `projects.selectors`, which
decides visibility) and the hidden cost of unpriced extra work. The client portal's reads are in
portal/selectors/changes.py."""
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import DecimalField, F, Q, QuerySet, Sum
from django.http import Http404

from mrm.tenancy.models import Agency
from proposals.services.pricing import money_round

from .models import ChangeRequest, ChangeRequestLine, Project, ProjectTask, TimeEntry

OPEN_STATUSES = (ChangeRequest.Status.DRAFT, ChangeRequest.Status.SENT)


def change_request_list(*, agency: Agency, project: Project) -> QuerySet[ChangeRequest]:
    return ChangeRequest.objects.filter(agency=agency, project=project).select_related("decided_by", "decided_contact")


def change_request_get(*, agency: Agency, project: Project, change_request_id) -> ChangeRequest:
    """A change request of a project already loaded through `project_get` (so visible), or 404."""
    change_request = change_request_list(agency=agency, project=project).filter(pk=change_request_id).first()
    if change_request is None:
        raise Http404
    change_request.project = project
    return change_request


def line_list(*, change_request: ChangeRequest) -> QuerySet[ChangeRequestLine]:
    return ChangeRequestLine.objects.filter(agency_id=change_request.agency_id, change_request=change_request)


def line_get(*, change_request: ChangeRequest, line_id) -> ChangeRequestLine:
    line = line_list(change_request=change_request).filter(pk=line_id).first()
    if line is None:
        raise Http404
    return line


# --- hidden cost ------------------------------------------------------------------------------------

@dataclass
class ExtraWork:
    task: ProjectTask
    hours: Decimal
    cost: Decimal  # internal cost of the logged time, at the rates of the moment
    value: Decimal  # what that time is worth at sell rates
    role_id: object  # the task's role, else the role most of its time was logged as
    in_request: int | None  # the number of a draft / sent change request that already prices it


@dataclass
class HiddenCost:
    hours: Decimal
    cost: Decimal
    value: Decimal
    tasks: list[ExtraWork]

    @property
    def unpriced(self) -> list[ExtraWork]:
        return [item for item in self.tasks if item.in_request is None]


def unpriced_extra_work_q(*, agency: Agency, project: Project | None = None) -> Q:
    """The time entries that are unpriced extra work (on an out-of-scope task no approved change request prices);
    for every project of the agency when `project` is None (the portfolio page sums them per client)."""
    covered = ChangeRequestLine.objects.filter(agency=agency, change_request__status=ChangeRequest.Status.APPROVED,
                                               source_task__isnull=False)
    if project is not None:
        covered = covered.filter(change_request__project=project)
    return Q(task__out_of_scope=True, started_at__isnull=True) & ~Q(task_id__in=covered.values("source_task_id"))


def extra_work_by_task(*, agency: Agency, project: Project) -> list[ExtraWork]:
    """Time logged on the project's out-of-scope tasks that no approved change request prices. Four queries
    whatever the number of tasks."""
    money = DecimalField(max_digits=16, decimal_places=4)
    entries = TimeEntry.objects.filter(agency=agency, project=project).filter(
        unpriced_extra_work_q(agency=agency, project=project))
    rows = list(entries.values("task_id").annotate(
        logged=Sum("hours"), cost=Sum(F("hours") * F("cost_rate"), output_field=money),
        worth=Sum(F("hours") * F("sell_rate"), output_field=money)).order_by())
    rows = [r for r in rows if r["logged"]]
    if not rows:
        return []
    main_role: dict = {}
    for row in entries.filter(role__isnull=False).values("task_id", "role_id").annotate(logged=Sum("hours")).order_by("-logged"):
        main_role.setdefault(row["task_id"], row["role_id"])
    tasks = ProjectTask.objects.filter(agency=agency, project=project).in_bulk([r["task_id"] for r in rows])
    pending = dict(ChangeRequestLine.objects.filter(
        agency=agency, change_request__project=project, change_request__status__in=OPEN_STATUSES,
        source_task_id__in=list(tasks)).values_list("source_task_id", "change_request__number"))
    result = [ExtraWork(task=tasks[r["task_id"]], hours=Decimal(r["logged"]), cost=money_round(r["cost"] or 0),
                        value=money_round(r["worth"] or 0),
                        role_id=tasks[r["task_id"]].role_id or main_role.get(r["task_id"]),
                        in_request=pending.get(r["task_id"])) for r in rows]
    return sorted(result, key=lambda item: (-item.hours, item.task.title))


def hidden_cost(*, agency: Agency, project: Project) -> HiddenCost:
    """Unpriced extra work: hours, internal cost and sell value of time on out-of-scope tasks not covered by an
    approved change request (including tasks already on a draft or sent one: not approved is not priced)."""
    items = extra_work_by_task(agency=agency, project=project)
    return HiddenCost(hours=sum((i.hours for i in items), Decimal("0")),
                      cost=sum((i.cost for i in items), Decimal("0.00")),
                      value=sum((i.value for i in items), Decimal("0.00")), tasks=items)
