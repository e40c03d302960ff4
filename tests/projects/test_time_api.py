"""The time API: entries (same validation as the pages), the running timer, time off, capacity."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django_scopes import scope

from projects.models import TimeEntry
from projects.services import time as svc
from tests import factories as f
from tests.conftest import login

pytestmark = pytest.mark.django_db
JSON = "application/json"


@pytest.fixture
def world(alice_world):
    agency = alice_world.agency
    role = f.RateRoleFactory(agency=agency, hourly_rate=2500, cost_rate=1000)
    project = f.ProjectFactory(client=f.ClientFactory(agency=agency))
    f.ProjectMemberFactory(project=project, user=alice_world.specialist.user, role=role)
    alice_world.project = project
    alice_world.task = f.ProjectTaskFactory(project=project, role=role, assignee=alice_world.specialist.user)
    return alice_world


def _today(world):
    return svc.agency_today(world.agency).isoformat()


def test_create_list_filter_and_patch_entries(world):
    http = login(world.specialist)
    created = http.post("/api/v1/time-entries/", {"project": str(world.project.pk), "task": str(world.task.pk),
                                                  "date": _today(world), "hours": "2.25"}, content_type=JSON)
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["user"] == world.specialist.user.email and body["sell_rate"] == "2500.00"
    assert body["cost_rate"] is None  # a specialist does not see internal cost
    director = login(world.director)
    listed = director.get(f"/api/v1/time-entries/?project={world.project.pk}&date_after={_today(world)}")
    assert listed.json()["count"] == 1 and listed.json()["results"][0]["cost_rate"] == "1000.00"
    assert director.get("/api/v1/time-entries/?user=nobody@example.com").json()["count"] == 0
    patched = http.patch(f"/api/v1/time-entries/{body['id']}/", {"hours": "3"}, content_type=JSON)
    assert patched.status_code == 200 and patched.json()["hours"] == "3.00"
    # The AM may read, not change someone else's entry.
    am = login(world.am)
    assert am.patch(f"/api/v1/time-entries/{body['id']}/", {"hours": "1"}, content_type=JSON).status_code in (403,
                                                                                                                 404)
    assert http.delete(f"/api/v1/time-entries/{body['id']}/").status_code == 204


@pytest.mark.parametrize(("payload", "field"), [
    ({"hours": "25"}, "hours"),
    ({"hours": "0"}, "hours"),
    ({"days": 1}, "date"),
])
def test_bad_entries_answer_400(world, payload, field):
    http = login(world.specialist)
    day = svc.agency_today(world.agency) + timedelta(days=payload.pop("days", 0))
    data = {"project": str(world.project.pk), "date": day.isoformat(), "hours": "1", **payload}
    answer = http.post("/api/v1/time-entries/", data, content_type=JSON)
    assert answer.status_code == 400 and field in answer.json(), answer.content


def test_day_limit_over_the_api_and_a_project_the_specialist_is_not_on(world):
    http = login(world.specialist)
    f.TimeEntryFactory(project=world.project, user=world.specialist.user, hours=23, date=svc.agency_today(
        world.agency))
    answer = http.post("/api/v1/time-entries/", {"project": str(world.project.pk), "date": _today(world),
                                                 "hours": "2"}, content_type=JSON)
    assert answer.status_code == 400 and answer.json()["code"] == "over_day"
    hidden = f.ProjectFactory(client=world.project.client)
    answer = http.post("/api/v1/time-entries/", {"project": str(hidden.pk), "date": _today(world), "hours": "1"},
                       content_type=JSON)
    assert answer.status_code == 400 and "project" in answer.json()


def test_another_agencys_entries_and_time_off_are_not_found(world, bob_world):
    foreign = f.TimeEntryFactory(project=f.ProjectFactory(client=f.ClientFactory(agency=bob_world.agency)))
    off = f.TimeOffFactory(agency=bob_world.agency, user=bob_world.director.user)
    http = login(world.director)
    assert http.get(f"/api/v1/time-entries/{foreign.pk}/").status_code == 404
    assert http.delete(f"/api/v1/time-entries/{foreign.pk}/").status_code == 404
    assert http.get(f"/api/v1/time-off/{off.pk}/").status_code == 404
    assert http.post("/api/v1/time-entries/", {"project": str(foreign.project_id), "date": _today(world),
                                               "hours": "1"}, content_type=JSON).status_code == 400
    assert http.post("/api/v1/timer/start/", {"project": str(foreign.project_id)},
                     content_type=JSON).status_code == 400
    assert http.get("/api/v1/time-entries/").json()["count"] == 0


def test_the_timer_over_the_api(world):
    http = login(world.specialist)
    assert http.get("/api/v1/timer/current/").json() == {"running": None}
    started = http.post("/api/v1/timer/start/", {"project": str(world.project.pk), "task": str(world.task.pk)},
                        content_type=JSON)
    assert started.status_code == 201 and started.json()["is_running"]
    assert http.get("/api/v1/timer/current/").json()["running"]["id"] == started.json()["id"]
    stopped = http.post("/api/v1/timer/stop/", content_type=JSON)
    assert stopped.status_code == 200 and stopped.json()["entries"][0]["hours"] == "0.05"
    assert http.post("/api/v1/timer/stop/", content_type=JSON).json() == {"entries": []}
    with scope(agency=world.agency):
        assert TimeEntry.objects.get().hours == Decimal("0.05")


def test_time_off_api_own_only_directors_for_anyone(world):
    start = (svc.agency_today(world.agency) + timedelta(days=3)).isoformat()
    http = login(world.specialist)
    own = http.post("/api/v1/time-off/", {"start_date": start, "end_date": start}, content_type=JSON)
    assert own.status_code == 201 and own.json()["user"] == world.specialist.user.email
    other = http.post("/api/v1/time-off/", {"start_date": start, "end_date": start, "user": world.am.user.email},
                      content_type=JSON)
    assert other.status_code == 400
    director = login(world.director)
    assert director.post("/api/v1/time-off/", {"start_date": start, "end_date": start, "user": world.am.user.email},
                         content_type=JSON).status_code == 201
    assert director.get("/api/v1/time-off/").json()["count"] == 2
    assert http.get("/api/v1/time-off/").json()["count"] == 1
    assert http.post("/api/v1/time-off/", {"start_date": start, "end_date": "2000-01-01"},
                     content_type=JSON).status_code == 400


def test_capacity_api(world):
    f.ProjectTaskFactory(project=world.project, assignee=world.specialist.user, estimate_hours=10,
                         due_date=svc.agency_today(world.agency))
    answer = login(world.am).get("/api/v1/capacity/")
    assert answer.status_code == 200
    people = {p["email"]: p for p in answer.json()["results"]}
    me = people[world.specialist.user.email]
    assert len(me["weeks"]) == 8 and Decimal(me["weeks"][0]["booked"]) == 10
    assert login(world.am).get("/api/v1/capacity/?role=nope").status_code == 400
    assert login(world.am).get(f"/api/v1/capacity/?role={f.RateRoleFactory(agency=world.agency).pk}").json()[
        "count"] == 0
