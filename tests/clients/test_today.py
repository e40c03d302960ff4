"""The Today page blocks of the CRM: overdue, due today, follow-ups, clients with no contact, unanswered messages."""
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone
from django_scopes import scope

from clients.models import Client, Interaction, Task
from tests.conftest import login
from tests.factories import ClientFactory, InteractionFactory, TaskFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"  # assertions read the English source strings


def _today_at(hour: int):
    return timezone.make_aware(datetime.combine(timezone.localdate(), time(hour, 0)))


def _section(page: str, key: str) -> str:
    start = page.index(f'id="today-{key}"')
    end = page.find('id="today-', start + 10)
    return page[start:end if end > 0 else None]


def test_empty_today_shows_every_block_with_its_empty_state(alice_world):
    page = login(alice_world.am).get("/today/").content.decode()
    assert "Nothing overdue" in _section(page, "overdue")
    assert "No tasks due today" in _section(page, "today")
    assert "No follow-ups due" in _section(page, "follow-ups")
    assert "No client is waiting for an answer" in _section(page, "unanswered")
    # The fixture's client was never contacted: it is flagged.
    assert "Клиент Alice Agency" in _section(page, "no-contact")


def test_today_buckets_tasks_by_urgency(alice_world):
    w = alice_world
    client = ClientFactory(agency=w.agency, owner=w.am.user, name="Бренд")
    now = timezone.now()
    TaskFactory(agency=w.agency, assignee=w.am.user, client=client, title="Просрочено",
                due_at=now - timedelta(days=3))
    TaskFactory(agency=w.agency, assignee=w.am.user, title="Сегодня", due_at=_today_at(23))
    TaskFactory(agency=w.agency, assignee=w.am.user, title="Напомнить о КП", kind=Task.Kind.FOLLOW_UP,
                due_at=now - timedelta(days=1))
    TaskFactory(agency=w.agency, assignee=w.am.user, title="Через неделю", due_at=now + timedelta(days=7))
    TaskFactory(agency=w.agency, assignee=w.am.user, title="Уже сделано", due_at=now - timedelta(days=3),
                done_at=now)
    TaskFactory(agency=w.agency, assignee=w.am2.user, title="Чужая задача", due_at=now - timedelta(days=3))
    page = login(w.am).get("/today/").content.decode()
    assert "Просрочено" in _section(page, "overdue") and "Бренд" in _section(page, "overdue")
    assert "Сегодня" in _section(page, "today")
    assert "Напомнить о КП" in _section(page, "follow-ups")
    for absent in ("Через неделю", "Уже сделано", "Чужая задача"):
        assert absent not in page


def test_no_contact_and_unanswered_respect_visibility_and_show_the_wait(alice_world):
    w = alice_world
    w.agency.no_contact_days = 10
    w.agency.save()
    now = timezone.now()
    quiet = ClientFactory(agency=w.agency, owner=w.am.user, name="Тихий клиент", last_contact_at=now - timedelta(days=20))
    ClientFactory(agency=w.agency, owner=w.am.user, name="Свежий клиент", last_contact_at=now - timedelta(days=2))
    ClientFactory(agency=w.agency, owner=w.am.user, name="Ушедший клиент", status=Client.Status.CHURNED,
                  churn_reason="x")
    ClientFactory(agency=w.agency, owner=w.am2.user, name="Клиент коллеги")
    InteractionFactory(agency=w.agency, client=quiet, direction=Interaction.Direction.INBOUND, needs_reply=True,
                       subject="Где отчёт за март?", occurred_at=now - timedelta(hours=5))
    InteractionFactory(agency=w.agency, client=quiet, direction=Interaction.Direction.INBOUND, needs_reply=True,
                       subject="Уже ответили", occurred_at=now - timedelta(hours=9), replied_at=now)
    page = login(w.am).get("/today/").content.decode()
    no_contact = _section(page, "no-contact")
    assert "No contact for 10 days" in no_contact and "Тихий клиент" in no_contact
    for absent in ("Свежий клиент", "Ушедший клиент", "Клиент коллеги"):
        assert absent not in no_contact
    unanswered = _section(page, "unanswered")
    assert "Где отчёт за март?" in unanswered and "Уже ответили" not in unanswered
    assert "waiting 5" in unanswered and "reply_to=" in unanswered
    # the rows' links and labels (made once per block, not per row)
    with scope(agency=w.agency):
        message = Interaction.objects.get(subject="Где отчёт за март?")
    assert f'href="/clients/{quiet.pk}/interactions/new/?reply_to={message.pk}"' in unanswered
    assert f'href="/clients/{quiet.pk}/#section-timeline"' in unanswered and f'href="/clients/{quiet.pk}/"' in no_contact
    assert quiet.get_status_display() in no_contact


def test_today_query_count_is_constant(alice_world, django_assert_max_num_queries):
    w = alice_world
    now = timezone.now()
    clients = [ClientFactory(agency=w.agency, owner=w.am.user, last_contact_at=now - timedelta(days=30 + i))
               for i in range(55)]
    for i, client in enumerate(clients):
        TaskFactory(agency=w.agency, assignee=w.am.user, client=client, due_at=now - timedelta(days=1 + i % 3),
                    kind=Task.Kind.FOLLOW_UP if i % 2 else Task.Kind.TASK)
        TaskFactory(agency=w.agency, assignee=w.am.user, client=client, due_at=_today_at(23))
        InteractionFactory(agency=w.agency, client=client, direction=Interaction.Direction.INBOUND, needs_reply=True,
                           occurred_at=now - timedelta(hours=i + 1))
    for member in (w.am, w.director):
        http = login(member)
        with django_assert_max_num_queries(20):
            response = http.get("/today/")
        assert response.status_code == 200
    page = login(w.am).get("/today/").content.decode()
    assert "and 47 more" in _section(page, "unanswered")  # 55 waiting, 8 shown
