"""Capacity for the next weeks: what each active staff member can give to project work against what is already
booked on them — the view a PM opens before promising a date.

- capacity of a week = Membership.weekly_capacity_hours × (the person's working days that week / the agency's
  working days in a full week); working days come from the agency calendar (work days, holidays) minus the
  person's time off; the current week counts from today;
- booked = the remaining estimate of each open task (estimate − hours logged on it, ≥ 0) spread evenly over the
  task's working days from max(start, today) to its due date; an overdue task books all of it today; tasks
  without a due date are listed apart (they cannot be placed in a week).

`capacity_overview` is a constant number of queries whatever the number of people and tasks: members, holidays,
time off, the booked hours per person and week (one SQL aggregate, `capacity_sql`), the undated open tasks,
and the rate-card roles for the filter."""
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.db.models import F, Q

from mrm.tenancy.models import Agency, Membership, Role

from ..calendar import WorkCalendar, work_calendar
from ..models import Project, ProjectMember, ProjectTask, TimeOff
from .capacity_sql import booked_by_week

WEEKS = 8
ZERO = Decimal("0")
TENTH = Decimal("0.1")
OVER = Decimal("1.0")  # booked above capacity
BUSY = Decimal("0.8")  # 80 % and more: nearly full
FREE = Decimal("0.5")  # under half booked: free to take work


@dataclass
class Week:
    monday: date
    capacity: Decimal = ZERO
    booked: Decimal = ZERO
    working_days: int = 0

    @property
    def free(self) -> Decimal:
        return self.capacity - self.booked

    @property
    def load(self) -> Decimal | None:
        if self.capacity <= 0:
            return None
        return self.booked / self.capacity

    @property
    def load_pct(self) -> int | None:
        load = self.load
        return None if load is None else int((load * 100).to_integral_value(ROUND_HALF_UP))

    @property
    def state(self) -> str:
        """over / busy / ok / free / off (no capacity that week)."""
        load = self.load
        if load is None:
            return "over" if self.booked > 0 else "off"
        if load > OVER:
            return "over"
        if load >= BUSY:
            return "busy"
        if load < FREE:
            return "free"
        return "ok"


@dataclass
class UndatedTask:
    task_id: object
    project_id: object
    project_name: str
    title: str
    remaining: Decimal


@dataclass
class PersonCapacity:
    membership: Membership
    weeks: list[Week]
    undated: list[UndatedTask] = field(default_factory=list)
    beyond: Decimal = ZERO  # booked after the last week shown
    error: str = ""  # a refused capacity change, shown in its row

    @property
    def user(self):
        return self.membership.user

    @property
    def capacity(self) -> Decimal:
        return sum((w.capacity for w in self.weeks), ZERO)

    @property
    def booked(self) -> Decimal:
        return sum((w.booked for w in self.weeks), ZERO)

    @property
    def undated_hours(self) -> Decimal:
        return sum((t.remaining for t in self.undated), ZERO)

    @property
    def overbooked_weeks(self) -> int:
        return sum(1 for w in self.weeks if w.state == "over")

    @property
    def state(self) -> str:
        total = Week(monday=self.weeks[0].monday if self.weeks else date.min, capacity=self.capacity,
                     booked=self.booked)
        return total.state


@dataclass
class CapacityOverview:
    mondays: list[date]
    people: list[PersonCapacity]
    today: date


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def person_days(*, calendar: WorkCalendar, off: list[tuple[date, date]], start: date, end: date) -> list[date]:
    """The person's working days from start to end: the agency's, less their time off."""
    return [d for d in calendar.working_days(start, end) if not any(a <= d <= b for a, b in off)]


def spread(*, remaining: Decimal, days: list[date]) -> dict[date, Decimal]:
    """`remaining` hours evenly over `days` (pure)."""
    if remaining <= 0 or not days:
        return {}
    share = remaining / len(days)
    return {d: share for d in days}


def person_weeks(*, membership: Membership, calendar: WorkCalendar, off: list[tuple[date, date]], today: date,
                 weeks: int = WEEKS) -> PersonCapacity:
    """One person's weeks with their capacity and nothing booked yet (pure)."""
    first = monday_of(today)
    full_week = len(calendar.weekdays) or 5
    per_week = Decimal(membership.weekly_capacity_hours or 0)
    rows = []
    for n in range(weeks):
        monday = first + timedelta(days=7 * n)
        days = person_days(calendar=calendar, off=off, start=max(monday, today), end=monday + timedelta(days=6))
        rows.append(Week(monday=monday, working_days=len(days),
                         capacity=(per_week * len(days) / full_week).quantize(TENTH, rounding=ROUND_HALF_UP)))
    return PersonCapacity(membership=membership, weeks=rows)


def _undated(person: PersonCapacity, task: dict, remaining: Decimal) -> None:
    person.undated.append(UndatedTask(task_id=task["id"], project_id=task["project_id"],
                                      project_name=task["project__name"], title=task["title"], remaining=remaining))


def _round(person: PersonCapacity) -> PersonCapacity:
    for week in person.weeks:
        week.booked = week.booked.quantize(TENTH, rounding=ROUND_HALF_UP)
    person.beyond = person.beyond.quantize(TENTH, rounding=ROUND_HALF_UP)
    return person


def person_capacity(*, membership: Membership, calendar: WorkCalendar, off: list[tuple[date, date]],
                    tasks: list[dict], today: date, weeks: int = WEEKS) -> PersonCapacity:
    """One person's weeks (pure: the calendar, their time off and their open tasks are given). The reference
    arithmetic; `capacity_overview` books dated tasks with the same rules in SQL (`capacity_sql`)."""
    first = monday_of(today)
    horizon_end = first + timedelta(days=7 * weeks - 1)
    person = person_weeks(membership=membership, calendar=calendar, off=off, today=today, weeks=weeks)
    rows = person.weeks
    for task in tasks:
        remaining = max(Decimal(task["estimate_hours"] or 0) - Decimal(task["logged"] or 0), ZERO)
        if remaining <= 0:
            continue
        due = task["due_date"]
        if due is None:
            _undated(person, task, remaining)
            continue
        start = max(task["start_date"] or today, today)
        if due < today:  # overdue: the work is still to do, now
            days = [today]
        else:
            days = (person_days(calendar=calendar, off=off, start=start, end=due)
                    or calendar.working_days(start, due) or [max(min(start, due), today)])
        for day, hours in spread(remaining=remaining, days=days).items():
            if day > horizon_end:
                person.beyond += hours
                continue
            rows[(monday_of(day) - first).days // 7].booked += hours
    return _round(person)


def _booked_in_python(*, agency: Agency, members: list[Membership], calendar: WorkCalendar, off, today: date,
                      weeks: int) -> dict:
    tasks = defaultdict(list)
    for task in (ProjectTask.objects.filter(agency=agency, assignee_id__in=[m.user_id for m in members],
                                            due_date__isnull=False, status__in=ProjectTask.OPEN_STATUSES,
                                            project__status__in=Project.OPEN_STATUSES)
                 .annotate(logged=F("logged_hours"))
                 .values("id", "assignee_id", "project_id", "project__name", "title", "estimate_hours",
                         "start_date", "due_date", "logged")):
        tasks[task["assignee_id"]].append(task)
    booked = {}
    for m in members:
        person = person_capacity(membership=m, calendar=calendar, off=off[m.user_id], tasks=tasks[m.user_id],
                                 today=today, weeks=weeks)
        booked[m.user_id] = {**{k: w.booked for k, w in enumerate(person.weeks)}, weeks: person.beyond}
    return booked


def capacity_overview(*, agency: Agency, today: date, role_id=None, weeks: int = WEEKS) -> CapacityOverview:
    """Every active staff member's next `weeks` weeks; `role_id` (a rate-card role) keeps the people who are on a
    project team in that role or have open tasks of it. Six queries."""
    first = monday_of(today)
    last = first + timedelta(days=7 * weeks - 1)
    members = (Membership.objects.filter(agency=agency, is_active=True,
                                         role__in=(Role.DIRECTOR, Role.AM, Role.SPECIALIST))
               .select_related("user").order_by("user__full_name", "user__email"))
    if role_id:
        members = members.filter(
            Q(user_id__in=ProjectMember.objects.filter(agency=agency, role_id=role_id).values("user_id"))
            | Q(user_id__in=ProjectTask.objects.filter(agency=agency, role_id=role_id,
                                                       status__in=ProjectTask.OPEN_STATUSES,
                                                       assignee__isnull=False).values("assignee_id")))
    members = list(members)
    user_ids = [m.user_id for m in members]
    calendar = work_calendar(agency=agency, start=today, end=last + timedelta(days=366))
    off = defaultdict(list)
    for user_id, start, end in (TimeOff.objects.filter(agency=agency, user_id__in=user_ids, end_date__gte=today)
                                .values_list("user_id", "start_date", "end_date")):
        off[user_id].append((start, end))
    # Tasks without a due date are listed apart (they cannot be placed in a week).
    undated = defaultdict(list)
    for task in (ProjectTask.objects.filter(agency=agency, assignee_id__in=user_ids, due_date__isnull=True,
                                            status__in=ProjectTask.OPEN_STATUSES,
                                            project__status__in=Project.OPEN_STATUSES,
                                            estimate_hours__gt=F("logged_hours"))
                 .order_by("title")
                 .values("id", "assignee_id", "project_id", "project__name", "title", "estimate_hours",
                         "logged_hours")):
        undated[task["assignee_id"]].append(task)
    if connection.vendor == "postgresql":
        booked = booked_by_week(agency=agency, user_ids=user_ids, calendar=calendar, off=off, today=today,
                                first=first, weeks=weeks)
    else:  # SQLite (`make run` without a database): the same arithmetic in Python
        booked = _booked_in_python(agency=agency, members=members, calendar=calendar, off=off, today=today,
                                   weeks=weeks)
    people = []
    for m in members:
        person = person_weeks(membership=m, calendar=calendar, off=off[m.user_id], today=today, weeks=weeks)
        for k, value in booked.get(m.user_id, {}).items():
            if k < weeks:
                person.weeks[k].booked += value
            else:
                person.beyond += value
        for task in undated[m.user_id]:
            _undated(person, task, task["estimate_hours"] - task["logged_hours"])
        people.append(_round(person))
    return CapacityOverview(mondays=[first + timedelta(days=7 * n) for n in range(weeks)], people=people,
                            today=today)
