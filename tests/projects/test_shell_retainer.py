"""Retainer periods: the three rollover rules (pure function) and this month's period from time entries."""
from datetime import date
from decimal import Decimal

import pytest
from django_scopes import scope

from projects.models import Project
from projects.retainer import months_between, project_retainer_period, retainer_periods
from tests import factories as f

D = Decimal
MONTHS = [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1), date(2026, 4, 1)]
USED = {date(2026, 1, 1): D("10"), date(2026, 2, 1): D("50"), date(2026, 3, 1): D("45")}  # April: nothing yet


def _periods(rule, cap="0"):
    return retainer_periods(monthly_hours=D("40"), rollover=rule, cap=D(cap), months=MONTHS, used_by_month=USED)


def test_without_rollover_unused_hours_expire():
    periods = _periods("none")
    assert [p.allowed for p in periods] == [40, 40, 40, 40]
    assert [p.remaining for p in periods] == [30, -10, -5, 40]
    assert periods[1].over and not periods[3].over


def test_carry_adds_all_unused_hours_and_overuse_carries_nothing():
    periods = _periods("carry")
    # Jan leaves 30 → Feb 70, uses 50 → Mar 60, uses 45 → Apr 55.
    assert [p.carried_in for p in periods] == [0, 30, 20, 15]
    assert [p.allowed for p in periods] == [40, 70, 60, 55]
    assert periods[-1].remaining == 55 and periods[-1].used == 0


def test_capped_carry_takes_at_most_the_cap():
    periods = _periods("carry_capped", cap="12")
    # Jan leaves 30, capped at 12 → Feb 52, uses 50 → 2 → Mar 42, uses 45 (over) → Apr carries nothing.
    assert [p.carried_in for p in periods] == [0, 12, 2, 0]
    assert periods[1].allowed == 52 and periods[2].remaining == D("-3") and periods[3].allowed == 40


def test_months_between_crosses_the_year():
    assert months_between(date(2025, 11, 20), date(2026, 2, 3)) == [
        date(2025, 11, 1), date(2025, 12, 1), date(2026, 1, 1), date(2026, 2, 1)]


@pytest.mark.django_db
def test_this_months_period_sums_time_entries_by_month(alice_world):
    agency = alice_world.agency
    project = f.ProjectFactory(client=f.ClientFactory(agency=agency), kind=Project.Kind.RETAINER,
                               retainer_hours=D("20"), rollover=Project.Rollover.CARRY, start_date=date(2026, 1, 15))
    for day, hours in ((date(2026, 1, 20), "5"), (date(2026, 1, 28), "3"), (date(2026, 2, 2), "4"),
                       (date(2026, 2, 27), "6.5")):
        f.TimeEntryFactory(project=project, date=day, hours=D(hours))
    f.TimeEntryFactory(project=f.ProjectFactory(client=project.client), date=date(2026, 2, 3), hours=9)  # not this
    with scope(agency=agency):
        period = project_retainer_period(project=project, today=date(2026, 2, 28))
        assert project_retainer_period(project=f.ProjectFactory(client=project.client), today=date.today()) is None
    assert period.month == date(2026, 2, 1) and period.carried_in == 12  # 20 − 8 from January
    assert period.allowed == 32 and period.used == D("10.5") and period.remaining == D("21.5")
