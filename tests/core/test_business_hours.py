"""The business-time arithmetic behind response times: nights, weekends, holidays, time zones and DST."""
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mrm.core.business_hours import (
    BusinessCalendar,
    add_business_minutes,
    business_calendar,
    business_minutes_between,
    format_minutes,
)

MSK = ZoneInfo("Europe/Moscow")
UTC = ZoneInfo("UTC")
# 10:00–19:00 Mon–Fri in Moscow; 2026-12-04 is a Friday.
CAL = BusinessCalendar(tz=MSK, day_start=time(10), day_end=time(19))


def msk(*args) -> datetime:
    return datetime(*args, tzinfo=MSK)


def test_business_minutes_within_one_working_day():
    assert business_minutes_between(msk(2026, 12, 2, 11, 0), msk(2026, 12, 2, 13, 30), calendar=CAL) == 150


def test_business_minutes_ignore_the_night():
    # 18:30 → next day 10:45: 30 min on Wednesday evening, 45 min on Thursday morning.
    assert business_minutes_between(msk(2026, 12, 2, 18, 30), msk(2026, 12, 3, 10, 45), calendar=CAL) == 75


def test_business_minutes_before_opening_and_after_closing_count_nothing():
    assert business_minutes_between(msk(2026, 12, 2, 6, 0), msk(2026, 12, 2, 9, 59), calendar=CAL) == 0
    assert business_minutes_between(msk(2026, 12, 2, 19, 0), msk(2026, 12, 2, 23, 0), calendar=CAL) == 0
    assert business_minutes_between(msk(2026, 12, 2, 8, 0), msk(2026, 12, 2, 21, 0), calendar=CAL) == 540


def test_business_minutes_skip_the_weekend():
    # Friday 18:50 → Monday 10:20: 10 + 20 minutes.
    assert business_minutes_between(msk(2026, 12, 4, 18, 50), msk(2026, 12, 7, 10, 20), calendar=CAL) == 30
    # Sent on Saturday, answered on Sunday: nothing.
    assert business_minutes_between(msk(2026, 12, 5, 12, 0), msk(2026, 12, 6, 15, 0), calendar=CAL) == 0


def test_business_minutes_skip_holidays():
    cal = BusinessCalendar(tz=MSK, day_start=time(10), day_end=time(19), holidays=frozenset({date(2026, 12, 3)}))
    # Wednesday 18:00 → Friday 11:00 with Thursday off: 60 + 60.
    assert business_minutes_between(msk(2026, 12, 2, 18, 0), msk(2026, 12, 4, 11, 0), calendar=cal) == 120
    assert business_minutes_between(msk(2026, 12, 3, 10, 0), msk(2026, 12, 3, 19, 0), calendar=cal) == 0


def test_business_minutes_over_the_new_year_holidays():
    holidays = frozenset(date(2027, 1, d) for d in range(1, 9))
    cal = BusinessCalendar(tz=MSK, day_start=time(10), day_end=time(19), holidays=holidays)
    # Thursday 31 Dec 18:00 → Monday 11 Jan 10:30 (1–8 Jan off, 9–10 Jan a weekend).
    assert business_minutes_between(msk(2026, 12, 31, 18, 0), msk(2027, 1, 11, 10, 30), calendar=cal) == 90


def test_business_minutes_take_any_zone_and_count_in_the_agencys():
    # 07:00 UTC is 10:00 in Moscow: the first hour of the day.
    start = datetime(2026, 12, 2, 7, 0, tzinfo=UTC)
    end = datetime(2026, 12, 2, 17, 0, tzinfo=ZoneInfo("Asia/Novosibirsk"))  # 13:00 Moscow
    assert business_minutes_between(start, end, calendar=CAL) == 180


def test_business_minutes_across_the_agencys_midnight_not_utcs():
    # A Vladivostok agency (UTC+10): Monday 9:00–18:00 local is Sunday 23:00 – Monday 08:00 UTC.
    vvo = BusinessCalendar(tz=ZoneInfo("Asia/Vladivostok"), day_start=time(9), day_end=time(18))
    start = datetime(2026, 12, 6, 22, 0, tzinfo=UTC)  # Monday 08:00 local
    end = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)  # Monday 11:00 local
    assert business_minutes_between(start, end, calendar=vvo) == 120


def test_business_minutes_over_a_dst_change():
    # Berlin goes from UTC+1 to UTC+2 on Sunday 29 March 2026; Monday's 9:00 is 07:00 UTC, Friday's 08:00 UTC.
    ber = BusinessCalendar(tz=ZoneInfo("Europe/Berlin"), day_start=time(9), day_end=time(17))
    start = datetime(2026, 3, 27, 15, 0, tzinfo=UTC)  # Friday 16:00 Berlin
    end = datetime(2026, 3, 30, 8, 0, tzinfo=UTC)  # Monday 10:00 Berlin (summer time)
    assert business_minutes_between(start, end, calendar=ber) == 120


def test_business_minutes_of_a_six_day_week_and_seconds_rounding_down():
    cal = BusinessCalendar(tz=MSK, day_start=time(10), day_end=time(19), weekdays=frozenset({1, 2, 3, 4, 5, 6}))
    assert business_minutes_between(msk(2026, 12, 5, 10, 0), msk(2026, 12, 5, 10, 59, 59), calendar=cal) == 59


def test_business_minutes_of_an_empty_or_reversed_span_are_zero():
    assert business_minutes_between(msk(2026, 12, 2, 12), msk(2026, 12, 2, 12), calendar=CAL) == 0
    assert business_minutes_between(msk(2026, 12, 2, 12), msk(2026, 12, 2, 11), calendar=CAL) == 0
    nothing = BusinessCalendar(tz=MSK, day_start=time(10), day_end=time(10))
    assert business_minutes_between(msk(2026, 12, 2, 9), msk(2026, 12, 9, 9), calendar=nothing) == 0


def test_business_minutes_of_whole_weeks():
    assert business_minutes_between(msk(2026, 11, 30, 0, 0), msk(2026, 12, 14, 0, 0), calendar=CAL) == 10 * 540


def test_business_minutes_refuse_naive_datetimes():
    with pytest.raises(ValueError):
        business_minutes_between(datetime(2026, 12, 2, 10), msk(2026, 12, 2, 11), calendar=CAL)


def test_add_business_minutes_inside_a_day_and_over_the_night():
    assert add_business_minutes(msk(2026, 12, 2, 11, 0), 120, calendar=CAL) == msk(2026, 12, 2, 13, 0)
    assert add_business_minutes(msk(2026, 12, 2, 18, 0), 120, calendar=CAL) == msk(2026, 12, 3, 11, 0)


def test_add_business_minutes_from_a_weekend_night_and_over_a_holiday():
    cal = BusinessCalendar(tz=MSK, day_start=time(10), day_end=time(19), holidays=frozenset({date(2026, 12, 7)}))
    # Saturday 23:00 + 4 h: Monday is a holiday, so Tuesday 14:00.
    assert add_business_minutes(msk(2026, 12, 5, 23, 0), 240, calendar=cal) == msk(2026, 12, 8, 14, 0)
    assert add_business_minutes(msk(2026, 12, 5, 23, 0), 0, calendar=cal) == msk(2026, 12, 8, 10, 0)


def test_add_business_minutes_is_the_inverse_of_counting():
    start = msk(2026, 12, 4, 17, 13)
    for minutes in (1, 59, 107, 540, 541, 2000):
        due = add_business_minutes(start, minutes, calendar=CAL)
        assert business_minutes_between(start, due, calendar=CAL) == minutes
        assert due - start >= timedelta(minutes=minutes)


def test_add_business_minutes_without_working_time_is_none():
    assert add_business_minutes(msk(2026, 12, 2, 9), 60, calendar=BusinessCalendar(
        tz=MSK, day_start=time(10), day_end=time(19), weekdays=frozenset())) is None


def test_format_minutes():
    from django.utils import translation

    with translation.override("en"):
        assert format_minutes(130) == "2 h 10 min"
        assert format_minutes(240) == "4 h"
        assert format_minutes(5) == "5 min"
    assert format_minutes(None) == "—"


@pytest.mark.django_db
def test_business_calendar_reads_the_agencys_settings_and_holidays(alice_world, bob_world):
    from django_scopes import scope

    from tests.factories import HolidayFactory

    agency = alice_world.agency
    agency.timezone, agency.business_hours_start, agency.business_hours_end, agency.work_days = (
        "Asia/Yekaterinburg", time(9), time(18), "123456")
    agency.save()
    HolidayFactory(agency=agency, date=date(2026, 12, 31))
    HolidayFactory(agency=bob_world.agency, date=date(2026, 12, 30))
    with scope(agency=agency):
        cal = business_calendar(agency=agency, start=date(2026, 12, 1), end=date(2027, 1, 31))
    assert cal.tz == ZoneInfo("Asia/Yekaterinburg")
    assert (cal.day_start, cal.day_end) == (time(9), time(18))
    assert cal.weekdays == frozenset({1, 2, 3, 4, 5, 6})
    assert cal.holidays == frozenset({date(2026, 12, 31)})


def _walked(start, end, calendar):
    """The definition, one day at a time (what the constant-time count must equal)."""
    if end <= start or calendar.minutes_per_day == 0:
        return 0
    day, last, seconds = start.astimezone(calendar.tz).date(), end.astimezone(calendar.tz).date(), 0.0
    while day <= last:
        if calendar.is_working_day(day):
            open_, close = calendar.window(day)
            lo, hi = max(open_, start), min(close, end)
            seconds += max((hi - lo).total_seconds(), 0)
        day += timedelta(days=1)
    return int(seconds // 60)


@settings(max_examples=200, deadline=None)
@given(start=st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)),
       span=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=800)),
       zone=st.sampled_from(["Europe/Moscow", "Europe/Berlin", "Asia/Yekaterinburg", "America/New_York"]),
       weekdays=st.frozensets(st.integers(1, 7), min_size=1),
       holidays=st.frozensets(st.dates(min_value=date(2025, 1, 1), max_value=date(2030, 1, 1)), max_size=30))
def test_a_long_span_counts_the_same_as_walking_every_day(start, span, zone, weekdays, holidays):
    calendar = BusinessCalendar(tz=ZoneInfo(zone), day_start=time(9, 30), day_end=time(18), weekdays=weekdays,
                                holidays=holidays)
    assert business_minutes_between(start, start + span, calendar=calendar) == _walked(start, start + span, calendar)
