"""Writes of time: entries (quick entry, edit, delete), the running timer, the weekly timesheet, time off.

Rules every path shares (`_check_entry`): the time is the logger's own, on a project they are on (a specialist:
its PM or on its team; directors and AMs: the projects they see), not in the future, at most 24 h a person a
day over all projects, on a task of the same project. A date outside the project's start/end is not refused but
flagged (`TimeEntry.is_outside_project`), since late logging on a finished project is normal.

The per-person daily total is checked while the person's membership row is locked (`_lock_person`), so two
concurrent saves for one person cannot both pass the 24 h check."""
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from mrm.core.errors import ServiceError
from mrm.tenancy.models import Agency, Membership, Role
from mrm.tenancy.services import apply_changes, audit

from ..models import BudgetLine, Project, ProjectMember, ProjectTask, TimeEntry, TimeOff
from .logged import task_logged_refresh

DAY_LIMIT = Decimal("24")
TIMER_STEP = Decimal("0.05")  # 3 minutes: what a stopped timer is rounded to
HOURS_STEP = Decimal("0.01")
ENTRY_FIELDS = ("task", "date", "hours", "note", "billable")
MAX_NOTE = 500
EARLIEST = date(2000, 1, 1)


def agency_tz(agency: Agency):
    try:
        return ZoneInfo(agency.timezone or settings.TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


def agency_today(agency: Agency) -> date:
    return timezone.localdate(timezone=agency_tz(agency))


def parse_hours(value) -> Decimal:
    """'1,5', '1.5', '1:30' (h:mm) and numbers → Decimal hours; ServiceError for anything else."""
    if isinstance(value, Decimal):
        hours = value
    else:
        text = str(value if value is not None else "").strip().replace(",", ".").replace("\u00a0", "")
        if not text:
            return Decimal("0")
        try:
            if ":" in text:
                h, _sep, m = text.partition(":")
                minutes = int(m or 0)
                if not 0 <= minutes < 60:
                    raise ValueError
                hours = Decimal(int(h or 0)) + Decimal(minutes) / Decimal(60)
            else:
                hours = Decimal(text)
        except (InvalidOperation, ValueError):
            raise ServiceError(_("Type hours as a number, e.g. 1.5 or 1:30."), field="hours") from None
    if not hours.is_finite():
        raise ServiceError(_("Type hours as a number, e.g. 1.5 or 1:30."), field="hours")
    return hours.quantize(HOURS_STEP, rounding=ROUND_HALF_UP)


def round_timer(seconds: float) -> Decimal:
    """Elapsed seconds → hours to the nearest 0.05 h (3 min); a started timer counts at least one step."""
    hours = (Decimal(max(seconds, 0)) / Decimal(3600) / TIMER_STEP).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
    return max(hours, Decimal("1")) * TIMER_STEP


# --- who may log where, and at what rates -------------------------------------------------------------------

def may_log_on(*, membership: Membership, project: Project) -> bool:
    """Directors and AMs log on projects they see (the caller loaded it through project_get); a specialist only
    on a project they are on: its PM or a member of its team."""
    if membership.role in (Role.DIRECTOR, Role.AM):
        return True
    if membership.role != Role.SPECIALIST:
        return False
    return project.manager_id == membership.user_id or ProjectMember.objects.filter(
        agency_id=membership.agency_id, project=project, user_id=membership.user_id).exists()


def entry_rates(*, project: Project, user, task: ProjectTask | None):
    """(role, sell rate, cost rate) of an hour at this moment: the task's role, else the person's role on the
    project's team; priced by the project's budget line of that role (the agreed rate), else the rate card."""
    role = task.role if task is not None and task.role_id else None
    if role is None:
        member = (ProjectMember.objects.filter(agency_id=project.agency_id, project=project, user=user)
                  .select_related("role").first())
        role = member.role if member is not None else None
    if role is None:
        return None, Decimal("0"), Decimal("0")
    line = (BudgetLine.objects.filter(agency_id=project.agency_id, project=project, role=role)
            .order_by("-created_at").first())
    if line is not None:
        return role, line.sell_rate, line.cost_rate
    return role, role.hourly_rate, role.cost_rate


def _lock_person(*, agency: Agency, user) -> None:
    """Serialises writes of one person's time (the daily total check reads, then writes)."""
    list(Membership.objects.select_for_update().filter(agency=agency, user=user).values_list("pk", flat=True))


def day_total(*, agency: Agency, user, day: date, exclude_ids=()) -> Decimal:
    total = (TimeEntry.objects.filter(agency=agency, user=user, date=day).exclude(pk__in=list(exclude_ids))
             .aggregate(s=Sum("hours"))["s"])
    return total or Decimal("0")


def _check_entry(*, agency: Agency, membership: Membership, project: Project, task: ProjectTask | None,
                 day: date, hours: Decimal, user, exclude_ids=()) -> None:
    if project.agency_id != agency.pk:
        raise ServiceError(_("Choose a project of this agency."), field="project")
    if not may_log_on(membership=membership, project=project):
        raise ServiceError(_("You can log time only on projects you are on."), field="project", code="not_on_project")
    if project.status == Project.Status.CANCELLED:
        raise ServiceError(_("The project is cancelled: time can no longer be logged on it."), field="project")
    if task is not None and (task.agency_id != agency.pk or task.project_id != project.pk):
        raise ServiceError(_("Choose a task of this project."), field="task")
    if day > agency_today(agency):
        raise ServiceError(_("Time cannot be logged for a future day."), field="date", code="future")
    if day < EARLIEST:
        raise ServiceError(_("Check the date: it is too far in the past."), field="date")
    if hours <= 0:
        raise ServiceError(_("Enter more than zero hours."), field="hours")
    if hours > DAY_LIMIT:
        raise ServiceError(_("A day has at most 24 hours."), field="hours", code="over_day")
    logged = day_total(agency=agency, user=user, day=day, exclude_ids=exclude_ids)
    if logged + hours > DAY_LIMIT:
        raise ServiceError(
            _("%(day)s already has %(logged)s h logged: at most %(left)s h more fit in the day.") % {
                "day": day.strftime("%d.%m.%Y"), "logged": _fmt(logged), "left": _fmt(max(DAY_LIMIT - logged, 0))},
            field="hours", code="over_day")


def _fmt(hours: Decimal) -> str:
    return f"{hours.normalize():f}"


def is_outside_project(*, project: Project, day: date) -> bool:
    return bool((project.start_date and day < project.start_date) or (project.end_date and day > project.end_date))


# --- entries --------------------------------------------------------------------------------------------------

@transaction.atomic
def time_entry_create(*, agency: Agency, membership: Membership, project: Project, day: date, hours,
                      task: ProjectTask | None = None, note: str = "", billable: bool = True) -> TimeEntry:
    """Log the member's own time, with the rates of the moment copied in."""
    user = membership.user
    hours = parse_hours(hours)
    _lock_person(agency=agency, user=user)
    _check_entry(agency=agency, membership=membership, project=project, task=task, day=day, hours=hours, user=user)
    role, sell, cost = entry_rates(project=project, user=user, task=task)
    entry = TimeEntry.objects.create(agency=agency, project=project, task=task, user=user, role=role, date=day,
                                     hours=hours, note=(note or "").strip()[:MAX_NOTE], billable=billable,
                                     sell_rate=sell, cost_rate=cost)
    task_logged_refresh(agency=agency, task_ids=[entry.task_id])
    _economics_schedule(agency=agency)
    return entry


def may_change_entry(*, membership: Membership, entry: TimeEntry) -> bool:
    """One's own entries; a director anyone's."""
    return entry.user_id == membership.user_id or membership.role == Role.DIRECTOR


@transaction.atomic
def time_entry_update(*, agency: Agency, membership: Membership, entry: TimeEntry, data: dict) -> TimeEntry:
    """Change date, hours, task, note or billable; the rates are re-copied only when the task changes."""
    if not may_change_entry(membership=membership, entry=entry):
        raise ServiceError(_("Only the author or a director can change this entry."), code="forbidden")
    _lock_person(agency=agency, user=entry.user)
    entry = TimeEntry.objects.select_for_update(of=("self",)).select_related("project", "user").get(agency=agency, pk=entry.pk)
    if entry.started_at is not None:
        raise ServiceError(_("Stop the timer before editing this entry."), code="timer_running")
    data = {k: v for k, v in data.items() if k in ENTRY_FIELDS}
    if "hours" in data:
        data["hours"] = parse_hours(data["hours"])
    if "note" in data:
        data["note"] = (data["note"] or "").strip()[:MAX_NOTE]
    task = data.get("task", entry.task)
    # The changer is the author or a director (checked above): their membership decides where time may go, so a
    # director can still correct the entry of someone who has left the project.
    _check_entry(agency=agency, membership=membership, project=entry.project, task=task, day=data.get("date", entry.date),
                 hours=data.get("hours", entry.hours), user=entry.user, exclude_ids=[entry.pk])
    task_changed = "task" in data and (task.pk if task else None) != entry.task_id
    previous_task_id = entry.task_id
    changes = apply_changes(entry, data)
    if task_changed:
        entry.role, entry.sell_rate, entry.cost_rate = entry_rates(project=entry.project, user=entry.user, task=task)
    if changes:
        entry.save()
        task_logged_refresh(agency=agency, task_ids=[previous_task_id, entry.task_id])
        _economics_schedule(agency=agency)
        if entry.user_id != membership.user_id:
            audit(agency=agency, actor=membership.user, action="time_entry.updated", target=entry, changes=changes)
    return entry


@transaction.atomic
def time_entry_delete(*, agency: Agency, membership: Membership, entry: TimeEntry) -> None:
    if not may_change_entry(membership=membership, entry=entry):
        raise ServiceError(_("Only the author or a director can delete this entry."), code="forbidden")
    if entry.user_id != membership.user_id:
        audit(agency=agency, actor=membership.user, action="time_entry.deleted", target=entry)
    stored = TimeEntry.objects.filter(agency=agency, pk=entry.pk)
    task_ids = list(stored.values_list("task_id", flat=True))  # as stored, whatever the object passed in says
    stored.delete()
    task_logged_refresh(agency=agency, task_ids=task_ids)
    _economics_schedule(agency=agency)


# --- the timer ------------------------------------------------------------------------------------------------

def running_timer(*, agency: Agency, user) -> TimeEntry | None:
    return (TimeEntry.objects.filter(agency=agency, user=user, started_at__isnull=False)
            .select_related("project", "task").first())


@transaction.atomic
def timer_start(*, agency: Agency, membership: Membership, project: Project, task: ProjectTask | None = None,
                note: str = "") -> TimeEntry:
    """Start the member's timer on a project (and task); a timer already running is stopped first."""
    user = membership.user
    _lock_person(agency=agency, user=user)
    today = agency_today(agency)
    # The check with a token hour: the day must not be full already (the real hours come at stop).
    _check_entry(agency=agency, membership=membership, project=project, task=task, day=today,
                 hours=TIMER_STEP, user=user)
    if running_timer(agency=agency, user=user) is not None:
        timer_stop(agency=agency, membership=membership)
    role, sell, cost = entry_rates(project=project, user=user, task=task)
    try:
        with transaction.atomic():
            return TimeEntry.objects.create(agency=agency, project=project, task=task, user=user, role=role,
                                            date=today, hours=Decimal("0"), note=(note or "").strip()[:MAX_NOTE],
                                            sell_rate=sell, cost_rate=cost, started_at=timezone.now())
    except IntegrityError:  # the partial unique constraint: one running timer per person
        raise ServiceError(_("A timer is already running."), code="timer_running") from None


def split_by_day(*, start: datetime, end: datetime, tz) -> list[tuple[date, float]]:
    """(local day, seconds) pieces of [start, end), cut at local midnights."""
    pieces = []
    cursor = start.astimezone(tz)
    end = end.astimezone(tz)
    while cursor < end:
        midnight = datetime.combine(cursor.date() + timedelta(days=1), datetime.min.time(), tzinfo=tz)
        piece_end = min(midnight, end)
        pieces.append((cursor.date(), (piece_end - cursor).total_seconds()))
        cursor = piece_end
    return pieces


@transaction.atomic
def timer_stop(*, agency: Agency, membership: Membership) -> list[TimeEntry]:
    """Stop the member's running timer: elapsed time becomes hours (to 0.05 h). A timer that ran past midnight
    is split into one entry per day; each day keeps within the person's 24 h (the excess of a forgotten timer
    is dropped and not counted). Returns the entries written (none if no timer ran)."""
    user = membership.user
    _lock_person(agency=agency, user=user)
    entry = (TimeEntry.objects.select_for_update(of=("self",)).filter(agency=agency, user=user, started_at__isnull=False)
             .select_related("project", "task").first())
    if entry is None:
        return []
    now = timezone.now()
    pieces = split_by_day(start=entry.started_at, end=now, tz=agency_tz(agency)) or [(entry.date, 0.0)]
    written, first = [], True
    for day, seconds in pieces:
        room = max(DAY_LIMIT - day_total(agency=agency, user=user, day=day, exclude_ids=[entry.pk]), Decimal("0"))
        hours = min(round_timer(seconds), room)
        if first:
            entry.date, entry.hours, entry.started_at = day, hours, None
            if hours > 0:
                entry.save(update_fields=["date", "hours", "started_at", "updated_at"])
                written.append(entry)
            else:
                entry.delete()
            first = False
        elif hours > 0:
            written.append(TimeEntry.objects.create(
                agency=agency, project=entry.project, task=entry.task, user=user, role=entry.role, date=day,
                hours=hours, note=entry.note, billable=entry.billable, sell_rate=entry.sell_rate,
                cost_rate=entry.cost_rate))
    task_logged_refresh(agency=agency, task_ids=[entry.task_id])
    _economics_schedule(agency=agency)
    return written


@transaction.atomic
def timer_discard(*, agency: Agency, membership: Membership) -> None:
    """Throw the running timer away without logging anything."""
    TimeEntry.objects.filter(agency=agency, user=membership.user, started_at__isnull=False).delete()


# --- the weekly timesheet -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Cell:
    project: Project
    task: ProjectTask | None
    day: date
    value: str  # as typed ("" or "0" clears the cell)

    @property
    def key(self) -> str:
        return cell_key(project_id=self.project.pk, task_id=self.task.pk if self.task else None, day=self.day)


def cell_key(*, project_id, task_id, day: date) -> str:
    return f"c_{project_id}_{task_id or 'none'}_{day.isoformat()}"


@dataclass
class TimesheetResult:
    errors: dict[str, str] = field(default_factory=dict)  # cell key → message
    saved: list[str] = field(default_factory=list)  # keys of the cells that changed

    @property
    def ok(self) -> bool:
        return not self.errors


class _Rollback(Exception):
    pass


def timesheet_save(*, agency: Agency, membership: Membership, cells: list[Cell]) -> TimesheetResult:
    """Set each cell (a task's or a project's time on one day) to the typed total, all cells in one
    transaction: any cell's error rolls every cell back and the result says which cells were wrong.

    A cell holds the sum of the person's entries there. One entry is updated (or deleted at 0); several (e.g. a
    timer and a quick entry) are kept and the newest takes the difference, refused if it would go below 0."""
    result = TimesheetResult()
    try:
        with transaction.atomic():
            _lock_person(agency=agency, user=membership.user)
            for cell in cells:
                try:
                    with transaction.atomic():
                        if _save_cell(agency=agency, membership=membership, cell=cell):
                            result.saved.append(cell.key)
                except ServiceError as exc:
                    result.errors[cell.key] = exc.message
            if result.errors:
                raise _Rollback
    except _Rollback:
        result.saved = []
    return result


def _save_cell(*, agency: Agency, membership: Membership, cell: Cell) -> bool:
    user = membership.user
    value = parse_hours(cell.value)
    if value < 0:
        raise ServiceError(_("Enter more than zero hours."), field="hours")
    entries = list(TimeEntry.objects.select_for_update().filter(
        agency=agency, user=user, project=cell.project, date=cell.day, started_at__isnull=True,
        task=cell.task).order_by("created_at", "pk"))
    current = sum((e.hours for e in entries), Decimal("0"))
    if value == current:
        return False
    if not entries:
        time_entry_create(agency=agency, membership=membership, project=cell.project, task=cell.task,
                          day=cell.day, hours=value)
        return True
    newest, others = entries[-1], entries[:-1]
    rest = value - sum((e.hours for e in others), Decimal("0"))
    if rest < 0:
        raise ServiceError(_("This cell has several entries: change them on the project's Time tab."),
                           field="hours")
    if rest == 0:  # what remains is exactly the older entries (none: the cell is cleared)
        time_entry_delete(agency=agency, membership=membership, entry=newest)
        return True
    time_entry_update(agency=agency, membership=membership, entry=newest, data={"hours": rest})
    return True


def week_bounds(week: str | None, *, today: date) -> date:
    """'2026-W49' → the Monday of that ISO week; anything else → this week's Monday."""
    if week:
        try:
            year, _w, number = week.upper().partition("-W")
            monday = date.fromisocalendar(int(year), int(number), 1)
            if date(2000, 1, 1) <= monday <= date(2100, 1, 1):
                return monday
        except (ValueError, TypeError):
            pass
    return today - timedelta(days=today.weekday())


def week_label(monday: date) -> str:
    year, week, _d = monday.isocalendar()
    return f"{year}-W{week:02d}"


# --- time off -------------------------------------------------------------------------------------------------

TIME_OFF_FIELDS = ("start_date", "end_date", "kind", "note")


def may_manage_time_off(*, membership: Membership, user_id) -> bool:
    """One's own time off; a director everyone's."""
    return membership.role == Role.DIRECTOR or membership.user_id == user_id


def _check_time_off(*, agency: Agency, user, start: date, end: date, exclude=None) -> None:
    if end < start:
        raise ServiceError(_("The last day is before the first."), field="end_date")
    if (end - start).days > 366:
        raise ServiceError(_("Time off is at most a year; add several periods."), field="end_date")
    if not Membership.objects.filter(agency=agency, user=user, is_active=True,
                                     role__in=(Role.DIRECTOR, Role.AM, Role.SPECIALIST)).exists():
        raise ServiceError(_("Choose an active member of the team."), field="user")
    overlapping = TimeOff.objects.filter(agency=agency, user=user, start_date__lte=end, end_date__gte=start)
    if exclude is not None:
        overlapping = overlapping.exclude(pk=exclude.pk)
    if overlapping.exists():
        raise ServiceError(_("This person already has time off on some of these days."), field="start_date")


@transaction.atomic
def time_off_create(*, agency: Agency, membership: Membership, user, start_date: date, end_date: date,
                    kind: str = TimeOff.Kind.VACATION, note: str = "") -> TimeOff:
    if not may_manage_time_off(membership=membership, user_id=user.pk):
        raise ServiceError(_("Only a director can add time off for someone else."), field="user", code="forbidden")
    _lock_person(agency=agency, user=user)
    _check_time_off(agency=agency, user=user, start=start_date, end=end_date)
    off = TimeOff.objects.create(agency=agency, user=user, start_date=start_date, end_date=end_date, kind=kind,
                                 note=(note or "").strip()[:200])
    audit(agency=agency, actor=membership.user, action="time_off.created", target=off)
    return off


@transaction.atomic
def time_off_update(*, agency: Agency, membership: Membership, time_off: TimeOff, data: dict) -> TimeOff:
    if not may_manage_time_off(membership=membership, user_id=time_off.user_id):
        raise ServiceError(_("Only a director can change someone else's time off."), code="forbidden")
    _lock_person(agency=agency, user=time_off.user)
    time_off = TimeOff.objects.select_for_update().get(agency=agency, pk=time_off.pk)
    data = {k: v for k, v in data.items() if k in TIME_OFF_FIELDS}
    _check_time_off(agency=agency, user=time_off.user, start=data.get("start_date", time_off.start_date),
                    end=data.get("end_date", time_off.end_date), exclude=time_off)
    changes = apply_changes(time_off, data)
    if changes:
        time_off.save()
        audit(agency=agency, actor=membership.user, action="time_off.updated", target=time_off, changes=changes)
    return time_off


@transaction.atomic
def time_off_delete(*, agency: Agency, membership: Membership, time_off: TimeOff) -> None:
    if not may_manage_time_off(membership=membership, user_id=time_off.user_id):
        raise ServiceError(_("Only a director can remove someone else's time off."), code="forbidden")
    audit(agency=agency, actor=membership.user, action="time_off.deleted", target=time_off)
    TimeOff.objects.filter(agency=agency, pk=time_off.pk).delete()


# --- capacity settings ----------------------------------------------------------------------------------------

@transaction.atomic
def member_capacity_set(*, agency: Agency, actor, member: Membership, hours) -> Membership:
    """A member's weekly capacity for project work (directors; the form checks the role)."""
    hours = parse_hours(hours)
    if not Decimal("0") <= hours <= Decimal("80"):
        raise ServiceError(_("Capacity is between 0 and 80 hours a week."), field="weekly_capacity_hours")
    member = Membership.objects.select_for_update().get(agency=agency, pk=member.pk)
    hours = hours.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    if member.weekly_capacity_hours != hours:
        old = member.weekly_capacity_hours
        member.weekly_capacity_hours = hours
        member.save(update_fields=["weekly_capacity_hours"])
        audit(agency=agency, actor=actor, action="membership.updated", target=member,
              changes={"weekly_capacity_hours": (old, hours)})
    return member


def _economics_schedule(*, agency: Agency) -> None:
    """The portfolio page's per-client rollup counts time: rebuild it soon (debounced; dashboards)."""
    from dashboards.portfolio_rollup import client_economics_schedule

    client_economics_schedule(agency=agency)
