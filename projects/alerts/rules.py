"""Alert rules: pure functions over plain facts (no ORM, no clock, no settings).

The engine (projects.alerts.engine) loads a project's facts in a constant number of queries and hands them
here with `today` and the agency's `WorkCalendar`; each rule returns `Finding`s. A finding names its subject
(`subject_key`, stable between runs: the engine keeps one open alert per project, kind and subject), carries
the numbers of its reason in `params` (the sentence is rendered in the reader's language by `reason_text`)
and a `value`, its "badness": an acknowledged alert comes back only when the value grows by the kind's
margin (`is_worse`) or the severity rises.

Paused, done and cancelled projects raise nothing (`evaluate`).
"""
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from projects.calendar import WorkCalendar

# --- kinds, severities, thresholds -----------------------------------------------------------------------
MILESTONE_AT_RISK = "milestone_at_risk"
BUDGET_BURN = "budget_burn"
CRITICAL_OVERDUE = "critical_overdue"
WAITING_ON_CLIENT = "waiting_on_client"
CLIENT_SILENT = "client_silent"

KIND_CHOICES = [
    (MILESTONE_AT_RISK, gettext_lazy("Milestone at risk")),
    (BUDGET_BURN, gettext_lazy("Budget burns ahead of progress")),
    (CRITICAL_OVERDUE, gettext_lazy("Overdue on the critical path")),
    (WAITING_ON_CLIENT, gettext_lazy("Waiting on client approval")),
    (CLIENT_SILENT, gettext_lazy("Client silent")),
]

WARNING = "warning"
CRITICAL = "critical"
SEVERITY_CHOICES = [(WARNING, gettext_lazy("Warning")), (CRITICAL, gettext_lazy("Critical"))]
SEVERITY_RANK = {WARNING: 1, CRITICAL: 2}

PACE_WINDOW_DAYS = 14  # calendar days of logged time that make the team's recent pace
# With no time logged in the window the pace is unknown: only milestones this close (working days) are judged,
# against one person's planned working day (the hand-off schedules a line at 6 h a day), so a project that has
# not started yet is not "at risk" merely because nobody has logged time.
UNKNOWN_PACE_HORIZON = 10
PLANNED_HOURS_PER_DAY = Decimal("6")
BURN_THRESHOLD_POINTS = Decimal("15")  # spent share ahead of done share by this many percentage points

# How much an acknowledged alert's value must grow before it is raised again (in the value's own unit).
WORSE_MARGIN = {
    MILESTONE_AT_RISK: 4.0,   # hours more shortfall
    BUDGET_BURN: 5.0,         # percentage points more gap
    CRITICAL_OVERDUE: 2.0,    # working days later
    WAITING_ON_CLIENT: 2.0,   # working days longer
    CLIENT_SILENT: 7.0,       # days longer
}

RAISING_STATUSES = frozenset({"planning", "active"})  # a paused, done or cancelled project raises nothing
OPEN_TASK_STATUSES = frozenset({"todo", "in_progress", "review", "client_approval"})
ZERO = Decimal("0")


# --- facts -----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TaskFacts:
    id: str
    title: str
    status: str
    estimate_hours: Decimal = ZERO
    logged_hours: Decimal = ZERO  # time logged on the task so far
    due_date: date | None = None
    milestone_id: str | None = None
    status_changed_on: date | None = None  # local date the task entered its current status
    url: str = ""

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_TASK_STATUSES

    @property
    def remaining_hours(self) -> Decimal:
        return max(self.estimate_hours - self.logged_hours, ZERO)


@dataclass(frozen=True)
class MilestoneFacts:
    id: str
    title: str
    due_date: date | None
    reached: bool = False
    url: str = ""


@dataclass(frozen=True)
class ProjectFacts:
    id: str
    name: str
    status: str
    kind: str = "one_off"
    url: str = ""
    currency: str = "RUB"
    budget_hours: Decimal = ZERO
    budget_amount: Decimal = ZERO
    retainer_hours: Decimal = ZERO
    approval_days: int = 3
    tasks: tuple[TaskFacts, ...] = ()
    milestones: tuple[MilestoneFacts, ...] = ()
    dependencies: tuple[tuple[str, str], ...] = ()  # (predecessor id, successor id), finish-to-start
    recent_hours: Decimal = ZERO  # hours logged on the project in the PACE_WINDOW_DAYS before today
    spent_hours: Decimal = ZERO  # all hours logged on the project
    spent_amount: Decimal = ZERO  # the same at the sell rates of the entries
    month_hours: Decimal = ZERO  # hours logged this calendar month (retainers)
    client_id: str = ""
    client_name: str = ""
    client_url: str = ""
    last_contact_on: date | None = None  # local date of the last non-internal interaction with the client
    contact_every_days: int | None = None  # the client's interaction agreement, if any
    no_contact_days: int = 14  # the agency's default when there is no agreement
    started_on: date | None = None  # the project's start (or creation) date: silence counts from it at most


@dataclass(frozen=True)
class Finding:
    kind: str
    severity: str
    subject_key: str
    subject_label: str
    url: str
    value: float
    params: dict = field(default_factory=dict)

    @property
    def reason(self) -> str:
        return reason_text(self.kind, self.params)


# --- helpers ---------------------------------------------------------------------------------------------
def _num(value) -> str:
    return number_format(Decimal(str(value)).quantize(Decimal("0.1")), decimal_pos=1)


def _day(iso: str) -> str:
    return date_format(date.fromisoformat(iso), "SHORT_DATE_FORMAT")


def _pct(part: Decimal, whole: Decimal) -> Decimal:
    return (part / whole * 100) if whole > 0 else ZERO


def team_pace(*, recent_hours: Decimal, today: date, calendar: WorkCalendar) -> tuple[Decimal, int]:
    """Hours a working day over the PACE_WINDOW_DAYS before today, and the number of working days in it."""
    days = calendar.count(today - timedelta(days=PACE_WINDOW_DAYS), today - timedelta(days=1))
    return (Decimal(recent_hours) / days if days else ZERO), days


def is_worse(*, kind: str, acknowledged_value: float | None, value: float,
             acknowledged_severity: str = "", severity: str = "") -> bool:
    """An acknowledged alert comes back when it got worse: its severity rose, or its value grew by the
    kind's margin (and by at least a fifth of what was acknowledged, for large values)."""
    if SEVERITY_RANK.get(severity, 0) > SEVERITY_RANK.get(acknowledged_severity, 0) and acknowledged_severity:
        return True
    if acknowledged_value is None:
        return False
    margin = max(WORSE_MARGIN.get(kind, 1.0), abs(acknowledged_value) * 0.2)
    return value >= acknowledged_value + margin


# --- rules -----------------------------------------------------------------------------------------------
def milestone_at_risk(facts: ProjectFacts, *, today: date, calendar: WorkCalendar) -> list[Finding]:
    """An open milestone whose open tasks' remaining estimate exceeds what the team's recent pace delivers in
    the working days left until its due date (today included)."""
    pace, window_days = team_pace(recent_hours=facts.recent_hours, today=today, calendar=calendar)
    remaining_by_milestone: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for task in facts.tasks:
        if task.is_open and task.milestone_id:
            remaining_by_milestone[task.milestone_id] += task.remaining_hours
    findings = []
    for milestone in facts.milestones:
        remaining = remaining_by_milestone.get(milestone.id, ZERO)
        if milestone.reached or milestone.due_date is None or remaining <= 0:
            continue
        days_left = calendar.count(today, milestone.due_date)
        if pace <= 0 and days_left > UNKNOWN_PACE_HORIZON:
            continue  # nobody logged time lately and the date is far: nothing to judge the pace by
        assumed = pace <= 0
        capacity = (PLANNED_HOURS_PER_DAY if assumed else pace) * days_left
        if remaining <= capacity:
            continue
        shortfall = remaining - capacity
        severity = CRITICAL if days_left == 0 or capacity < remaining / 2 else WARNING
        findings.append(Finding(
            kind=MILESTONE_AT_RISK, severity=severity, subject_key=f"milestone:{milestone.id}",
            subject_label=milestone.title, url=milestone.url or facts.url, value=float(round(shortfall, 1)),
            params={"milestone": milestone.title, "due": milestone.due_date.isoformat(), "days": days_left,
                    "remaining": str(round(remaining, 1)),
                    "pace": str(round(PLANNED_HOURS_PER_DAY if assumed else pace, 1)), "assumed": assumed,
                    "capacity": str(round(capacity, 1)), "window": window_days}))
    return findings


def budget_burn_ahead(facts: ProjectFacts, *, today: date, calendar: WorkCalendar,
                      threshold: Decimal = BURN_THRESHOLD_POINTS) -> list[Finding]:
    """The spent share of the budget (hours or money, whichever is further ahead) exceeds the done share of
    the estimate by `threshold` points. A retainer compares this month's hours with its monthly hours
    against the share of the month's working days gone by."""
    if facts.kind == "retainer":
        return _retainer_burn(facts, today=today, calendar=calendar, threshold=threshold)
    total_estimate = sum((t.estimate_hours for t in facts.tasks), ZERO)
    if total_estimate <= 0:
        return []  # no estimates: no progress to compare with
    done_estimate = sum((t.estimate_hours for t in facts.tasks if t.status == "done"), ZERO)
    done_share = _pct(done_estimate, total_estimate)
    shares = []
    if facts.budget_hours > 0:
        shares.append((_pct(facts.spent_hours, facts.budget_hours), "hours"))
    if facts.budget_amount > 0:
        shares.append((_pct(facts.spent_amount, facts.budget_amount), "money"))
    if not shares:
        return []
    spent_share, basis = max(shares, key=lambda s: s[0])
    gap = spent_share - done_share
    if gap < threshold:
        return []
    severity = CRITICAL if spent_share >= 100 or gap >= 2 * threshold else WARNING
    return [Finding(kind=BUDGET_BURN, severity=severity, subject_key="project", subject_label=facts.name,
                    url=facts.url, value=float(round(gap, 1)),
                    params={"basis": basis, "spent": str(round(spent_share, 1)), "done": str(round(done_share, 1)),
                            "gap": str(round(gap, 1))})]


def _retainer_burn(facts: ProjectFacts, *, today: date, calendar: WorkCalendar, threshold: Decimal) -> list[Finding]:
    if facts.retainer_hours <= 0:
        return []
    first = today.replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    month_days = calendar.count(first, last)
    if month_days == 0:
        return []
    elapsed = _pct(Decimal(calendar.count(first, today)), Decimal(month_days))
    spent_share = _pct(facts.month_hours, facts.retainer_hours)
    gap = spent_share - elapsed
    if gap < threshold:
        return []
    severity = CRITICAL if spent_share >= 100 or gap >= 2 * threshold else WARNING
    return [Finding(kind=BUDGET_BURN, severity=severity, subject_key="project", subject_label=facts.name,
                    url=facts.url, value=float(round(gap, 1)),
                    params={"basis": "retainer", "spent": str(round(spent_share, 1)),
                            "done": str(round(elapsed, 1)), "gap": str(round(gap, 1))})]


def critical_path(facts: ProjectFacts) -> list[TaskFacts]:
    """The longest chain of open tasks through finish-to-start dependencies, by total estimate (then by the
    number of tasks; ties go to the earliest due date, then the id, so the answer is stable). Edges to done
    tasks are ignored; tasks caught in a cycle (the service refuses them, data may still hold one) are left out."""
    tasks = {t.id: t for t in facts.tasks if t.is_open}
    if not tasks:
        return []
    successors: dict[str, list[str]] = defaultdict(list)
    indegree = dict.fromkeys(tasks, 0)
    for pred, succ in facts.dependencies:
        if pred in tasks and succ in tasks and pred != succ:
            successors[pred].append(succ)
            indegree[succ] += 1
    order = sorted((tid for tid, n in indegree.items() if n == 0), key=lambda tid: _tie(tasks[tid]))
    topo = []
    while order:
        tid = order.pop(0)
        topo.append(tid)
        for succ in successors[tid]:
            indegree[succ] -= 1
            if indegree[succ] == 0:
                order.append(succ)
    # best[tid] = (estimate, count) of the heaviest chain ending at tid; prev links it back.
    best: dict[str, tuple[Decimal, int]] = {}
    prev: dict[str, str | None] = {}
    in_topo = set(topo)
    predecessors: dict[str, list[str]] = defaultdict(list)
    for pred, succs in successors.items():
        for succ in succs:
            predecessors[succ].append(pred)
    for tid in topo:
        task = tasks[tid]
        options = [(best[p], p) for p in predecessors[tid] if p in in_topo and p in best]
        if options:
            (weight, count), p = max(options, key=lambda o: (o[0], _rank(tasks[o[1]])))
            best[tid], prev[tid] = (weight + task.estimate_hours, count + 1), p
        else:
            best[tid], prev[tid] = (task.estimate_hours, 1), None
    end = max(best, key=lambda tid: (best[tid], _rank(tasks[tid])))
    chain = []
    while end is not None:
        chain.append(tasks[end])
        end = prev[end]
    return list(reversed(chain))


def _tie(task: TaskFacts):
    return (task.due_date or date.max, task.id)


def _rank(task: TaskFacts):
    # Larger is preferred by max(): an earlier due date, then the smaller id.
    due = task.due_date or date.max
    return (-due.toordinal(), tuple(-ord(c) for c in task.id))


def critical_overdue(facts: ProjectFacts, *, today: date, calendar: WorkCalendar) -> list[Finding]:
    """Open tasks on the critical path past their due date; the value is how many working days late."""
    findings = []
    for task in critical_path(facts):
        if task.due_date is None or task.due_date >= today:
            continue
        late = max(calendar.count(task.due_date + timedelta(days=1), today), 1)
        severity = CRITICAL if late >= 3 else WARNING
        findings.append(Finding(
            kind=CRITICAL_OVERDUE, severity=severity, subject_key=f"task:{task.id}", subject_label=task.title,
            url=task.url or facts.url, value=float(late),
            params={"task": task.title, "due": task.due_date.isoformat(), "days": late}))
    return findings


def waiting_on_client(facts: ProjectFacts, *, today: date, calendar: WorkCalendar) -> list[Finding]:
    """Tasks on client approval for more working days (counted from the day after they were sent) than the
    project's agreement (`approval_days`) allows."""
    allowed = max(int(facts.approval_days or 0), 1)
    findings = []
    for task in facts.tasks:
        if task.status != "client_approval" or task.status_changed_on is None:
            continue
        waited = calendar.count(task.status_changed_on + timedelta(days=1), today)
        if waited <= allowed:
            continue
        severity = CRITICAL if waited >= 2 * allowed else WARNING
        findings.append(Finding(
            kind=WAITING_ON_CLIENT, severity=severity, subject_key=f"task:{task.id}", subject_label=task.title,
            url=task.url or facts.url, value=float(waited),
            params={"task": task.title, "since": task.status_changed_on.isoformat(), "days": waited,
                    "allowed": allowed}))
    return findings


def client_silent(facts: ProjectFacts, *, today: date, calendar: WorkCalendar) -> list[Finding]:
    """No contact with the client (calendar days) for longer than the client's interaction agreement
    allows, or the agency's "no contact" days without one. With no contact ever, silence counts from the
    project's start."""
    allowed = facts.contact_every_days or facts.no_contact_days
    if not allowed or allowed <= 0:
        return []
    since = facts.last_contact_on or facts.started_on
    if since is None or since > today:
        return []
    silent = (today - since).days
    if silent <= allowed:
        return []
    severity = CRITICAL if silent >= 2 * allowed else WARNING
    return [Finding(
        kind=CLIENT_SILENT, severity=severity, subject_key=f"client:{facts.client_id}",
        subject_label=facts.client_name, url=facts.client_url or facts.url, value=float(silent),
        params={"client": facts.client_name, "days": silent, "allowed": allowed,
                "since": since.isoformat(), "never": facts.last_contact_on is None,
                "agreement": facts.contact_every_days is not None})]


RULES = (milestone_at_risk, budget_burn_ahead, critical_overdue, waiting_on_client, client_silent)


def evaluate(facts: ProjectFacts, *, today: date, calendar: WorkCalendar) -> list[Finding]:
    """Every rule's findings for the project; none for a paused, done or cancelled one."""
    if facts.status not in RAISING_STATUSES:
        return []
    findings = []
    for rule in RULES:
        findings.extend(rule(facts, today=today, calendar=calendar))
    return findings


# --- reasons ---------------------------------------------------------------------------------------------
def reason_text(kind: str, params: dict) -> str:
    """The finding's reason in the active language, with its numbers."""
    p = params
    if kind == MILESTONE_AT_RISK:
        if int(p["days"]) == 0:
            return _("“%(milestone)s” was due %(due)s and still has %(remaining)s h of open work.") % {
                "milestone": p["milestone"], "due": _day(p["due"]), "remaining": _num(p["remaining"])}
        if p.get("assumed"):
            return _("“%(milestone)s” is due %(due)s: %(remaining)s h of open work left and nobody has logged time "
                     "lately; even at a planned %(pace)s h a working day the %(days)s working days left give "
                     "%(capacity)s h.") % {
                "milestone": p["milestone"], "due": _day(p["due"]), "remaining": _num(p["remaining"]),
                "pace": _num(p["pace"]), "days": p["days"], "capacity": _num(p["capacity"])}
        return _("“%(milestone)s” is due %(due)s: %(remaining)s h of open work left, but at the team's pace of "
                 "%(pace)s h a working day (last %(window)s working days) the %(days)s working days left give "
                 "%(capacity)s h.") % {
            "milestone": p["milestone"], "due": _day(p["due"]), "remaining": _num(p["remaining"]),
            "pace": _num(p["pace"]), "window": p["window"], "days": p["days"], "capacity": _num(p["capacity"])}
    if kind == BUDGET_BURN:
        values = {"spent": _num(p["spent"]), "done": _num(p["done"]), "gap": _num(p["gap"])}
        if p["basis"] == "retainer":
            return _("%(spent)s%% of this month's retainer hours are used while %(done)s%% of the month's "
                     "working days have passed (%(gap)s points ahead).") % values
        if p["basis"] == "money":
            return _("%(spent)s%% of the budget is spent while %(done)s%% of the estimated work is done "
                     "(%(gap)s points ahead).") % values
        return _("%(spent)s%% of the budgeted hours are used while %(done)s%% of the estimated work is done "
                 "(%(gap)s points ahead).") % values
    if kind == CRITICAL_OVERDUE:
        days = int(p["days"])
        return ngettext("“%(task)s” is on the critical path and was due %(due)s: %(days)s working day late, "
                        "everything after it slips.",
                        "“%(task)s” is on the critical path and was due %(due)s: %(days)s working days late, "
                        "everything after it slips.", days) % {"task": p["task"], "due": _day(p["due"]), "days": days}
    if kind == WAITING_ON_CLIENT:
        return _("“%(task)s” has waited for the client's approval since %(since)s: %(days)s working days, "
                 "the agreement allows %(allowed)s.") % {
            "task": p["task"], "since": _day(p["since"]), "days": p["days"], "allowed": p["allowed"]}
    if kind == CLIENT_SILENT:
        values = {"client": p["client"], "days": p["days"], "allowed": p["allowed"], "since": _day(p["since"])}
        if p.get("never"):
            return _("No contact with %(client)s recorded since the project started (%(since)s): %(days)s days, "
                     "contact is expected at least every %(allowed)s days.") % values
        if p.get("agreement"):
            return _("No contact with %(client)s for %(days)s days (since %(since)s); the interaction agreement "
                     "asks for contact at least every %(allowed)s days.") % values
        return _("No contact with %(client)s for %(days)s days (since %(since)s); the agency flags clients "
                 "after %(allowed)s days.") % values
    return ""
