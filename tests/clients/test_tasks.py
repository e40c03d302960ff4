"""Tasks and follow-ups: the service rules, the list with its filters, complete/reopen in place, the client block
and the API."""
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from clients.models import Task
from clients.services import tasks as services
from mrm.core.errors import ServiceError
from mrm.tenancy.models import AuditLog
from tests.conftest import login
from tests.factories import ClientFactory, DealFactory, TaskFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"  # assertions read the English source strings


@pytest.fixture
def desk(alice_world):
    w = alice_world
    mine = ClientFactory(agency=w.agency, name="Свой бренд", owner=w.am.user)
    other = ClientFactory(agency=w.agency, name="Чужой бренд", owner=w.am2.user)
    now = timezone.now()
    tasks = {
        "overdue": TaskFactory(agency=w.agency, title="Отправить отчёт", assignee=w.am.user, client=mine,
                               due_at=now - timedelta(days=2)),
        "later": TaskFactory(agency=w.agency, title="Созвон по медиаплану", assignee=w.am.user, client=mine,
                             due_at=now + timedelta(days=3), kind=Task.Kind.CALL),
        "done": TaskFactory(agency=w.agency, title="Выслать договор", assignee=w.am.user, client=mine,
                            done_at=now - timedelta(hours=1)),
        "colleague": TaskFactory(agency=w.agency, title="Задача коллеги", assignee=w.am2.user, client=other,
                                 due_at=now + timedelta(days=1)),
    }
    return mine, other, tasks


def _task(pk) -> Task:
    with scopes_disabled():
        return Task.objects.get(pk=pk)


def test_task_create_defaults_to_the_author_and_takes_the_deals_client(alice_world, desk):
    mine, other, _tasks = desk
    w = alice_world
    deal = DealFactory(agency=w.agency, client=mine)
    with scope(agency=w.agency):
        task = services.task_create(agency=w.agency, actor=w.am.user, data={"title": "Follow up", "deal": deal,
                                                                            "kind": Task.Kind.FOLLOW_UP})
        assert task.assignee == w.am.user and task.client == mine
        with pytest.raises(ServiceError) as err:
            services.task_create(agency=w.agency, actor=w.am.user, data={"title": "x", "deal": deal, "client": other})
        assert err.value.field == "deal"
        with pytest.raises(ServiceError) as err:
            services.task_create(agency=w.agency, actor=w.am.user,
                                 data={"title": "x", "due_at": timezone.now() - timedelta(days=2)})
        assert err.value.field == "due_at"
        with pytest.raises(ServiceError):
            services.task_create(agency=w.agency, actor=w.am.user, data={"title": "x", "assignee": w.client_contact.user})


def test_complete_and_reopen_are_idempotent_and_audited(alice_world, desk):
    _mine, _other, tasks = desk
    w = alice_world
    with scope(agency=w.agency):
        done = services.task_complete(agency=w.agency, actor=w.am.user, task=tasks["overdue"])
        again = services.task_complete(agency=w.agency, actor=w.am.user, task=done)
        assert done.done_at is not None and again.done_at == done.done_at and done.done_by == w.am.user
        reopened = services.task_reopen(agency=w.agency, actor=w.am.user, task=done)
        assert reopened.done_at is None and reopened.done_by is None
    with scopes_disabled():
        actions = list(AuditLog.objects.filter(agency=w.agency, target_id=str(tasks["overdue"].pk))
                       .order_by("created_at").values_list("action", flat=True))
    assert actions == ["task.completed", "task.reopened"]


def test_task_list_filters_mine_all_open_done_overdue(alice_world, desk):
    http = login(alice_world.am)
    page = http.get("/clients/tasks/").content.decode()
    assert "Отправить отчёт" in page and "Созвон по медиаплану" in page
    assert "Выслать договор" not in page and "Задача коллеги" not in page
    page = http.get("/clients/tasks/?state=done").content.decode()
    assert "Выслать договор" in page and "Отправить отчёт" not in page
    page = http.get("/clients/tasks/?overdue=on").content.decode()
    assert "Отправить отчёт" in page and "Созвон по медиаплану" not in page
    page = http.get("/clients/tasks/?scope=all").content.decode()
    assert "Задача коллеги" not in page  # the AM does not see the other AM's client
    director = login(alice_world.director).get("/clients/tasks/?scope=all").content.decode()
    assert "Задача коллеги" in director and "Отправить отчёт" in director
    assert "Отправить отчёт" not in login(alice_world.director).get("/clients/tasks/").content.decode()
    assert http.get("/clients/tasks/?state=nonsense&sort=evil&client=42").status_code == 200


def test_toggle_completes_in_place_with_htmx_and_redirects_without(alice_world, desk):
    _mine, _other, tasks = desk
    http = login(alice_world.am)
    response = http.post(f"/clients/tasks/{tasks['overdue'].pk}/toggle/", {"show_client": "1"},
                         HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200 and 'aria-checked="true"' in body and "is-done" in body
    assert body.lstrip().startswith(f'<div class="mrm-task is-done" id="task-{tasks["overdue"].pk}"')
    assert _task(tasks["overdue"].pk).done_at is not None
    response = http.post(f"/clients/tasks/{tasks['overdue'].pk}/toggle/", {"next": "/clients/tasks/?state=done"})
    assert response.status_code == 302 and response["Location"] == "/clients/tasks/?state=done"
    assert _task(tasks["overdue"].pk).done_at is None
    evil = http.post(f"/clients/tasks/{tasks['later'].pk}/toggle/", {"next": "https://evil.example/"})
    assert evil["Location"] == "/clients/tasks/"
    assert http.post(f"/clients/tasks/{tasks['colleague'].pk}/toggle/").status_code == 404
    assert http.get(f"/clients/tasks/{tasks['colleague'].pk}/edit/").status_code == 404


def test_create_task_form_validates_and_keeps_the_input(alice_world, desk):
    mine, _other, _tasks = desk
    http = login(alice_world.am)
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    bad = http.post(f"/clients/tasks/new/?client={mine.pk}", {
        "title": "Подготовить КП", "kind": "task", "priority": "high", "due_date": yesterday, "client": mine.pk})
    assert bad.status_code == 422
    assert "The due date is in the past" in bad.content.decode() and "Подготовить КП" in bad.content.decode()
    time_only = http.post("/clients/tasks/new/", {"title": "x", "kind": "task", "priority": "normal",
                                                  "due_time": "10:00"})
    assert time_only.status_code == 422 and "Pick a date" in time_only.content.decode()
    tomorrow = timezone.localdate() + timedelta(days=1)
    ok = http.post(f"/clients/tasks/new/?client={mine.pk}", {
        "title": "Подготовить КП", "kind": "follow_up", "priority": "high", "due_date": tomorrow.isoformat(),
        "due_time": "15:30", "client": mine.pk, "assignee": alice_world.am.user.pk})
    assert ok.status_code == 302 and ok["Location"] == f"/clients/{mine.pk}/#section-tasks"
    with scopes_disabled():
        task = Task.objects.get(title="Подготовить КП")
    local = timezone.localtime(task.due_at)
    assert (local.date(), local.hour, local.minute) == (tomorrow, 15, 30) and task.kind == Task.Kind.FOLLOW_UP
    edit = http.get(f"/clients/tasks/{task.pk}/edit/").content.decode()
    assert 'value="15:30"' in edit and f'value="{tomorrow.isoformat()}"' in edit


def test_client_block_quick_add_with_htmx(alice_world, desk):
    mine, _other, _tasks = desk
    http = login(alice_world.am)
    page = http.get(f"/clients/{mine.pk}/").content.decode()
    assert 'id="section-tasks"' in page and "Отправить отчёт" in page and "Выслать договор" not in page
    response = http.post(f"/clients/tasks/new/?client={mine.pk}", {"quick": "1", "title": "Позвонить Анне",
                                                                    "kind": "call", "due_date": ""},
                         HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "Позвонить Анне" in response.content.decode()
    empty = http.post(f"/clients/tasks/new/?client={mine.pk}", {"quick": "1", "title": "", "kind": "call"},
                      HTTP_HX_REQUEST="true")
    assert empty.status_code == 422 and "This field is required" in empty.content.decode()


def test_task_list_query_count_is_constant(alice_world, django_assert_max_num_queries):
    w = alice_world
    clients = [ClientFactory(agency=w.agency, owner=w.am.user) for _ in range(10)]
    for i in range(60):
        TaskFactory(agency=w.agency, assignee=w.am.user, client=clients[i % 10],
                    deal=DealFactory(agency=w.agency, client=clients[i % 10]) if i % 3 == 0 else None,
                    due_at=timezone.now() + timedelta(hours=i - 30))
    http = login(w.am)
    with django_assert_max_num_queries(12):
        response = http.get("/clients/tasks/?scope=all")
    assert response.status_code == 200
    assert len(re.findall(r'class="mrm-task(?: is-\w+)?" id="task-', response.content.decode())) == 30


def test_api_tasks_filters_create_complete(alice_world, desk):
    mine, _other, tasks = desk
    http = login(alice_world.am)
    titles = {t["title"] for t in http.get("/api/v1/tasks/").json()["results"]}
    assert titles == {"Отправить отчёт", "Созвон по медиаплану", "Выслать договор"}
    assert [t["title"] for t in http.get("/api/v1/tasks/?overdue=true").json()["results"]] == ["Отправить отчёт"]
    assert [t["title"] for t in http.get("/api/v1/tasks/?is_done=true").json()["results"]] == ["Выслать договор"]
    assert http.get(f"/api/v1/tasks/?assignee={alice_world.am2.user.email}").json()["count"] == 0
    due = (timezone.now() + timedelta(days=2)).isoformat()
    created = http.post("/api/v1/tasks/", {"title": "Через API", "client": str(mine.pk), "due_at": due,
                                           "kind": "follow_up"}, content_type="application/json")
    assert created.status_code == 201 and created.json()["assignee"] == alice_world.am.user.email
    past = http.post("/api/v1/tasks/", {"title": "x", "due_at": "2020-01-01T10:00:00Z"},
                     content_type="application/json")
    assert past.status_code == 400 and "due_at" in past.json()
    url = f"/api/v1/tasks/{tasks['later'].pk}/"
    assert http.patch(url, {"done": True}, content_type="application/json").json()["is_done"] is True
    assert http.patch(url, {"done": False}, content_type="application/json").json()["done_at"] is None
    foreign = http.post("/api/v1/tasks/", {"title": "x", "client": str(desk[1].pk)}, content_type="application/json")
    assert foreign.status_code == 400 and "client" in foreign.json()
    assert http.get(f"/api/v1/tasks/{tasks['colleague'].pk}/").status_code == 404
