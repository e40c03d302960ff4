from datetime import date

import pytest
from django.db import transaction
from django_scopes import scope

from projects import events
from projects.calendar import WorkCalendar, work_calendar
from tests import factories as f

CAL = WorkCalendar(weekdays=frozenset({1, 2, 3, 4, 5}), holidays=frozenset({date(2026, 12, 31)}))


def test_working_days_skip_weekends_and_holidays():
    assert CAL.count(date(2026, 12, 28), date(2027, 1, 3)) == 4  # Mon–Wed and Fri 1 Jan; Thu 31 is a holiday
    assert CAL.count(date(2026, 12, 5), date(2026, 12, 4)) == 0
    assert CAL.add_working_days(date(2026, 12, 30), 1) == date(2027, 1, 1)
    assert CAL.add_working_days(date(2026, 12, 5), 0) == date(2026, 12, 7)  # Saturday → Monday


@pytest.mark.django_db
def test_work_calendar_reads_the_agency(alice_world):
    agency = alice_world.agency
    agency.work_days = "123456"
    f.HolidayFactory(agency=agency, date=date(2026, 12, 12))
    with scope(agency=agency):
        cal = work_calendar(agency=agency)
    assert cal.is_working_day(date(2026, 12, 5)) and not cal.is_working_day(date(2026, 12, 12))


@pytest.mark.django_db(transaction=True)
def test_events_reach_listeners_after_commit_only_and_a_failing_listener_stops_nothing():
    seen = []

    def broken(event):
        raise RuntimeError("boom")

    events.subscribe(broken)
    events.subscribe(seen.append)
    try:
        with transaction.atomic():
            events.emit(events.Event(kind="task.assigned", agency_id=1, project_id=None))
            assert seen == []
        assert [e.kind for e in seen] == ["task.assigned"]
        try:
            with transaction.atomic():
                events.emit(events.Event(kind="task.assigned", agency_id=1, project_id=None))
                raise ValueError
        except ValueError:
            pass
        assert len(seen) == 1
    finally:
        events.unsubscribe(broken)
        events.unsubscribe(seen.append)
