"""Time pages: the project's Time and Budget tabs, the weekly timesheet (HTMX cells), the timer, time off,
capacity — visibility, cross-tenant 404s, costs only with project.view_costs, constant query counts."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django_scopes import scope

from projects.models import TimeEntry, TimeOff
from projects.services import time as svc
from tests import factories as f
from tests.conftest import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(alice_world):
    agency = alice_world.agency
    role = f.RateRoleFactory(agency=agency, hourly_rate=3000, cost_rate=1234)
    project = f.ProjectFactory(client=f.ClientFactory(agency=agency, owner=alice_world.am.user))
    f.ProjectMemberFactory(project=project, user=alice_world.specialist.user, role=role)
    task = f.ProjectTaskFactory(project=project, assignee=alice_world.specialist.user, role=role)
    f.BudgetLineFactory(project=project, role=role, hours=40, sell_rate=3000, cost_rate=1234, amount=120000,
                        cost_amount=49360)
    alice_world.project, alice_world.task, alice_world.role = project, task, role
    return alice_world


def _today(world):
    return svc.agency_today(world.agency)


def test_quick_entry_on_the_time_tab_and_the_list(world, django_assert_max_num_queries):
    http = login(world.specialist)
    url = reverse("projects:time", args=[world.project.pk])
    answer = http.post(url, {"entry-task": world.task.pk, "entry-date": _today(world).isoformat(),
                             "entry-hours": "1,5", "entry-note": "макет", "entry-billable": "on"})
    assert answer.status_code == 302
    with scope(agency=world.agency):
        entry = TimeEntry.objects.get(user=world.specialist.user)
    assert entry.hours == Decimal("1.50") and entry.note == "макет" and entry.sell_rate == 3000
    # A future day answers 422 with the form and its message.
    refused = http.post(url, {"entry-date": (_today(world) + timedelta(days=1)).isoformat(), "entry-hours": "1"},
                        HTTP_HX_REQUEST="true")
    assert refused.status_code == 422 and b'id="time-entry-form"' in refused.content
    for n in range(30):
        f.TimeEntryFactory(project=world.project, user=f.MembershipFactory(agency=world.agency).user,
                           task=world.task, hours=1, date=_today(world) - timedelta(days=n % 5))
    with django_assert_max_num_queries(16):
        page = http.get(url)
    assert page.status_code == 200 and str(entry.pk) in page.content.decode()
    # No cost for a specialist: neither the rate nor the entry's cost, as money (factory names carry numbers too).
    compact = "".join(page.content.decode().split()).replace("\u202f", "")
    assert "1234₽" not in compact and "1851₽" not in compact
    director = login(world.director).get(url).content.decode().replace("\u202f", "")
    assert "1851" in director and "1851₽" in "".join(director.split())  # 1.5 h × 1 234 = 1 851 at internal cost, shown with project.view_costs
    filtered = http.get(url + f"?user={world.specialist.user.uuid}")
    assert filtered.content.decode().count('id="entry-') == 1


def test_a_specialist_not_on_the_project_cannot_see_or_log(world):
    elsewhere = f.ProjectFactory(client=world.project.client)
    http = login(world.specialist)
    assert http.get(reverse("projects:time", args=[elsewhere.pk])).status_code == 404
    assert http.post(reverse("projects:time", args=[elsewhere.pk]), {"entry-hours": "1"}).status_code == 404


def test_time_and_budget_tabs_of_another_agency_answer_404(world, bob_world):
    foreign = f.ProjectFactory(client=f.ClientFactory(agency=bob_world.agency))
    entry = f.TimeEntryFactory(project=foreign)
    off = f.TimeOffFactory(agency=bob_world.agency, user=bob_world.director.user)
    http = login(world.director)
    for url in (reverse("projects:time", args=[foreign.pk]), reverse("projects:budget", args=[foreign.pk]),
                reverse("projects:time_entry_edit", args=[entry.pk]),
                reverse("projects:time_off_edit", args=[off.pk])):
        assert http.get(url).status_code == 404, url
    assert http.post(reverse("projects:time_entry_delete", args=[entry.pk])).status_code == 404
    assert http.post(reverse("projects:time_off_delete", args=[off.pk])).status_code == 404
    assert http.post(reverse("projects:member_capacity", args=[bob_world.specialist.uuid]),
                     {"weekly_capacity_hours": "10"}).status_code == 404


def test_edit_and_delete_only_ones_own_entry(world):
    with scope(agency=world.agency):
        entry = svc.time_entry_create(agency=world.agency, membership=world.specialist, project=world.project,
                                      task=world.task, day=_today(world), hours=2)
    am = login(world.am)
    assert am.get(reverse("projects:time_entry_edit", args=[entry.pk])).status_code == 403
    assert am.post(reverse("projects:time_entry_delete", args=[entry.pk])).status_code == 403
    own = login(world.specialist)
    answer = own.post(reverse("projects:time_entry_edit", args=[entry.pk]),
                      {"task": world.task.pk, "date": _today(world).isoformat(), "hours": "30", "billable": "on"})
    assert answer.status_code == 422
    answer = own.post(reverse("projects:time_entry_edit", args=[entry.pk]),
                      {"task": world.task.pk, "date": _today(world).isoformat(), "hours": "3", "billable": "on"})
    assert answer.status_code == 302
    assert own.post(reverse("projects:time_entry_delete", args=[entry.pk]), HTTP_HX_REQUEST="true").status_code == 200
    with scope(agency=world.agency):
        assert not TimeEntry.objects.filter(pk=entry.pk).exists()


def test_weekly_timesheet_grid_cell_save_and_query_count(world, django_assert_max_num_queries):
    http = login(world.specialist)
    today = _today(world)
    monday = today - timedelta(days=today.weekday())
    week = svc.week_label(monday)
    for _n in range(8):
        f.ProjectTaskFactory(project=world.project, assignee=world.specialist.user)
        other = f.ProjectFactory(client=world.project.client, manager=world.specialist.user)
        f.TimeEntryFactory(project=other, user=world.specialist.user, hours=1, date=monday)
    with django_assert_max_num_queries(16):
        page = http.get(reverse("projects:timesheet") + f"?week={week}")
    assert page.status_code == 200
    key = svc.cell_key(project_id=world.project.pk, task_id=world.task.pk, day=today)
    assert f'id="{key}"'.encode() in page.content
    saved = http.post(reverse("projects:timesheet_cell"), {"week": week, "cell": key, key: "2,5"},
                      HTTP_HX_REQUEST="true")
    assert saved.status_code == 200 and b'id="week-total" hx-swap-oob="true"' in saved.content
    with scope(agency=world.agency):
        assert TimeEntry.objects.get(task=world.task).hours == Decimal("2.50")
    refused = http.post(reverse("projects:timesheet_cell"), {"week": week, "cell": key, key: "40"},
                        HTTP_HX_REQUEST="true")
    assert refused.status_code == 422 and b"invalid-feedback" in refused.content
    # A cell of a project the specialist is not on is refused, not saved.
    hidden = f.ProjectFactory(client=world.project.client)
    foreign_key = svc.cell_key(project_id=hidden.pk, task_id=None, day=today)
    assert http.post(reverse("projects:timesheet_cell"), {"week": week, "cell": foreign_key, foreign_key: "1"},
                     HTTP_HX_REQUEST="true").status_code == 422
    with scope(agency=world.agency):
        assert not TimeEntry.objects.filter(project=hidden).exists()


def test_the_whole_week_form_saves_or_shows_every_bad_cell(world):
    http = login(world.specialist)
    today = _today(world)
    monday = today - timedelta(days=today.weekday())
    week = svc.week_label(monday)
    good = svc.cell_key(project_id=world.project.pk, task_id=world.task.pk, day=monday)
    bad = svc.cell_key(project_id=world.project.pk, task_id=None, day=monday)
    answer = http.post(reverse("projects:timesheet") + f"?week={week}", {"week": week, good: "3", bad: "25"})
    assert answer.status_code == 422 and b'id="timesheet-errors"' in answer.content
    with scope(agency=world.agency):
        assert not TimeEntry.objects.filter(user=world.specialist.user).exists()
    answer = http.post(reverse("projects:timesheet") + f"?week={week}", {"week": week, good: "3", bad: "1"})
    assert answer.status_code == 302
    with scope(agency=world.agency):
        assert TimeEntry.objects.filter(user=world.specialist.user).count() == 2


def test_timer_from_the_timesheet_and_the_indicator(world):
    http = login(world.specialist)
    assert http.get(reverse("projects:timer")).content.strip() == b""
    answer = http.post(reverse("projects:timer_start"), {"target": f"{world.project.pk}:{world.task.pk}"})
    assert answer.status_code == 302
    assert b'id="timer-indicator"' in http.get(reverse("projects:timer")).content
    assert b'id="timer-stop"' in http.get(reverse("projects:timesheet")).content
    assert http.post(reverse("projects:timer_stop")).status_code == 302
    with scope(agency=world.agency):
        entry = TimeEntry.objects.get(user=world.specialist.user)
    assert entry.started_at is None and entry.hours == Decimal("0.05")
    # Not on another project's task, nor another agency's.
    hidden = f.ProjectFactory(client=world.project.client)
    http.post(reverse("projects:timer_start"), {"target": f"{hidden.pk}:"})
    with scope(agency=world.agency):
        assert not TimeEntry.objects.filter(started_at__isnull=False).exists()


def test_time_off_pages_own_and_directors_for_anyone(world, bob_world):
    start = _today(world) + timedelta(days=10)
    own = login(world.specialist)
    assert own.post(reverse("projects:time_off"), {"start_date": start.isoformat(), "end_date": start.isoformat(),
                                                   "kind": TimeOff.Kind.VACATION}).status_code == 302
    refused = own.post(reverse("projects:time_off"), {"start_date": start.isoformat(),
                                                      "end_date": (start - timedelta(days=1)).isoformat(),
                                                      "kind": TimeOff.Kind.VACATION})
    assert refused.status_code == 422
    director = login(world.director)
    assert director.post(reverse("projects:time_off"), {
        "user": world.am.user.pk, "start_date": start.isoformat(), "end_date": start.isoformat(),
        "kind": TimeOff.Kind.SICK}).status_code == 302
    with scope(agency=world.agency):
        offs = {o.user_id: o for o in TimeOff.objects.all()}
    assert set(offs) == {world.specialist.user_id, world.am.user_id}
    # The AM's time off is not the specialist's to see or change.
    assert own.get(reverse("projects:time_off_edit", args=[offs[world.am.user_id].pk])).status_code == 404
    assert str(offs[world.am.user_id].pk) in director.get(reverse("projects:time_off")).content.decode()
    assert director.post(reverse("projects:time_off_delete", args=[offs[world.am.user_id].pk])).status_code == 302


def test_budget_tab_shows_burn_and_costs_only_with_view_costs(world, django_assert_max_num_queries):
    f.TimeEntryFactory(project=world.project, task=world.task, user=world.specialist.user, role=world.role,
                       hours=10, sell_rate=3000, cost_rate=1234, date=_today(world))
    url = reverse("projects:budget", args=[world.project.pk])
    http = login(world.director)
    with django_assert_max_num_queries(8):
        director = http.get(url)
    assert director.status_code == 200 and b'id="burn-roles"' in director.content
    assert b'id="burn-margin"' in director.content
    specialist = login(world.specialist).get(url)
    assert specialist.status_code == 200 and b'id="burn-margin"' not in specialist.content
    empty = f.ProjectFactory(client=world.project.client)
    assert b'id="burn-empty"' in login(world.director).get(reverse("projects:budget", args=[empty.pk])).content


def test_capacity_page_constant_queries_and_the_directors_capacity_form(world, django_assert_max_num_queries):
    for _n in range(5):
        member = f.MembershipFactory(agency=world.agency, role="specialist")
        for k in range(3):
            f.ProjectTaskFactory(project=world.project, assignee=member.user, estimate_hours=30,
                                 due_date=_today(world) + timedelta(days=k))
    url = reverse("projects:capacity")
    http = login(world.am)
    with django_assert_max_num_queries(12):
        page = http.get(url)
    assert page.status_code == 200 and b'data-state="over"' in page.content
    assert b'name="weekly_capacity_hours"' not in page.content  # only directors change capacity
    assert http.post(reverse("projects:member_capacity", args=[world.specialist.uuid]),
                     {"weekly_capacity_hours": "20"}).status_code == 403
    director = login(world.director)
    assert director.post(reverse("projects:member_capacity", args=[world.specialist.uuid]),
                         {"weekly_capacity_hours": "20"}).status_code == 302
    assert director.post(reverse("projects:member_capacity", args=[world.specialist.uuid]),
                         {"weekly_capacity_hours": "200"}).status_code == 422
    world.specialist.refresh_from_db()
    assert world.specialist.weekly_capacity_hours == Decimal("20.0")
    assert login(world.client_contact).get(url).status_code == 302
    assert http.get(url + f"?role={world.role.pk}&state=over").status_code == 200
