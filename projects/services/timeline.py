"""The project timeline: a Gantt-like picture of workstreams, milestones and tasks, computed here as plain data
(pixel coordinates included) so the staff page, the portal and the API draw the same thing without any chart
library.

`timeline_build` is a pure function over already loaded rows (unit-tested without a database);
`timeline_for_project` loads them with a constant number of queries; `timeline_set_baseline` is the one write.

Rules:
- the date range is the project's start/end joined with every date of every item, snapped to whole scale units;
- a task without a start or a due date gets one from its duration (estimate at 8 h a working day, at least one
  day; one working day in the client's view, which never shows anything derived from hours), anchored on the
  date it has, else on its milestone's due date, else on the project start; such dates are marked assumed;
- slippage is the number of working days (projects.calendar) between the baseline due date and the current
  one, positive when later, and only between real dates;
- `client_view=True` keeps only client-visible tasks and milestones, drops workstreams left empty and links to
  hidden tasks, and carries no estimate or hours.
"""
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property

from django.db import transaction
from django.db.models import F
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from mrm.tenancy.models import Agency
from mrm.tenancy.services import audit

from ..calendar import WorkCalendar, work_calendar
from ..models import Milestone, Project, ProjectTask, TaskDependency, Workstream

ZOOMS = ("day", "week", "month")
PX_PER_DAY = {"day": 30, "week": 9, "month": 3}  # the least; a short range is stretched towards FILL_WIDTH
FILL_WIDTH = 680  # px of chart visible beside the labels at 1280 px
LABEL_PAD = 140  # room right of the last day for the labels drawn after bars
# Auto zoom: the finest scale whose picture stays about a screen wide at 1280 px.
AUTO_MAX_DAYS = {"day": 35, "week": 120}
MAX_DAYS = {"day": 400, "week": 1500}
HEADER_H = 44
ROW_H = 28
BAR_H = 14
HOURS_PER_DAY = 8
LABELS_W = 300  # the label column of the page (static/css/timeline.css)
PRINT_WIDTH = 1040  # px of a landscape A4 page inside its margins


def _dmy(day: date | None) -> str:
    return day.strftime("%d.%m.%Y") if day else ""


@dataclass
class TimelineItem:
    """One row: a task bar or a milestone diamond. Task-only fields are empty for milestones."""

    kind: str  # "task" | "milestone"
    id: object
    title: str
    y: int  # top of the row
    status: str
    status_label: str
    assignee_name: str = ""
    start: date | None = None
    end: date | None = None
    start_assumed: bool = False
    end_assumed: bool = False
    undated: bool = False  # a milestone without a due date: listed, not drawn
    baseline_start: date | None = None
    baseline_end: date | None = None
    slip_days: int | None = None
    overdue: bool = False
    done: bool = False
    outside_project: bool = False
    x: float | None = None  # a task: left edge of the bar; a milestone: centre of the diamond
    width: float = 0
    baseline_x: float | None = None
    baseline_width: float = 0

    @property
    def assumed(self) -> bool:
        return self.start_assumed or self.end_assumed

    @property
    def slipped(self) -> bool:
        return bool(self.slip_days and self.slip_days > 0)

    @property
    def bar_y(self) -> float:
        return self.y + (ROW_H - BAR_H) / 2 - 2

    @property
    def mid_y(self) -> float:
        return self.y + ROW_H / 2 - 2

    @property
    def label_y(self) -> float:
        return self.mid_y + 4

    @property
    def baseline_y(self) -> float:
        return self.bar_y + BAR_H + 1

    @property
    def label_x(self) -> float:
        """Where a label after the bar (or diamond) starts."""
        return (self.x or 0) + (self.width if self.kind == "task" else 8) + 4

    @property
    def diamond_points(self) -> str:
        if self.x is None:
            return ""
        x, y, r = self.x, self.mid_y, 7
        return f"{x:.1f},{y - r:.1f} {x + r:.1f},{y:.1f} {x:.1f},{y + r:.1f} {x - r:.1f},{y:.1f}"

    @property
    def baseline_diamond_points(self) -> str:
        if self.baseline_x is None:
            return ""
        x, y, r = self.baseline_x, self.mid_y, 5
        return f"{x:.1f},{y - r:.1f} {x + r:.1f},{y:.1f} {x:.1f},{y + r:.1f} {x - r:.1f},{y:.1f}"

    @cached_property
    def tooltip(self) -> str:
        """The hover text of the bar (plain text: the template escapes it). Built here, not in the template: a
        300-task timeline renders it 300+ times."""
        head = " · ".join(p for p in (self.title, self.assignee_name, self.status_label) if p)
        if self.undated:
            when = _("No date yet")
        elif self.kind == "milestone":
            when = _dmy(self.end)
        else:
            when = f"{_dmy(self.start)} – {_dmy(self.end)}"
        if self.assumed:
            when += f" ({_('dates assumed: not all are set')})"
        lines = [head, when]
        if self.baseline_end:
            since = f"{_dmy(self.baseline_start)} – " if self.kind == "task" and self.baseline_start else ""
            lines.append(f"{_('Baseline')}: {since}{_dmy(self.baseline_end)}")
        if self.slip_days:
            lines.append(_("Slippage: %(d)s working days") % {"d": self.slip_days})
        if self.overdue:
            lines.append(_("Overdue"))
        return "\n".join(lines)

    @cached_property
    def bar_label(self) -> str:
        """The text after the bar: a milestone's date, a task's assignee; the slippage."""
        text = self.end.strftime("%d.%m") if self.kind == "milestone" and self.end else (
            self.assignee_name if self.kind == "task" else "")
        return f"{text} +{self.slip_days}" if self.slipped else text

    @cached_property
    def css(self) -> str:
        classes = [f"tl-{self.kind}"]
        if self.done:
            classes.append("tl-done")
        elif self.overdue:
            classes.append("tl-overdue")
        if self.slipped:
            classes.append("tl-slipped")
        if self.assumed:
            classes.append("tl-assumed")
        if self.outside_project:
            classes.append("tl-outside")
        return " ".join(classes)


@dataclass
class TimelineGroup:
    """A workstream (or "no workstream", id None) and its rows."""

    id: object
    name: str
    y: int
    items: list[TimelineItem] = field(default_factory=list)


@dataclass(frozen=True)
class TimelineLink:
    """A finish-to-start dependency drawn from the predecessor's end to the successor's start."""

    predecessor_id: object
    successor_id: object
    x1: float
    y1: float
    x2: float
    y2: float
    path: str
    violated: bool  # the successor starts before the predecessor is due


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class Band:
    x: float
    width: float
    label: str


@dataclass(frozen=True)
class Span:
    x: float
    width: float


@dataclass
class Timeline:
    client_view: bool
    zoom: str
    zoom_auto: bool
    today: date
    project_start: date | None
    project_end: date | None
    start: date | None = None
    end: date | None = None
    today_x: float | None = None
    px_per_day: int = 0
    width: float = 0
    height: int = 0
    header_height: int = HEADER_H
    row_height: int = ROW_H
    ticks: list[Tick] = field(default_factory=list)
    bands: list[Band] = field(default_factory=list)
    off_days: list[Span] = field(default_factory=list)
    groups: list[TimelineGroup] = field(default_factory=list)
    links: list[TimelineLink] = field(default_factory=list)
    task_count: int = 0
    milestone_count: int = 0
    slipped_count: int = 0
    overdue_count: int = 0

    @property
    def is_empty(self) -> bool:
        return not self.groups

    @property
    def has_baseline(self) -> bool:
        return any(i.baseline_end is not None for g in self.groups for i in g.items)

    @property
    def svg_width(self) -> float:
        return self.width + LABEL_PAD if self.width else 0

    @property
    def today_in_range(self) -> bool:
        return self.today_x is not None

    def _x(self, day: date | None) -> float | None:
        if day is None or self.start is None or not self.start <= day <= self.end:
            return None
        return (day - self.start).days * self.px_per_day

    @property
    def project_start_x(self) -> float | None:
        return self._x(self.project_start)

    @property
    def project_end_x(self) -> float | None:
        x = self._x(self.project_end)
        return None if x is None else x + self.px_per_day

    @property
    def print_scale(self) -> float:
        """How much the chart shrinks to fit a landscape A4 page (labels column included)."""
        return round(min(1.0, PRINT_WIDTH / (LABELS_W + self.svg_width or 1)), 3)


# --- pure helpers ---------------------------------------------------------------------------------------------

def working_days_between(calendar: WorkCalendar, baseline: date, current: date) -> int:
    """Slippage of `current` against `baseline` in working days: positive later, negative earlier."""
    if current == baseline:
        return 0
    if current > baseline:
        return calendar.count(baseline + timedelta(days=1), current)
    return -calendar.count(current + timedelta(days=1), baseline)


def subtract_working_days(calendar: WorkCalendar, end: date, n: int) -> date:
    """The start of a span of `n + 1` working days that ends on `end` (the mirror of add_working_days)."""
    day = end
    if not calendar.weekdays:
        return day - timedelta(days=n)
    while not calendar.is_working_day(day):
        day -= timedelta(days=1)
    while n > 0:
        day -= timedelta(days=1)
        if calendar.is_working_day(day):
            n -= 1
    return day


def _duration_days(task, client_view: bool) -> int:
    if client_view:
        return 1
    hours = float(getattr(task, "estimate_hours", 0) or 0)
    return max(1, math.ceil(hours / HOURS_PER_DAY))


def _task_dates(task, *, calendar: WorkCalendar, anchor: date, milestone_due: date | None,
                client_view: bool) -> tuple[date, date, bool, bool]:
    """(start, end, start_assumed, end_assumed) for a task, filling a missing date from its duration."""
    start, due = task.start_date, task.due_date
    if start and due:
        return start, max(start, due), False, False
    span = _duration_days(task, client_view) - 1
    has_weekdays = bool(calendar.weekdays)
    if start:
        end = calendar.add_working_days(start, span) if has_weekdays else start + timedelta(days=span)
        return start, max(start, end), False, True
    if due:
        return min(due, subtract_working_days(calendar, due, span)), due, True, False
    if milestone_due:
        return min(milestone_due, subtract_working_days(calendar, milestone_due, span)), milestone_due, True, True
    end = calendar.add_working_days(anchor, span) if has_weekdays else anchor + timedelta(days=span)
    return anchor, max(anchor, end), True, True


def choose_zoom(days: int, requested: str | None) -> tuple[str, bool]:
    """The scale asked for (`?zoom=`), else the finest one that fits `days`: (zoom, chosen automatically).

    A scale too fine for the range (days over years: tens of thousands of SVG nodes) is not honoured."""
    if requested in ZOOMS and days <= MAX_DAYS.get(requested, days):
        return requested, False
    for zoom in ("day", "week"):
        if days <= AUTO_MAX_DAYS[zoom]:
            return zoom, True
    return "month", True


def _snap(start: date, end: date, zoom: str) -> tuple[date, date]:
    if zoom == "day":
        start, end = start - timedelta(days=1), end + timedelta(days=1)
        if (end - start).days < 13:  # at least two weeks wide, so a short project is not a sliver
            end = start + timedelta(days=13)
        return start, end
    if zoom == "week":
        start = start - timedelta(days=start.weekday())
        end = end + timedelta(days=6 - end.weekday())
        return start, end
    start = start.replace(day=1)
    nxt = (end.replace(day=1) + timedelta(days=32)).replace(day=1)
    return start, nxt - timedelta(days=1)


def _month_starts(start: date, end: date) -> list[date]:
    months, day = [], start.replace(day=1)
    while day <= end:
        months.append(day)
        day = (day + timedelta(days=32)).replace(day=1)
    return months


def _scale(start: date, end: date, zoom: str, ppd: int) -> tuple[list[Tick], list[Band]]:
    """Ticks (the lower header line) and bands (the upper one: months, or years on the month scale)."""
    def x(day: date) -> float:
        return (day - start).days * ppd

    ticks: list[Tick] = []
    bands: list[Band] = []
    if zoom == "day":
        day = start
        while day <= end:
            ticks.append(Tick(x(day), f"{day.day:02d}"))
            day += timedelta(days=1)
    elif zoom == "week":
        day = start
        while day <= end:
            ticks.append(Tick(x(day), formats.date_format(day, "d.m")))
            day += timedelta(days=7)
    else:
        for month in _month_starts(start, end):
            ticks.append(Tick(x(max(month, start)), formats.date_format(month, "M")))
    if zoom in ("day", "week"):
        for month in _month_starts(start, end):
            left = max(month, start)
            right = min((month + timedelta(days=32)).replace(day=1) - timedelta(days=1), end)
            bands.append(Band(x(left), ((right - left).days + 1) * ppd, formats.date_format(month, "F Y")))
    else:
        year = start.year
        while year <= end.year:
            left, right = max(date(year, 1, 1), start), min(date(year, 12, 31), end)
            bands.append(Band(x(left), ((right - left).days + 1) * ppd, str(year)))
            year += 1
    return ticks, bands


def _off_days(calendar: WorkCalendar, start: date, end: date, ppd: int) -> list[Span]:
    """Runs of non-working days (weekends, holidays) as shaded spans."""
    spans: list[Span] = []
    run_start = None
    day = start
    while day <= end + timedelta(days=1):
        off = day <= end and not calendar.is_working_day(day)
        if off and run_start is None:
            run_start = day
        elif not off and run_start is not None:
            spans.append(Span((run_start - start).days * ppd, (day - run_start).days * ppd))
            run_start = None
        day += timedelta(days=1)
    return spans


def _link_path(x1: float, y1: float, x2: float, y2: float) -> str:
    """An elbow from the end of one bar to the start of another; doubles back when the successor starts first."""
    gap = 6
    if x2 - x1 >= 2 * gap:
        mid = x1 + gap
        return f"M{x1:.1f},{y1:.1f} H{mid:.1f} V{y2:.1f} H{x2:.1f}"
    between = y1 + (ROW_H / 2 if y2 >= y1 else -ROW_H / 2)
    return (f"M{x1:.1f},{y1:.1f} H{x1 + gap:.1f} V{between:.1f} H{x2 - gap:.1f} V{y2:.1f} H{x2:.1f}")


def timeline_build(*, project_start: date | None, project_end: date | None, workstreams: Sequence,
                   milestones: Sequence, tasks: Sequence, dependencies: Iterable[tuple[object, object]],
                   calendar: WorkCalendar, today: date, zoom: str | None = None,
                   client_view: bool = False) -> Timeline:
    """The timeline of already loaded rows (model instances or anything with their attributes)."""
    if client_view:
        milestones = [m for m in milestones if m.client_visible]
        tasks = [t for t in tasks if t.client_visible]
    milestone_due = {m.id: m.due_date for m in milestones}
    anchor = project_start or min(
        [d for t in tasks for d in (t.start_date, t.due_date) if d]
        + [m.due_date for m in milestones if m.due_date] or [today])

    # Dates first (they decide the range), coordinates once the range is known.
    task_dates = {t.id: _task_dates(t, calendar=calendar, anchor=anchor, milestone_due=milestone_due.get(
        t.milestone_id), client_view=client_view) for t in tasks}
    all_dates = [d for d in (project_start, project_end) if d]
    for t in tasks:
        start, end, _s, _e = task_dates[t.id]
        all_dates += [start, end] + [d for d in (t.baseline_start_date, t.baseline_due_date) if d]
    for m in milestones:
        all_dates += [d for d in (m.due_date, m.baseline_due_date) if d]

    auto_zoom = zoom not in ZOOMS
    timeline = Timeline(client_view=client_view, zoom=zoom if zoom in ZOOMS else "week", zoom_auto=auto_zoom,
                        today=today, project_start=project_start, project_end=project_end)
    if not tasks and not milestones:
        return timeline

    first, last = min(all_dates), max(all_dates)
    zoom, auto_zoom = choose_zoom((last - first).days + 1, zoom)
    start, end = _snap(first, last, zoom)
    ppd = max(PX_PER_DAY[zoom], min(PX_PER_DAY[zoom] * 4, FILL_WIDTH // ((end - start).days + 1)))
    timeline.zoom, timeline.zoom_auto, timeline.start, timeline.end, timeline.px_per_day = (
        zoom, auto_zoom, start, end, ppd)
    timeline.width = ((end - start).days + 1) * ppd
    timeline.ticks, timeline.bands = _scale(start, end, zoom, ppd)
    if zoom != "month":
        timeline.off_days = _off_days(calendar, start, end, ppd)
    if start <= today <= end:
        timeline.today_x = (today - start).days * ppd + ppd / 2

    def x(day: date) -> float:
        return (day - start).days * ppd

    def outside(*days: date | None) -> bool:
        return any(d and ((project_start and d < project_start) or (project_end and d > project_end))
                   for d in days)

    # Groups: the workstreams in their order, then "no workstream"; items: milestones by date, then tasks by
    # start (their board position breaking ties). Empty groups are left out.
    by_group: dict[object, tuple[list, list]] = {w.id: ([], []) for w in workstreams}
    by_group[None] = ([], [])
    for m in milestones:
        by_group.get(m.workstream_id, by_group[None])[0].append(m)
    for t in tasks:
        by_group.get(t.workstream_id, by_group[None])[1].append(t)
    names = {w.id: w.name for w in workstreams}
    statuses = dict(ProjectTask.Status.choices)
    y = HEADER_H
    items_by_task: dict[object, TimelineItem] = {}
    for group_id in [w.id for w in workstreams] + [None]:
        group_milestones, group_tasks = by_group[group_id]
        if not group_milestones and not group_tasks:
            continue
        group = TimelineGroup(id=group_id, name=names.get(group_id) or _("No workstream"), y=y)
        y += ROW_H
        for m in sorted(group_milestones, key=lambda m: (m.due_date is None, m.due_date or today,
                                                         getattr(m, "order", 0), m.title)):
            reached = bool(m.reached_at)
            slip = (working_days_between(calendar, m.baseline_due_date, m.due_date)
                    if m.due_date and m.baseline_due_date else None)
            group.items.append(TimelineItem(
                kind="milestone", id=m.id, title=m.title, y=y,
                status="reached" if reached else "open",
                status_label=_("Reached") if reached else _("Not reached yet"),
                start=m.due_date, end=m.due_date, undated=m.due_date is None,
                baseline_start=m.baseline_due_date, baseline_end=m.baseline_due_date, slip_days=slip,
                overdue=bool(not reached and m.due_date and m.due_date < today), done=reached,
                outside_project=outside(m.due_date),
                x=x(m.due_date) + ppd / 2 if m.due_date else None,
                baseline_x=x(m.baseline_due_date) + ppd / 2 if m.baseline_due_date else None))
            y += ROW_H
        for t in sorted(group_tasks, key=lambda t: (task_dates[t.id][0], getattr(t, "position", 0), t.title)):
            t_start, t_end, start_assumed, end_assumed = task_dates[t.id]
            done = t.status == ProjectTask.Status.DONE
            slip = (working_days_between(calendar, t.baseline_due_date, t.due_date)
                    if t.due_date and t.baseline_due_date else None)
            baseline = (t.baseline_start_date or t.baseline_due_date, t.baseline_due_date or t.baseline_start_date)
            assignee = getattr(t, "assignee", None) if t.assignee_id else None
            item = TimelineItem(
                kind="task", id=t.id, title=t.title, y=y, status=t.status,
                status_label=str(statuses.get(t.status, t.status)),
                assignee_name=(assignee.full_name or "") if assignee else "",
                start=t_start, end=t_end, start_assumed=start_assumed, end_assumed=end_assumed,
                baseline_start=t.baseline_start_date, baseline_end=t.baseline_due_date, slip_days=slip,
                overdue=bool(not done and t.due_date and t.due_date < today), done=done,
                outside_project=outside(t_start, t_end),
                x=x(t_start), width=((t_end - t_start).days + 1) * ppd)
            if baseline[0]:
                b_start, b_end = min(baseline), max(baseline)
                item.baseline_x, item.baseline_width = x(b_start), ((b_end - b_start).days + 1) * ppd
            group.items.append(item)
            items_by_task[t.id] = item
            y += ROW_H
        timeline.groups.append(group)
    timeline.height = y + 4

    for predecessor_id, successor_id in dependencies:
        a, b = items_by_task.get(predecessor_id), items_by_task.get(successor_id)
        if a is None or b is None:
            continue  # a hidden task (client view) or one of another project
        x1, y1, x2, y2 = a.x + a.width, a.mid_y, b.x, b.mid_y
        timeline.links.append(TimelineLink(predecessor_id=predecessor_id, successor_id=successor_id,
                                           x1=x1, y1=y1, x2=x2, y2=y2, path=_link_path(x1, y1, x2, y2),
                                           violated=b.start <= a.end))
    items = [i for g in timeline.groups for i in g.items]
    timeline.task_count = sum(1 for i in items if i.kind == "task")
    timeline.milestone_count = len(items) - timeline.task_count
    timeline.slipped_count = sum(1 for i in items if i.slipped)
    timeline.overdue_count = sum(1 for i in items if i.overdue)
    return timeline


# --- loading and writing --------------------------------------------------------------------------------------

def timeline_for_project(*, agency: Agency, project: Project, today: date | None = None, zoom: str | None = None,
                         client_view: bool = False) -> Timeline:
    """The project's timeline in five queries whatever its size (calendar, workstreams, milestones, tasks,
    dependencies). The caller has already checked that the project is visible (projects.selectors)."""
    today = today or timezone.localdate()
    calendar = work_calendar(agency=agency)
    workstreams = list(Workstream.objects.filter(agency=agency, project=project).order_by("order", "created_at"))
    milestones = list(Milestone.objects.filter(agency=agency, project=project))
    tasks = ProjectTask.objects.filter(agency=agency, project=project)
    if client_view:
        milestones = [m for m in milestones if m.client_visible]
        tasks = tasks.filter(client_visible=True)
    tasks = list(tasks.select_related("assignee").only(
        "id", "title", "workstream_id", "milestone_id", "assignee", "assignee__full_name", "estimate_hours", "start_date",
        "due_date", "baseline_start_date", "baseline_due_date", "status", "client_visible", "position"))
    dependencies = list(TaskDependency.objects.filter(agency=agency, successor__project=project)
                        .values_list("predecessor_id", "successor_id"))
    return timeline_build(project_start=project.start_date, project_end=project.end_date, workstreams=workstreams,
                          milestones=milestones, tasks=tasks, dependencies=dependencies, calendar=calendar,
                          today=today, zoom=zoom, client_view=client_view)


def timeline_context(*, agency: Agency, project: Project, zoom: str | None = None, client_view: bool = False,
                     today: date | None = None) -> dict:
    """What templates/projects/_timeline.html needs; the portal passes client_view=True."""
    timeline = timeline_for_project(agency=agency, project=project, today=today, zoom=zoom, client_view=client_view)
    return {"timeline": timeline, "timeline_project": project, "zooms": [
        (z, label) for z, label in (("day", _("Days")), ("week", _("Weeks")), ("month", _("Months")))]}


@transaction.atomic
def timeline_set_baseline(*, agency: Agency, actor, project: Project) -> int:
    """Copy every task's and milestone's current dates into its baseline; returns how many rows it set.

    Idempotent: setting it twice in a row changes nothing the second time."""
    now = timezone.now()
    project = Project.objects.select_for_update().get(agency=agency, pk=project.pk)
    tasks = ProjectTask.objects.filter(agency=agency, project=project).update(
        baseline_start_date=F("start_date"), baseline_due_date=F("due_date"), updated_at=now)
    milestones = Milestone.objects.filter(agency=agency, project=project).update(
        baseline_due_date=F("due_date"), updated_at=now)
    audit(agency=agency, actor=actor, action="project.baseline_set", target=project,
          changes={"count": ("", tasks + milestones)})
    return tasks + milestones
