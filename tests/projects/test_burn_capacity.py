"""Budget burn (projects/services/burn.py) and capacity (projects/services/capacity.py)."""
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django_scopes import scope

from mrm.tenancy.models import Holiday
from projects.calendar import WorkCalendar
from projects.models import ProjectTask, TimeEntry, TimeOff
from projects.services import burn, capacity
from tests import factories as f

TODAY = date(2026, 12, 2)  # a Wednesday
CAL = WorkCalendar(weekdays=frozenset({1, 2, 3, 4, 5}), holidays=frozenset({date(2026, 12, 4)}))
D = Decimal


def _line(role="r1", hours=100, amount=300000, cost=120000, name="Дизайнер"):
    return {"role_id": role, "label": name, "hours": D(hours), "amount": D(amount), "cost_amount": D(cost)}


def _spent(role="r1", hours=40, sell=120000, cost=48000, recent=20, name="Дизайнер"):
    return {"role_id": role, "label": name, "hours": D(hours), "sell": D(sell), "cost": D(cost), "recent": D(recent)}


def _tasks(role="r1", total=100, done=25, name="Дизайнер"):
    return {"role_id": role, "label": name, "total": D(total), "done": D(done), "open": D(total - done)}


# --- burn: pure ---------------------------------------------------------------------------------------------

def test_burn_compares_burnt_with_done_and_forecasts_from_the_pace():
    result = burn.combine(lines=[_line()], spent=[_spent()], tasks=[_tasks()], today=TODAY, no_role_name="—")
    total = result.total
    assert total.burnt_pct == D("40.0") and total.done_pct == D("25.0") and total.burning_ahead
    assert total.eac_hours == D("160.0")  # 40 h for a quarter of the work → 160 h at completion
    assert total.remaining_hours == D("120.0")
    assert total.pace == D("5.0")  # 20 h in 4 weeks
    assert total.weeks_left == D("24.0") and total.forecast_end == TODAY + timedelta(days=168)
    assert total.eac_sell == D("480000.00") and total.eac_cost == D("192000.00")  # at the spent average rates
    assert total.planned_margin == D("180000") and total.eac_margin == D("108000.00")  # budget − forecast cost
    assert total.over_budget_hours == D("60.0")


def test_burn_with_no_budget_and_no_time():
    result = burn.combine(lines=[], spent=[], tasks=[], today=TODAY, no_role_name="—")
    total = result.total
    assert not result.has_budget and not result.has_time and result.roles == []
    assert total.burnt_pct is None and total.done_pct is None and total.weeks_left == 0
    assert total.eac_hours == 0 and total.forecast_end is None and total.eac_margin == 0


def test_burn_with_a_budget_but_no_time_forecasts_the_plan():
    result = burn.combine(lines=[_line()], spent=[], tasks=[], today=TODAY, no_role_name="—")
    total = result.total
    assert total.burnt_pct == D("0.0") and total.eac_hours == D("100.0")
    assert total.eac_sell == D("300000.00") and total.eac_cost == D("120000.00")
    assert total.weeks_left is None and total.forecast_end is None  # no pace: no date


def test_burn_with_zero_recent_pace_gives_no_date_but_still_the_hours():
    result = burn.combine(lines=[_line()], spent=[_spent(recent=0)], tasks=[_tasks(done=0)], today=TODAY,
                          no_role_name="—")
    total = result.total
    assert total.pace == 0 and total.weeks_left is None and total.forecast_end is None
    assert total.done_pct == D("0.0") and total.eac_hours == D("140.0")  # nothing done: spent + the open estimate


def test_burn_time_without_a_budget_and_roles_without_tasks_take_the_projects_done_share():
    result = burn.combine(lines=[_line()], spent=[_spent(), _spent(role=None, hours=10, sell=0, cost=0, recent=10,
                                                                   name=None)],
                          tasks=[_tasks(total=100, done=50)], today=TODAY, no_role_name="no role")
    by_key = {r.key: r for r in result.roles}
    unassigned = by_key[""]
    assert unassigned.name == "no role" and unassigned.burnt_pct is None  # no hours planned for it
    assert unassigned.done_pct == D("50.0") and unassigned.eac_hours == D("20.0")
    assert [r.key for r in result.roles][-1] == ""  # the role-less row comes last


@pytest.mark.django_db
def test_project_burn_aggregates_from_the_database(alice_world):
    agency = alice_world.agency
    designer = f.RateRoleFactory(agency=agency)
    project = f.ProjectFactory(client=f.ClientFactory(agency=agency))
    f.BudgetLineFactory(project=project, role=designer, role_name=designer.name, hours=10, amount=30000,
                        cost_amount=15000)
    f.BudgetLineFactory(project=project, role=None, role_name="Подрядчик", hours=5, amount=5000, cost_amount=4000)
    f.ProjectTaskFactory(project=project, role=designer, estimate_hours=8, status=ProjectTask.Status.DONE)
    f.ProjectTaskFactory(project=project, role=designer, estimate_hours=8)
    f.TimeEntryFactory(project=project, role=designer, hours=6, sell_rate=3000, cost_rate=1500, date=TODAY)
    f.TimeEntryFactory(project=project, role=designer, hours=2, sell_rate=3000, cost_rate=1500,
                       date=TODAY - timedelta(days=60))
    f.TimeEntryFactory(project=f.ProjectFactory(client=project.client), role=designer, hours=50)  # another project
    with scope(agency=agency):
        result = burn.project_burn(project=project, today=TODAY)
    rows = {r.name: r for r in result.roles}
    assert rows[designer.name].spent_hours == 8 and rows[designer.name].spent_sell == 24000
    assert rows[designer.name].recent_hours == 6 and rows[designer.name].done_pct == D("50.0")
    assert rows["Подрядчик"].planned_hours == 5 and rows["Подрядчик"].spent_hours == 0
    assert result.total.planned_hours == 15 and result.total.spent_cost == 12000


# --- capacity: pure ------------------------------------------------------------------------------------------

class _Member:
    def __init__(self, hours=40):
        self.weekly_capacity_hours = D(hours)
        self.user = None


def _task(estimate, logged=0, start=None, due=None, title="T"):
    return {"id": title, "project_id": "p", "project__name": "P", "title": title, "estimate_hours": D(estimate),
            "logged": D(logged), "start_date": start, "due_date": due}


def test_capacity_takes_off_holidays_time_off_and_the_past_days_of_this_week():
    person = capacity.person_capacity(membership=_Member(40), calendar=CAL, off=[(date(2026, 12, 8), date(2026, 12, 9))],
                                      tasks=[], today=TODAY)
    assert len(person.weeks) == 8
    # This week from Wednesday: Wed, Thu (Fri 4th is a holiday) = 2 days of 5.
    assert person.weeks[0].capacity == D("16.0")
    assert person.weeks[1].capacity == D("24.0")  # two days off
    assert person.weeks[2].capacity == D("40.0") and person.weeks[2].state == "free"


def test_booked_spreads_the_remaining_estimate_over_working_days_and_lists_undated_tasks():
    tasks = [
        _task(20, logged=4, start=date(2026, 11, 20), due=date(2026, 12, 11), title="spread"),  # 16 h over 7 days
        _task(10, due=date(2026, 11, 30), title="overdue"),
        _task(5, logged=9, due=date(2026, 12, 10), title="overspent"),  # nothing remains
        _task(6, title="undated"),
        _task(30, start=date(2027, 3, 1), due=date(2027, 3, 5), title="later"),
    ]
    person = capacity.person_capacity(membership=_Member(40), calendar=CAL, off=[], tasks=tasks, today=TODAY)
    first, second = person.weeks[0], person.weeks[1]
    # "spread" from today: Wed, Thu this week (Fri holiday) + Mon–Fri next = 7 days, 16/7 h a day.
    assert first.booked == (D(16) / 7 * 2 + 10).quantize(D("0.1"))
    assert second.booked == (D(16) / 7 * 5).quantize(D("0.1"))
    assert [t.title for t in person.undated] == ["undated"] and person.undated_hours == 6
    assert person.beyond == 30  # after the 8 weeks
    assert first.state == "busy" or first.state == "ok"


def test_an_overbooked_week_and_a_person_with_no_capacity():
    tasks = [_task(60, due=date(2026, 12, 3))]
    person = capacity.person_capacity(membership=_Member(40), calendar=CAL, off=[], tasks=tasks, today=TODAY)
    assert person.weeks[0].state == "over" and person.overbooked_weeks == 1
    nobody = capacity.person_capacity(membership=_Member(0), calendar=CAL, off=[], tasks=[], today=TODAY)
    assert nobody.weeks[0].state == "off" and nobody.weeks[0].load_pct is None


@pytest.mark.django_db
def test_capacity_overview_is_a_constant_number_of_queries(alice_world, bob_world, django_assert_max_num_queries):
    agency = alice_world.agency
    role = f.RateRoleFactory(agency=agency)
    project = f.ProjectFactory(client=f.ClientFactory(agency=agency))
    for n in range(6):
        member = f.MembershipFactory(agency=agency, role="specialist")
        f.ProjectMemberFactory(project=project, user=member.user, role=role if n % 2 else None)
        for k in range(3):
            task = f.ProjectTaskFactory(project=project, assignee=member.user, estimate_hours=10,
                                        due_date=date.today() + timedelta(days=7 * k + 3))
            f.TimeEntryFactory(project=project, task=task, user=member.user, hours=2)
        f.TimeOffFactory(agency=agency, user=member.user, start_date=date.today(),
                         end_date=date.today() + timedelta(days=2))
    f.ProjectTaskFactory(project=f.ProjectFactory(client=f.ClientFactory(agency=bob_world.agency)),
                         assignee=alice_world.specialist.user, estimate_hours=99, due_date=date.today())
    with scope(agency=agency), django_assert_max_num_queries(5):
        overview = capacity.capacity_overview(agency=agency, today=date.today())
    assert len(overview.people) == 4 + 6  # director, two AMs, the specialist, six more; no client contact
    mine = next(p for p in overview.people if p.membership.pk == alice_world.specialist.pk)
    assert mine.booked == 0  # bob's task is not counted
    with scope(agency=agency):
        filtered = capacity.capacity_overview(agency=agency, today=date.today(), role_id=role.pk)
    assert len(filtered.people) == 3
    assert all(p.booked == 24 for p in filtered.people)  # 3 tasks × (10 − 2) h, all within 8 weeks


@pytest.mark.django_db
def test_the_sql_booking_equals_the_pure_reference_on_random_tasks(alice_world):
    """capacity_overview books dated tasks in SQL (capacity_sql); person_capacity is the reference arithmetic.
    Random tasks over the edge cases: overdue, starting today or later, after the horizon,
    spans inside the person's time off (falls back to the agency's days), holidays, weekends, a weekend-only span
    (the single-day rule), overspent tasks, undated ones."""
    import random

    agency = alice_world.agency
    agency.work_days = "12345"
    agency.save()
    rng = random.Random(11)
    today = date.today()
    for offset in rng.sample(range(70), 3):
        with scope(agency=agency):
            Holiday.objects.get_or_create(agency=agency, date=today + timedelta(days=offset),
                                          defaults={"name": "holiday"})
    project = f.ProjectFactory(client=f.ClientFactory(agency=agency))
    people = [f.MembershipFactory(agency=agency, role="specialist") for _ in range(3)]
    for person in people:
        start = today + timedelta(days=rng.randint(-3, 30))
        f.TimeOffFactory(agency=agency, user=person.user, start_date=start, end_date=start + timedelta(
            days=rng.randint(0, 9)))
    for _ in range(120):
        person = rng.choice(people)
        start = today + timedelta(days=rng.randint(-20, 70)) if rng.random() < 0.8 else None
        due = (start + timedelta(days=rng.randint(0, 40)) if start else today + timedelta(days=rng.randint(-5, 40))
               ) if rng.random() < 0.9 else None  # the database keeps due ≥ start
        task = f.ProjectTaskFactory(project=project, assignee=person.user, start_date=start, due_date=due,
                                    estimate_hours=D(rng.randint(1, 60)))
        if rng.random() < 0.4:
            f.TimeEntryFactory(project=project, task=task, user=person.user, hours=D(rng.randint(1, 20)),
                               date=today - timedelta(days=1))
    with scope(agency=agency):
        overview = capacity.capacity_overview(agency=agency, today=today)
        calendar = capacity.work_calendar(agency=agency, start=today, end=today + timedelta(days=500))
        for person in people:
            got = next(p for p in overview.people if p.membership.pk == person.pk)
            off = [(o.start_date, o.end_date) for o in TimeOff.objects.filter(user=person.user)]
            tasks = [{"id": t.pk, "project_id": t.project_id, "project__name": project.name, "title": t.title,
                      "estimate_hours": t.estimate_hours, "start_date": t.start_date, "due_date": t.due_date,
                      "logged": sum((e.hours for e in TimeEntry.objects.filter(task=t)), D(0))}
                     for t in ProjectTask.objects.filter(assignee=person.user)]
            want = capacity.person_capacity(membership=person, calendar=calendar, off=off, tasks=tasks, today=today)
            assert [w.booked for w in got.weeks] == [w.booked for w in want.weeks]
            assert [w.capacity for w in got.weeks] == [w.capacity for w in want.weeks]
            assert got.beyond == want.beyond and got.undated_hours == want.undated_hours
