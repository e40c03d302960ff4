"""Tasks an AM adds in the evening and the deals a task can link to.

A date-only task is due during that day (at its end, in the user's time zone): added at 22:00 for today it
is not overdue the moment it exists (it used to default to 19:00). The task form's deal list follows the
chosen client (HTMX) and includes won deals (follow-ups after the win), not lost ones."""
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from clients.models import Deal, Task
from tests.conftest import login
from tests.factories import ClientFactory, DealFactory

pytestmark = pytest.mark.django_db
MSK = ZoneInfo("Europe/Moscow")
EVENING = datetime(2026, 3, 2, 22, 0, tzinfo=MSK)


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


def _task(title) -> Task:
    with scopes_disabled():
        return Task.objects.get(title=title)


@time_machine.travel(EVENING, tick=False)
def test_a_quick_task_for_today_added_at_ten_pm_is_not_overdue(alice_world):
    client = ClientFactory(agency=alice_world.agency, owner=alice_world.am.user)
    http = login(alice_world.am)
    response = http.post(f"/clients/tasks/new/?client={client.pk}", {
        "quick": "1", "title": "Позвонить Анне", "kind": "call", "due_date": "2026-03-02"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    task = _task("Позвонить Анне")
    local = timezone.localtime(task.due_at, MSK)
    assert (local.date().isoformat(), local.hour, local.minute) == ("2026-03-02", 23, 59)
    assert not task.is_overdue
    today = http.get("/today/").content.decode()
    assert "Позвонить Анне" in today


@time_machine.travel(EVENING, tick=False)
def test_a_full_task_without_a_time_is_due_by_the_end_of_the_day(alice_world):
    client = ClientFactory(agency=alice_world.agency, owner=alice_world.am.user)
    http = login(alice_world.am)
    response = http.post("/clients/tasks/new/", {"title": "Выслать договор", "kind": "task", "priority": "normal",
                                                 "due_date": "2026-03-02", "client": client.pk,
                                                 "assignee": alice_world.am.user.pk})
    assert response.status_code == 302, response.content.decode()[:400]
    task = _task("Выслать договор")
    assert not task.is_overdue and timezone.localtime(task.due_at, MSK).hour == 23
    edit = http.get(f"/clients/tasks/{task.pk}/edit/").content.decode()
    assert 'value="2026-03-02"' in edit and 'value="23:59"' not in edit  # still "no particular time"


def test_the_deal_list_follows_the_client_and_includes_won_deals(alice_world, bob_world):
    agency = alice_world.agency
    mine = ClientFactory(agency=agency, name="Свой бренд", owner=alice_world.am.user)
    other = ClientFactory(agency=agency, name="Другой бренд", owner=alice_world.am.user)
    open_deal = DealFactory(agency=agency, client=mine, title="SMM весна", stage=Deal.Stage.NEGOTIATION)
    won = DealFactory(agency=agency, client=mine, title="SEO на год", stage=Deal.Stage.WON)
    DealFactory(agency=agency, client=mine, title="Проигранная", stage=Deal.Stage.LOST)
    DealFactory(agency=agency, client=other, title="Чужая сделка", stage=Deal.Stage.NEW)
    http = login(alice_world.am)

    options = http.get(reverse("clients:task_deal_options"), {"client": mine.pk, "deal": won.pk},
                       HTTP_HX_REQUEST="true").content.decode()
    assert "SMM весна" in options and "SEO на год" in options
    assert "Проигранная" not in options and "Чужая сделка" not in options
    assert f'value="{won.pk}" selected' in options

    form = http.get(f"/clients/tasks/new/?client={mine.pk}").content.decode()
    assert "SEO на год" in form and "Чужая сделка" not in form
    assert f'hx-get="{reverse("clients:task_deal_options")}"' in form and 'hx-target="#id_deal"' in form

    # A bound form narrows to the client just picked, and the server refuses a mismatched deal.
    response = http.post("/clients/tasks/new/", {"title": "Сверка", "kind": "task", "priority": "normal",
                                                 "client": other.pk, "deal": open_deal.pk})
    assert response.status_code == 422 and "Чужая сделка" in response.content.decode()
    assert "SMM весна" not in response.content.decode()

    foreign = ClientFactory(agency=bob_world.agency)
    assert http.get(reverse("clients:task_deal_options"), {"client": foreign.pk}).status_code == 404
    assert http.get(reverse("clients:task_deal_options"), {"client": "not-a-uuid"}).status_code == 404
