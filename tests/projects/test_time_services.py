"""Time entries, the timer, the weekly timesheet and time off (projects/services/time.py)."""
from datetime import date, datetime, timedelta
from decimal import Decimal
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from django_scopes import scope

from mrm.core.errors import ServiceError
from projects.models import TimeEntry, TimeOff
from projects.services import time as svc
from tests import factories as f

pytestmark = pytest.mark.django_db
MSK = ZoneInfo("Europe/Moscow")


@pytest.fixture
def setup(alice_world):
    agency = alice_world.agency
    designer = f.RateRoleFactory(agency=agency, name="Дизайнер", hourly_rate=3000, cost_rate=1200)
    copywriter = f.RateRoleFactory(agency=agency, name="Копирайтер", hourly_rate=2000, cost_rate=900)
    project = f.ProjectFactory(client=f.ClientFactory(agency=agency), start_date=date(2026, 11, 1),
                               end_date=date(2026, 12, 31))
    f.ProjectMemberFactory(project=project, user=alice_world.specialist.user, role=copywriter)
    task = f.ProjectTaskFactory(project=project, role=designer, assignee=alice_world.specialist.user)
    return alice_world, project, task, designer, copywriter


def _today(agency):
    return svc.agency_today(agency)


def test_rates_come_from_the_budget_line_of_the_tasks_role(setup):
    world, project, task, designer, _ = setup
    f.BudgetLineFactory(project=project, role=designer, sell_rate=3500, cost_rate=1500)
    with scope(agency=world.agency):
        entry = svc.time_entry_create(agency=world.agency, membership=world.specialist, project=project, task=task,
                                      day=_today(world.agency), hours="1,5")
        # A later rate-card change does not rewrite the entry.
        designer.hourly_rate = 9999
        designer.save()
        entry.refresh_from_db()
    assert (entry.role_id, entry.hours, entry.sell_rate, entry.cost_rate) == (
        designer.pk, Decimal("1.50"), Decimal("3500.00"), Decimal("1500.00"))


def test_without_a_task_role_the_members_project_role_and_the_rate_card_price_it(setup):
    world, project, _, _, copywriter = setup
    with scope(agency=world.agency):
        entry = svc.time_entry_create(agency=world.agency, membership=world.specialist, project=project,
                                      day=_today(world.agency), hours="1:30")
    assert entry.role_id == copywriter.pk and entry.hours == Decimal("1.50")
    assert (entry.sell_rate, entry.cost_rate) == (Decimal("2000.00"), Decimal("900.00"))


def test_a_specialist_logs_only_on_projects_they_are_on(setup):
    world, project, _, _, _ = setup
    elsewhere = f.ProjectFactory(client=project.client)
    with scope(agency=world.agency), pytest.raises(ServiceError) as exc:
        svc.time_entry_create(agency=world.agency, membership=world.specialist, project=elsewhere,
                              day=_today(world.agency), hours=1)
    assert exc.value.code == "not_on_project"
    managed = f.ProjectFactory(client=project.client, manager=world.specialist.user)
    with scope(agency=world.agency):
        assert svc.time_entry_create(agency=world.agency, membership=world.specialist, project=managed,
                                     day=_today(world.agency), hours=1).pk


@pytest.mark.parametrize(("hours", "code"), [("25", "over_day"), ("0", "invalid"), ("abc", "invalid")])
def test_bad_hours_are_refused(setup, hours, code):
    world, project, task, _, _ = setup
    with scope(agency=world.agency), pytest.raises(ServiceError) as exc:
        svc.time_entry_create(agency=world.agency, membership=world.specialist, project=project, task=task,
                              day=_today(world.agency), hours=hours)
    assert exc.value.code == code and exc.value.field == "hours"


def test_a_future_day_is_refused(setup):
    world, project, task, _, _ = setup
    with scope(agency=world.agency), pytest.raises(ServiceError) as exc:
        svc.time_entry_create(agency=world.agency, membership=world.specialist, project=project, task=task,
                              day=_today(world.agency) + timedelta(days=1), hours=1)
    assert exc.value.code == "future"


def test_a_persons_day_holds_at_most_24_hours_over_all_projects(setup):
    world, project, task, _, _ = setup
    other = f.ProjectFactory(client=project.client, manager=world.specialist.user)
    day = _today(world.agency)
    with scope(agency=world.agency):
        svc.time_entry_create(agency=world.agency, membership=world.specialist, project=project, task=task,
                              day=day, hours=20)
        with pytest.raises(ServiceError) as exc:
            svc.time_entry_create(agency=world.agency, membership=world.specialist, project=other, day=day,
                                  hours="4.5")
        assert exc.value.code == "over_day"
        svc.time_entry_create(agency=world.agency, membership=world.specialist, project=other, day=day, hours=4)
        # Someone else's day is their own.
        svc.time_entry_create(agency=world.agency, membership=world.director, project=project, day=day, hours=8)


def test_a_day_outside_the_project_is_kept_and_flagged(setup):
    world, project, task, _, _ = setup
    project.start_date = _today(world.agency) - timedelta(days=10)
    project.end_date = _today(world.agency) - timedelta(days=5)
    project.save()
    with scope(agency=world.agency):
        late = svc.time_entry_create(agency=world.agency, membership=world.specialist, project=project, task=task,
                                     day=_today(world.agency), hours=1)
        inside = svc.time_entry_create(agency=world.agency, membership=world.specialist, project=project,
                                       task=task, day=project.end_date, hours=1)
    assert late.is_outside_project and not inside.is_outside_project


def test_a_task_of_another_project_is_refused(setup):
    world, project, _, _, _ = setup
    foreign_task = f.ProjectTaskFactory(project=f.ProjectFactory(client=project.client))
    with scope(agency=world.agency), pytest.raises(ServiceError) as exc:
        svc.time_entry_create(agency=world.agency, membership=world.specialist, project=project, task=foreign_task,
                              day=_today(world.agency), hours=1)
    assert exc.value.field == "task"


def test_only_the_author_or_a_director_changes_an_entry_and_the_update_is_validated(setup):
    world, project, task, _, _ = setup
    day = _today(world.agency)
    with scope(agency=world.agency):
        entry = svc.time_entry_create(agency=world.agency, membership=world.specialist, project=project, task=task,
                                      day=day, hours=2)
        with pytest.raises(ServiceError):
            svc.time_entry_update(agency=world.agency, membership=world.am, entry=entry, data={"hours": "3"})
        with pytest.raises(ServiceError) as exc:
            svc.time_entry_update(agency=world.agency, membership=world.specialist, entry=entry,
                                  data={"date": day + timedelta(days=2)})
        assert exc.value.code == "future"
        svc.time_entry_update(agency=world.agency, membership=world.director, entry=entry, data={"hours": "3"})
        entry.refresh_from_db()
        assert entry.hours == Decimal("3.00")
        with pytest.raises(ServiceError):
            svc.time_entry_delete(agency=world.agency, membership=world.am, entry=entry)
        svc.time_entry_delete(agency=world.agency, membership=world.specialist, entry=entry)
        assert not TimeEntry.objects.filter(pk=entry.pk).exists()


def test_rounding_of_a_timer():
    assert svc.round_timer(0) == Decimal("0.05")  # a started timer counts at least 3 minutes
    assert svc.round_timer(3600) == Decimal("1.00")
    assert svc.round_timer(3600 + 5 * 60) == Decimal("1.10")  # 65 min → 1.083 → 1.10
    assert svc.round_timer(3600 + 4 * 60) == Decimal("1.05")


def test_parse_hours_accepts_commas_and_minutes():
    assert svc.parse_hours("1,25") == Decimal("1.25")
    assert svc.parse_hours("0:45") == Decimal("0.75")
    assert svc.parse_hours("") == Decimal("0")
    for bad in ("1:75", "x", "NaN", "inf"):
        with pytest.raises(ServiceError):
            svc.parse_hours(bad)


def test_timer_start_stop_logs_the_elapsed_time(setup):
    world, project, task, _, _ = setup
    # Yesterday's noon UTC: 90 minutes that never cross the agency's midnight (a timer over midnight is split
    # per day, so a wall-clock `now` made this test fail in the first hour and a half of each day).
    now = (timezone.now() - timedelta(days=1)).replace(hour=12, minute=0, second=0, microsecond=0)
    with scope(agency=world.agency):
        running = svc.timer_start(agency=world.agency, membership=world.specialist, project=project, task=task)
        TimeEntry.objects.filter(pk=running.pk).update(started_at=now - timedelta(minutes=90))
        with mock.patch("django.utils.timezone.now", return_value=now):
            written = svc.timer_stop(agency=world.agency, membership=world.specialist)
    assert len(written) == 1 and written[0].pk == running.pk
    assert written[0].hours == Decimal("1.50") and written[0].started_at is None


def test_one_running_timer_a_person_starting_another_stops_the_first(setup):
    world, project, task, _, _ = setup
    other_task = f.ProjectTaskFactory(project=project)
    with scope(agency=world.agency):
        first = svc.timer_start(agency=world.agency, membership=world.specialist, project=project, task=task)
        second = svc.timer_start(agency=world.agency, membership=world.specialist, project=project,
                                 task=other_task)
        running = list(TimeEntry.objects.filter(agency=world.agency, user=world.specialist.user,
                                                started_at__isnull=False))
        first.refresh_from_db()
    assert running == [second]
    assert first.started_at is None and first.hours == Decimal("0.05")


def test_a_timer_running_over_midnight_is_split_by_day_and_a_forgotten_one_capped(setup):
    world, project, task, _, _ = setup
    start = datetime(2026, 12, 1, 22, 0, tzinfo=MSK)
    stop = datetime(2026, 12, 2, 1, 30, tzinfo=MSK)
    with scope(agency=world.agency):
        entry = svc.timer_start(agency=world.agency, membership=world.specialist, project=project, task=task)
        TimeEntry.objects.filter(pk=entry.pk).update(started_at=start, date=start.date())
        with mock.patch("django.utils.timezone.now", return_value=stop):
            written = svc.timer_stop(agency=world.agency, membership=world.specialist)
    assert [(e.date, e.hours) for e in written] == [(date(2026, 12, 1), Decimal("2.00")),
                                                    (date(2026, 12, 2), Decimal("1.50"))]
    # Forgotten for two days on top of a full day: each day only fills up to 24 h.
    f.TimeEntryFactory(project=project, user=world.specialist.user, date=date(2026, 11, 20), hours=20)
    with scope(agency=world.agency):
        entry = svc.timer_start(agency=world.agency, membership=world.specialist, project=project, task=task)
        TimeEntry.objects.filter(pk=entry.pk).update(started_at=datetime(2026, 11, 20, 12, 0, tzinfo=MSK))
        with mock.patch("django.utils.timezone.now", return_value=datetime(2026, 11, 22, 9, 0, tzinfo=MSK)):
            written = svc.timer_stop(agency=world.agency, membership=world.specialist)
    assert [(e.date, e.hours) for e in written] == [(date(2026, 11, 20), Decimal("4.00")),
                                                    (date(2026, 11, 21), Decimal("24.00")),
                                                    (date(2026, 11, 22), Decimal("9.00"))]


def test_stopping_with_no_timer_does_nothing(setup):
    world, *_ = setup
    with scope(agency=world.agency):
        assert svc.timer_stop(agency=world.agency, membership=world.specialist) == []


def test_the_timesheet_saves_all_cells_in_one_transaction_or_none(setup):
    world, project, task, _, _ = setup
    today = _today(world.agency)
    monday = today - timedelta(days=today.weekday())
    yesterday = today - timedelta(days=1)
    with scope(agency=world.agency):
        ok = svc.timesheet_save(agency=world.agency, membership=world.specialist, cells=[
            svc.Cell(project=project, task=task, day=today, value="2"),
            svc.Cell(project=project, task=None, day=yesterday, value="1,5")])
        assert ok.ok and len(ok.saved) == 2
        bad = svc.timesheet_save(agency=world.agency, membership=world.specialist, cells=[
            svc.Cell(project=project, task=task, day=today, value="3"),
            svc.Cell(project=project, task=task, day=today + timedelta(days=1), value="1"),
            svc.Cell(project=project, task=task, day=monday, value="99")])
        assert not bad.ok and bad.saved == []
        assert set(bad.errors) >= {svc.cell_key(project_id=project.pk, task_id=task.pk, day=today + timedelta(days=1))}
        hours = dict(TimeEntry.objects.filter(user=world.specialist.user).values_list("date", "hours"))
        # Nothing of the refused save stayed (today is still 2, not 3).
        assert hours[today] == Decimal("2.00")
        # Clearing a cell deletes its entry.
        svc.timesheet_save(agency=world.agency, membership=world.specialist, cells=[
            svc.Cell(project=project, task=task, day=today, value="")])
        assert not TimeEntry.objects.filter(user=world.specialist.user, date=today).exists()


def test_a_cell_with_several_entries_moves_the_difference_to_the_newest(setup):
    world, project, task, _, _ = setup
    day = _today(world.agency)
    with scope(agency=world.agency):
        for hours in (2, 1):
            svc.time_entry_create(agency=world.agency, membership=world.specialist, project=project, task=task,
                                  day=day, hours=hours)
        cell = svc.Cell(project=project, task=task, day=day, value="5")
        assert svc.timesheet_save(agency=world.agency, membership=world.specialist, cells=[cell]).ok
        assert sorted(TimeEntry.objects.filter(task=task).values_list("hours", flat=True)) == [2, 3]
        low = svc.Cell(project=project, task=task, day=day, value="1")
        assert not svc.timesheet_save(agency=world.agency, membership=world.specialist, cells=[low]).ok


def test_week_bounds():
    today = date(2026, 12, 2)
    assert svc.week_bounds("2026-W49", today=today) == date(2026, 11, 30)
    assert svc.week_bounds("garbage", today=today) == date(2026, 11, 30)
    assert svc.week_bounds("9999-W01", today=today) == date(2026, 11, 30)
    assert svc.week_label(date(2026, 12, 28)) == "2026-W53"


def test_time_off_own_only_and_no_overlaps(setup):
    world, *_ = setup
    start = date(2026, 12, 14)
    with scope(agency=world.agency):
        off = svc.time_off_create(agency=world.agency, membership=world.specialist, user=world.specialist.user,
                                  start_date=start, end_date=start + timedelta(days=4))
        with pytest.raises(ServiceError):
            svc.time_off_create(agency=world.agency, membership=world.specialist, user=world.specialist.user,
                                start_date=start + timedelta(days=2), end_date=start + timedelta(days=7))
        with pytest.raises(ServiceError):
            svc.time_off_create(agency=world.agency, membership=world.specialist, user=world.am.user,
                                start_date=start, end_date=start)
        with pytest.raises(ServiceError):
            svc.time_off_update(agency=world.agency, membership=world.am, time_off=off, data={"note": "x"})
        svc.time_off_create(agency=world.agency, membership=world.director, user=world.am.user, start_date=start,
                            end_date=start)
        with pytest.raises(ServiceError):
            svc.time_off_create(agency=world.agency, membership=world.director, user=world.am.user,
                                start_date=start + timedelta(days=5), end_date=start)
        svc.time_off_delete(agency=world.agency, membership=world.director, time_off=off)
        assert list(TimeOff.objects.values_list("user_id", flat=True)) == [world.am.user_id]


def test_the_tasks_logged_hours_follow_every_write_of_its_entries(setup):
    """ProjectTask.logged_hours (read by capacity and lists) equals the sum of the task's entries after a quick
    entry, an edit, a move to another task, the timesheet, a timer and a delete."""
    world, project, task, designer, _ = setup
    other = f.ProjectTaskFactory(project=project, role=designer, assignee=world.specialist.user)
    today = _today(world.agency)
    me = world.specialist

    def logged():
        return {t.pk: t.logged_hours for t in (task, other) for t in [type(t).objects.get(pk=t.pk)]}

    with scope(agency=world.agency):
        entry = svc.time_entry_create(agency=world.agency, membership=me, project=project, task=task, day=today,
                                      hours="2")
        assert logged() == {task.pk: Decimal("2.00"), other.pk: 0}
        svc.time_entry_update(agency=world.agency, membership=me, entry=entry, data={"hours": "3,5"})
        assert logged()[task.pk] == Decimal("3.50")
        entry = svc.time_entry_update(agency=world.agency, membership=me, entry=entry, data={"task": other})
        assert logged() == {task.pk: 0, other.pk: Decimal("3.50")}
        svc.timesheet_save(agency=world.agency, membership=me, cells=[
            svc.Cell(project=project, task=task, day=today - timedelta(days=1), value="1,5")])
        assert logged()[task.pk] == Decimal("1.50")
        running = svc.timer_start(agency=world.agency, membership=me, project=project, task=task)
        TimeEntry.objects.filter(pk=running.pk).update(started_at=timezone.now() - timedelta(minutes=30))
        svc.timer_stop(agency=world.agency, membership=me)
        assert logged()[task.pk] == Decimal("2.00")
        svc.time_entry_delete(agency=world.agency, membership=me, entry=entry)
        assert logged() == {task.pk: Decimal("2.00"), other.pk: 0}
