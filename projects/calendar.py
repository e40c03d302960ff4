"""Working days of an agency: its working weekdays (`Agency.work_days`) minus its holidays. Pure functions over
a `WorkCalendar` built once per request/job, so loops over projects and people do not query again."""
from dataclasses import dataclass, field
from datetime import date, timedelta

from mrm.tenancy.models import Agency, Holiday


@dataclass(frozen=True)
class WorkCalendar:
    weekdays: frozenset[int]  # ISO weekdays, 1 = Monday
    holidays: frozenset[date] = field(default_factory=frozenset)

    def is_working_day(self, day: date) -> bool:
        return day.isoweekday() in self.weekdays and day not in self.holidays

    def working_days(self, start: date, end: date) -> list[date]:
        """Working days from `start` to `end`, both included (empty if end < start)."""
        days, day = [], start
        while day <= end:
            if self.is_working_day(day):
                days.append(day)
            day += timedelta(days=1)
        return days

    def count(self, start: date, end: date) -> int:
        return len(self.working_days(start, end))

    def add_working_days(self, start: date, n: int) -> date:
        """The date `n` working days after `start` (n ≥ 0; 0 gives the first working day from `start`)."""
        day = start
        while not self.is_working_day(day):
            day += timedelta(days=1)
        while n > 0:
            day += timedelta(days=1)
            if self.is_working_day(day):
                n -= 1
        return day


def work_calendar(*, agency: Agency, start: date | None = None, end: date | None = None) -> WorkCalendar:
    """The agency's calendar; holidays between `start` and `end` (all of them without bounds): one query."""
    holidays = Holiday.objects.filter(agency=agency)
    if start is not None:
        holidays = holidays.filter(date__gte=start)
    if end is not None:
        holidays = holidays.filter(date__lte=end)
    weekdays = frozenset(int(d) for d in (agency.work_days or "12345"))
    return WorkCalendar(weekdays=weekdays, holidays=frozenset(holidays.values_list("date", flat=True)))
