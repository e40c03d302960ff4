"""REST API of the work area: milestones, project tasks (with predecessors), task comments."""
import datetime

import pytest
from django_scopes import scopes_disabled

from projects.models import Milestone, ProjectTask, TaskDependency
from tests import factories as f
from tests.conftest import login

pytestmark = pytest.mark.django_db
JSON = "application/json"
D = datetime.date


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def setup(alice_world, bob_world):
    w = alice_world
    client = f.ClientFactory(agency=w.agency, owner=w.am.user)
    team = f.ProjectFactory(client=client)
    f.ProjectMemberFactory(project=team, user=w.specialist.user)
    outside = f.ProjectFactory(client=client)
    foreign = f.ProjectFactory(client=f.ClientFactory(agency=bob_world.agency))
    return team, outside, foreign


def test_api_tasks_create_filter_and_predecessors(alice_world, setup, django_assert_max_num_queries):
    team, _, foreign = setup
    http = login(alice_world.am)
    first = http.post("/api/v1/project-tasks/", {"project": str(team.pk), "title": "Концепция",
                                                 "due_date": "2026-12-10", "estimate_hours": "6",
                                                 "assignee": alice_world.specialist.user.email}, content_type=JSON)
    assert first.status_code == 201, first.content
    assert first.json()["baseline_due_date"] == "2026-12-10" and first.json()["predecessors"] == []
    second = http.post("/api/v1/project-tasks/", {"project": str(team.pk), "title": "Макеты",
                                                  "predecessors": [first.json()["id"]]}, content_type=JSON)
    assert second.status_code == 201 and second.json()["predecessors"] == [first.json()["id"]]
    loop = http.patch(f"/api/v1/project-tasks/{first.json()['id']}/", {"predecessors": [second.json()["id"]]},
                      content_type=JSON)
    assert loop.status_code == 400 and loop.json()["code"] == "cycle"
    bad = http.post("/api/v1/project-tasks/", {"project": str(team.pk), "title": "X", "start_date": "2026-12-05",
                                               "due_date": "2026-12-01", "estimate_hours": "-1"}, content_type=JSON)
    assert bad.status_code == 400 and {"due_date", "estimate_hours"} & set(bad.json())
    assert http.post("/api/v1/project-tasks/", {"project": str(foreign.pk), "title": "X"},
                     content_type=JSON).status_code == 400
    for _ in range(30):
        f.TaskDependencyFactory(successor=f.ProjectTaskFactory(project=team, assignee=alice_world.am.user))
    with django_assert_max_num_queries(8):
        listing = http.get(f"/api/v1/project-tasks/?project={team.pk}")
    assert listing.json()["count"] == 62
    mine = http.get(f"/api/v1/project-tasks/?assignee={alice_world.specialist.user.email}").json()
    assert [t["title"] for t in mine["results"]] == ["Концепция"]
    cleared = http.patch(f"/api/v1/project-tasks/{second.json()['id']}/", {"predecessors": []}, content_type=JSON)
    assert cleared.status_code == 200 and cleared.json()["predecessors"] == []


def test_api_status_moves_by_the_team_and_management_by_managers(alice_world, setup):
    team, outside, foreign = setup
    task = f.ProjectTaskFactory(project=team)
    hidden = f.ProjectTaskFactory(project=outside)
    foreign_task = f.ProjectTaskFactory(project=foreign)
    http = login(alice_world.specialist)
    moved = http.patch(f"/api/v1/project-tasks/{task.pk}/", {"status": "client_approval"}, content_type=JSON)
    assert moved.status_code == 200 and moved.json()["status_changed_at"]
    assert http.patch(f"/api/v1/project-tasks/{task.pk}/", {"title": "Новое"}, content_type=JSON).status_code == 403
    assert http.delete(f"/api/v1/project-tasks/{task.pk}/").status_code == 403
    assert http.get(f"/api/v1/project-tasks/{hidden.pk}/").status_code == 404
    assert login(alice_world.director).get(f"/api/v1/project-tasks/{foreign_task.pk}/").status_code == 404
    done = login(alice_world.am).patch(f"/api/v1/project-tasks/{task.pk}/", {"status": "done"}, content_type=JSON)
    assert done.json()["completed_at"]
    assert login(alice_world.am).delete(f"/api/v1/project-tasks/{task.pk}/").status_code == 204
    with scopes_disabled():
        assert not ProjectTask.objects.filter(pk=task.pk).exists()


def test_api_milestones(alice_world, setup):
    team, _, foreign = setup
    http = login(alice_world.am)
    created = http.post("/api/v1/milestones/", {"project": str(team.pk), "title": "Запуск", "due_date": "2026-12-20"},
                        content_type=JSON)
    assert created.status_code == 201 and created.json()["baseline_due_date"] == "2026-12-20"
    mid = created.json()["id"]
    moved = http.patch(f"/api/v1/milestones/{mid}/", {"due_date": "2026-12-28", "reached": True}, content_type=JSON)
    assert moved.json()["baseline_due_date"] == "2026-12-20" and moved.json()["reached_at"]
    assert http.get(f"/api/v1/milestones/?project={team.pk}&reached=true").json()["count"] == 1
    foreign_m = f.MilestoneFactory(project=foreign)
    assert http.get(f"/api/v1/milestones/{foreign_m.pk}/").status_code == 404
    specialist = login(alice_world.specialist)
    assert specialist.get(f"/api/v1/milestones/{mid}/").status_code == 200
    assert specialist.patch(f"/api/v1/milestones/{mid}/", {"title": "X"}, content_type=JSON).status_code == 403
    assert http.delete(f"/api/v1/milestones/{mid}/").status_code == 204
    with scopes_disabled():
        assert not Milestone.objects.filter(pk=mid).exists()


def test_api_comments_with_mentions(alice_world, setup):
    team, outside, foreign = setup
    task = f.ProjectTaskFactory(project=team)
    hidden = f.ProjectTaskFactory(project=outside)
    http = login(alice_world.specialist)
    created = http.post("/api/v1/task-comments/", {"task": str(task.pk), "body": "@am2 посмотри"}, content_type=JSON)
    assert created.status_code == 201
    assert created.json()["mentions"] == [alice_world.am2.user.email]
    assert created.json()["author"] == alice_world.specialist.user.email
    assert http.post("/api/v1/task-comments/", {"task": str(hidden.pk), "body": "x"},
                     content_type=JSON).status_code == 400
    assert http.get(f"/api/v1/task-comments/?task={task.pk}").json()["count"] == 1
    foreign_comment = f.TaskCommentFactory(task=f.ProjectTaskFactory(project=foreign))
    assert login(alice_world.director).get(f"/api/v1/task-comments/{foreign_comment.pk}/").status_code == 404
    other = f.TaskCommentFactory(task=task, author=alice_world.am.user)
    assert http.delete(f"/api/v1/task-comments/{other.pk}/").status_code == 403
    assert http.delete(f"/api/v1/task-comments/{created.json()['id']}/").status_code == 204
    with scopes_disabled():
        assert TaskDependency.objects.count() == 0
