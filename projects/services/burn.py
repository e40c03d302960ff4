"""Budget burn of a project: planned (budget lines) against spent (time entries) per role and in total — hours,
money at sell rates and at internal cost, margin, % of the budget burnt against % of the work done, and a
forecast at completion from the pace of the last four weeks.

`project_burn` runs three aggregate queries; everything else is pure functions over plain numbers, so the edge
cases (no budget, no time, no pace) are unit-tested without a database.

Definitions:
- done = estimate of completed tasks / estimate of all tasks (by role: the role's tasks, else the project's);
- pace = hours logged in the last 28 days / 4 (hours a week);
- estimate at completion (EAC), hours = spent / done when some work is done (the burn so far extrapolated), else
  spent + the open estimate; remaining = EAC − spent; weeks left = remaining / pace (none without a pace);
- money at completion = EAC hours × the average rate of what was spent (the planned rate before any time);
- margin = sell − cost (planned: of the budget; at completion: the budget's sell, or the forecast sell when
  there is no budget, less the forecast cost)."""
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import DecimalField, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import Coalesce

from ..models import BudgetLine, Project, ProjectTask, TimeEntry

ZERO = Decimal("0")
PACE_DAYS = 28
CENT = Decimal("0.01")
TENTH = Decimal("0.1")


@dataclass
class Burn:
    """Planned against spent for one role (or the project's total)."""

    key: str
    name: str
    planned_hours: Decimal = ZERO
    planned_sell: Decimal = ZERO
    planned_cost: Decimal = ZERO
    spent_hours: Decimal = ZERO
    spent_sell: Decimal = ZERO
    spent_cost: Decimal = ZERO
    recent_hours: Decimal = ZERO  # the last PACE_DAYS
    estimate_total: Decimal = ZERO
    estimate_done: Decimal = ZERO
    open_estimate: Decimal = ZERO  # estimate of the tasks not done yet
    # Filled by `finish`:
    burnt_pct: Decimal | None = None
    done_pct: Decimal | None = None
    pace: Decimal = ZERO
    eac_hours: Decimal = ZERO
    eac_sell: Decimal = ZERO
    eac_cost: Decimal = ZERO
    remaining_hours: Decimal = ZERO
    weeks_left: Decimal | None = None
    forecast_end: date | None = None

    @property
    def planned_margin(self) -> Decimal:
        return self.planned_sell - self.planned_cost

    @property
    def spent_margin(self) -> Decimal:
        return self.spent_sell - self.spent_cost

    @property
    def eac_margin(self) -> Decimal:
        revenue = self.planned_sell if self.planned_sell > 0 else self.eac_sell
        return revenue - self.eac_cost

    @property
    def over_budget_hours(self) -> Decimal:
        return max(self.eac_hours - self.planned_hours, ZERO) if self.planned_hours > 0 else ZERO

    @property
    def burning_ahead(self) -> bool:
        """More of the budget burnt than of the work done (by more than 10 points)."""
        return (self.burnt_pct is not None and self.done_pct is not None
                and self.burnt_pct - self.done_pct > Decimal("10"))

    @property
    def planned_margin_pct(self) -> Decimal | None:
        return pct(self.planned_margin, self.planned_sell)

    @property
    def eac_margin_pct(self) -> Decimal | None:
        revenue = self.planned_sell if self.planned_sell > 0 else self.eac_sell
        return pct(self.eac_margin, revenue)


@dataclass
class ProjectBurn:
    total: Burn
    roles: list[Burn] = field(default_factory=list)
    today: date | None = None

    @property
    def has_budget(self) -> bool:
        return self.total.planned_hours > 0 or self.total.planned_sell > 0

    @property
    def has_time(self) -> bool:
        return self.total.spent_hours > 0


def pct(part: Decimal, whole: Decimal) -> Decimal | None:
    """part / whole in % to one decimal; None when there is no whole to compare with."""
    if not whole or whole <= 0:
        return None
    return (Decimal(part) / Decimal(whole) * 100).quantize(TENTH, rounding=ROUND_HALF_UP)


def finish(burn: Burn, *, today: date, done_ratio: Decimal | None = None) -> Burn:
    """Fill the derived numbers of `burn` (pure). `done_ratio` (0..1) overrides the burn's own tasks' ratio (a
    role without tasks takes the project's)."""
    burn.burnt_pct = pct(burn.spent_hours, burn.planned_hours)
    ratio = done_ratio
    if ratio is None and burn.estimate_total > 0:
        ratio = burn.estimate_done / burn.estimate_total
    burn.done_pct = (ratio * 100).quantize(TENTH, rounding=ROUND_HALF_UP) if ratio is not None else None
    burn.pace = (burn.recent_hours * 7 / PACE_DAYS).quantize(TENTH, rounding=ROUND_HALF_UP)
    if ratio is not None and ratio > 0:
        eac = burn.spent_hours / ratio
    elif burn.open_estimate > 0 or burn.spent_hours > 0:
        eac = burn.spent_hours + burn.open_estimate
    else:
        eac = burn.planned_hours  # nothing known yet: the plan is the forecast
    burn.eac_hours = max(eac, burn.spent_hours).quantize(TENTH, rounding=ROUND_HALF_UP)
    burn.remaining_hours = max(burn.eac_hours - burn.spent_hours, ZERO)
    sell_rate, cost_rate = _average_rates(burn)
    burn.eac_sell = (burn.spent_sell + burn.remaining_hours * sell_rate).quantize(CENT, rounding=ROUND_HALF_UP)
    burn.eac_cost = (burn.spent_cost + burn.remaining_hours * cost_rate).quantize(CENT, rounding=ROUND_HALF_UP)
    if burn.remaining_hours == 0:
        burn.weeks_left = Decimal("0")
        burn.forecast_end = today if burn.spent_hours > 0 else None
    elif burn.pace > 0:
        burn.weeks_left = (burn.remaining_hours / burn.pace).quantize(TENTH, rounding=ROUND_HALF_UP)
        burn.forecast_end = today + timedelta(days=int((burn.weeks_left * 7).to_integral_value(ROUND_HALF_UP)))
    else:
        burn.weeks_left, burn.forecast_end = None, None  # no recent pace: no date can be promised
    return burn


def _average_rates(burn: Burn) -> tuple[Decimal, Decimal]:
    if burn.spent_hours > 0:
        return burn.spent_sell / burn.spent_hours, burn.spent_cost / burn.spent_hours
    if burn.planned_hours > 0:
        return burn.planned_sell / burn.planned_hours, burn.planned_cost / burn.planned_hours
    return ZERO, ZERO


def combine(*, lines: list[dict], spent: list[dict], tasks: list[dict], today: date,
            no_role_name: str) -> ProjectBurn:
    """The pure part of `project_burn`: rows of the three aggregates → per-role and total burn."""
    roles: dict[str, Burn] = {}

    def row(role_id, name, *, by_name: bool = False) -> Burn:
        # A budget line without a rate-card role is its own row, by its name.
        key = str(role_id) if role_id else (f"name:{name}" if by_name and name else "")
        if key not in roles:
            roles[key] = Burn(key=key, name=name or no_role_name)
        return roles[key]

    for line in lines:
        b = row(line["role_id"], line.get("label"), by_name=True)
        b.planned_hours += line["hours"] or ZERO
        b.planned_sell += line["amount"] or ZERO
        b.planned_cost += line["cost_amount"] or ZERO
    for entry in spent:
        b = row(entry["role_id"], entry.get("label"))
        b.spent_hours += entry["hours"] or ZERO
        b.spent_sell += entry["sell"] or ZERO
        b.spent_cost += entry["cost"] or ZERO
        b.recent_hours += entry["recent"] or ZERO
    for task in tasks:
        b = row(task["role_id"], task.get("label"))
        b.estimate_total += task["total"] or ZERO
        b.estimate_done += task["done"] or ZERO
        b.open_estimate += task["open"] or ZERO
    total = Burn(key="total", name="")
    for b in roles.values():
        for attr in ("planned_hours", "planned_sell", "planned_cost", "spent_hours", "spent_sell", "spent_cost",
                     "recent_hours", "estimate_total", "estimate_done", "open_estimate"):
            setattr(total, attr, getattr(total, attr) + getattr(b, attr))
    finish(total, today=today)
    project_ratio = total.estimate_done / total.estimate_total if total.estimate_total > 0 else None
    for b in roles.values():
        finish(b, today=today, done_ratio=None if b.estimate_total > 0 else project_ratio)
    ordered = sorted(roles.values(), key=lambda b: (b.key == "", -b.planned_hours, b.name))
    return ProjectBurn(total=total, roles=ordered, today=today)


def project_burn(*, project: Project, today: date, no_role_name: str = "—") -> ProjectBurn:
    """The project's burn: three aggregate queries (budget lines, time, tasks by role)."""
    agency_id = project.agency_id
    money = DecimalField(max_digits=20, decimal_places=4)
    lines = list(BudgetLine.objects.filter(agency_id=agency_id, project=project)
                 .values("role_id", "role_name").annotate(label=Coalesce(F("role__name"), F("role_name")),
                                             hours=Sum("hours"), amount=Sum("amount"),
                                             cost_amount=Sum("cost_amount")).order_by())
    spent = list(TimeEntry.objects.filter(agency_id=agency_id, project=project, started_at__isnull=True)
                 .values("role_id").annotate(
                     label=F("role__name"), spent_hours=Sum("hours"),
                     sell=Sum(ExpressionWrapper(F("hours") * F("sell_rate"), output_field=money)),
                     cost=Sum(ExpressionWrapper(F("hours") * F("cost_rate"), output_field=money)),
                     recent=Sum("hours", filter=Q(date__gt=today - timedelta(days=PACE_DAYS), date__lte=today)))
                 .order_by())
    for row in spent:  # annotated apart: an annotation named "hours" would shadow the field in the products
        row["hours"] = row.pop("spent_hours")
    done = ProjectTask.Status.DONE
    tasks = list(ProjectTask.objects.filter(agency_id=agency_id, project=project)
                 .values("role_id").annotate(label=F("role__name"), total=Sum("estimate_hours"),
                                             done=Sum("estimate_hours", filter=Q(status=done)),
                                             open=Sum("estimate_hours", filter=~Q(status=done)))
                 .order_by())
    return combine(lines=lines, spent=spent, tasks=tasks, today=today, no_role_name=no_role_name)
