"""Retainer periods: how many hours a month allows (its own plus what rolls over), how many were used, what
is left. `retainer_periods` is a pure function over monthly usage; `project_retainer_period` loads the usage.

Rollover rules (`Project.Rollover`):
- none: each month has exactly its own hours; unused hours expire;
- carry: unused hours of a month are added to the next one, without a limit (they accumulate);
- carry_capped: the same, but at most `cap` hours are ever carried into a month.
Overuse is not deducted from the next month (it is billed or discussed, not silently taken from next
month's work): a month used beyond its allowance carries nothing.
"""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

ZERO = Decimal("0")


@dataclass(frozen=True)
class RetainerPeriod:
    month: date  # the first day of the month
    own_hours: Decimal
    carried_in: Decimal
    used: Decimal

    @property
    def allowed(self) -> Decimal:
        return self.own_hours + self.carried_in

    @property
    def remaining(self) -> Decimal:
        return self.allowed - self.used

    @property
    def over(self) -> bool:
        return self.used > self.allowed

    @property
    def used_percent(self) -> int:
        return int(100 * self.used / self.allowed) if self.allowed > 0 else 0


def month_start(day: date) -> date:
    return day.replace(day=1)


def months_between(first: date, last: date) -> list[date]:
    """First days of the months from `first`'s to `last`'s, both included."""
    months, month = [], month_start(first)
    end = month_start(last)
    while month <= end:
        months.append(month)
        month = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    return months


def retainer_periods(*, monthly_hours: Decimal, rollover: str, cap: Decimal, months: list[date],
                     used_by_month: dict[date, Decimal]) -> list[RetainerPeriod]:
    """One period per month of `months` (in order), applying the rollover rule month by month."""
    periods: list[RetainerPeriod] = []
    carry = ZERO
    for month in months:
        period = RetainerPeriod(month=month, own_hours=monthly_hours, carried_in=carry,
                                used=used_by_month.get(month, ZERO))
        periods.append(period)
        unused = max(ZERO, period.remaining)
        if rollover == "carry":
            carry = unused
        elif rollover == "carry_capped":
            carry = min(unused, max(ZERO, cap))
        else:
            carry = ZERO
    return periods


def project_retainer_period(*, project, today: date) -> RetainerPeriod | None:
    """This month's period of a retainer (None for a one-off project): one query for the monthly sums."""
    from django.db.models import Sum
    from django.db.models.functions import TruncMonth

    from .models import Project, TimeEntry

    if project.kind != Project.Kind.RETAINER:
        return None
    first = project.start_date or project.created_at.date()
    if first > today:
        first = today
    months = months_between(first, today)
    used = {(row["month"].date() if hasattr(row["month"], "date") else row["month"]): row["hours"] or ZERO
            for row in TimeEntry.objects.filter(agency_id=project.agency_id, project=project, date__gte=months[0],
                                                date__lte=today)
            .annotate(month=TruncMonth("date")).values("month").annotate(hours=Sum("hours")).order_by()}
    return retainer_periods(monthly_hours=project.retainer_hours, rollover=project.rollover,
                            cap=project.rollover_cap_hours, months=months, used_by_month=used)[-1]
