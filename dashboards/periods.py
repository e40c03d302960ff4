"""Reporting periods: a month, a quarter, a year or custom dates. A period is [start, end) in days; the previous
period is the one of the same kind right before it (custom: the same number of days), the year-ago period the same
dates one year earlier. Datetimes are compared at midnight in the agency's time zone."""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils.translation import gettext_lazy as _

from mrm.core.business_hours import zone

KINDS = (("month", _("Month")), ("quarter", _("Quarter")), ("year", _("Year")), ("custom", _("Custom dates")))
# How many periods a trend chart shows (the chosen one last).
TREND_LENGTH = {"month": 12, "quarter": 6, "year": 3, "custom": 6}
MAX_CUSTOM_DAYS = 3 * 366


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def shift_year(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class Period:
    kind: str
    start: date  # inclusive
    end: date  # exclusive

    @classmethod
    def containing(cls, kind: str, day: date) -> "Period":
        if kind == "month":
            start = day.replace(day=1)
            return cls(kind, start, _add_months(start, 1))
        if kind == "quarter":
            start = date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
            return cls(kind, start, _add_months(start, 3))
        if kind == "year":
            return cls(kind, date(day.year, 1, 1), date(day.year + 1, 1, 1))
        raise ValueError(kind)

    @classmethod
    def custom(cls, first: date, last: date) -> "Period":
        """Custom dates: `last` is inclusive, as a person types it."""
        return cls("custom", first, last + timedelta(days=1))

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    def previous(self) -> "Period":
        if self.kind == "custom":
            return Period("custom", self.start - timedelta(days=self.days), self.start)
        return Period.containing(self.kind, self.start - timedelta(days=1))

    def year_ago(self) -> "Period":
        return Period(self.kind, shift_year(self.start, -1), shift_year(self.end, -1))

    def trend(self) -> list["Period"]:
        """The chosen period and the ones before it, oldest first."""
        periods = [self]
        for _i in range(TREND_LENGTH[self.kind] - 1):
            periods.append(periods[-1].previous())
        return periods[::-1]

    @property
    def label(self) -> str:
        if self.kind == "month":
            return f"{self.start:%m.%Y}"
        if self.kind == "quarter":
            return f"Q{(self.start.month - 1) // 3 + 1} {self.start.year}"
        if self.kind == "year":
            return str(self.start.year)
        return f"{self.start:%d.%m.%Y}–{self.last_day:%d.%m.%Y}"

    @property
    def short_label(self) -> str:
        if self.kind == "month":
            return f"{self.start:%m.%y}"
        if self.kind == "quarter":
            return f"Q{(self.start.month - 1) // 3 + 1}.{self.start:%y}"
        if self.kind == "year":
            return str(self.start.year)
        return f"{self.start:%d.%m}"

    def in_progress(self, today: date) -> bool:
        return self.start <= today < self.end

    def query(self) -> dict[str, str]:
        """The URL parameters that select this period again."""
        if self.kind == "custom":
            return {"period": "custom", "start": self.start.isoformat(), "end": self.last_day.isoformat()}
        return {"period": self.kind, "on": self.start.isoformat()}


def moment(day: date, tz_name: str) -> datetime:
    """Midnight of `day` in the agency's time zone."""
    return datetime.combine(day, time(0, 0), tzinfo=zone(tz_name))
