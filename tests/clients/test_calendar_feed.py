"""The personal calendar feed: a secret, revocable iCal address served without login."""
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client as HttpClient
from django.utils import timezone
from django_scopes import scopes_disabled

from clients import ical
from clients.models import Interaction, Task
from mrm.accounts.models import CalendarFeed
from tests.conftest import login
from tests.factories import ClientFactory, InteractionFactory, TaskFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"  # assertions read the English source strings


def _make_feed(member) -> str:
    """Create the address from the profile page and read it back from there (it is shown once)."""
    http = login(member)
    response = http.post("/clients/calendar-feed/")
    assert response.status_code == 302 and response["Location"] == "/accounts/me/#calendar-feed"
    profile = http.get("/accounts/me/").content.decode()
    start = profile.index("http://testserver/calendar/")
    url = profile[start:profile.index('"', start)]
    assert url not in http.get("/accounts/me/").content.decode()  # shown once only
    return url.removeprefix("http://testserver")


def _unfold(body: str) -> str:
    return body.replace("\r\n ", "")


def test_feed_serves_open_dated_tasks_follow_ups_and_meetings_as_icalendar(alice_world):
    w = alice_world
    w.am.user.language = "en"  # the feed speaks the member's language (no cookie comes from a calendar app)
    w.am.user.save()
    client = ClientFactory(agency=w.agency, owner=w.am.user, name="Бренд; «Север», ООО")
    due = timezone.now() + timedelta(days=1)
    TaskFactory(agency=w.agency, assignee=w.am.user, client=client, title="Созвон, по отчёту", kind=Task.Kind.CALL,
                due_at=due, notes="Первая строка\nвторая; с точкой с запятой")
    TaskFactory(agency=w.agency, assignee=w.am.user, title="Напомнить о КП " + "очень длинное название " * 4,
                kind=Task.Kind.FOLLOW_UP, due_at=due + timedelta(hours=2))
    TaskFactory(agency=w.agency, assignee=w.am.user, title="Без срока")
    TaskFactory(agency=w.agency, assignee=w.am.user, title="Сделано", due_at=due, done_at=timezone.now())
    TaskFactory(agency=w.agency, assignee=w.am2.user, title="Задача коллеги", due_at=due)
    InteractionFactory(agency=w.agency, client=client, author=w.am.user, kind=Interaction.Kind.MEETING,
                       subject="Стратсессия", occurred_at=timezone.now() - timedelta(days=2), duration_minutes=90)
    url = _make_feed(w.am)
    response = HttpClient().get(url)  # no session: the calendar app
    assert response.status_code == 200 and response["Content-Type"] == "text/calendar; charset=utf-8"
    raw = response.content.decode()
    assert raw.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n") and raw.endswith("END:VCALENDAR\r\n")
    assert "\n" not in raw.replace("\r\n", "")  # CRLF only
    assert all(len(line.encode()) <= 75 for line in raw.split("\r\n"))  # folded
    body = _unfold(raw)
    assert body.count("BEGIN:VEVENT") == 3
    assert "SUMMARY:Call: Созвон\\, по отчёту — Бренд\\; «Север»\\, ООО" in body
    assert "DESCRIPTION:Первая строка\\nвторая\\; с точкой с запятой" in body
    assert "Напомнить о КП" in body and "Стратсессия" in body
    assert "Без срока" not in body and "Сделано" not in body and "Задача коллеги" not in body
    start = f"DTSTART:{due.astimezone(UTC):%Y%m%dT%H%M%S}Z"
    assert start in body and f"DTEND:{(due + timedelta(minutes=30)).astimezone(UTC):%Y%m%dT%H%M%S}Z" in body


def test_revoked_unknown_or_former_member_feeds_answer_404(alice_world):
    w = alice_world
    url = _make_feed(w.am)
    anonymous = HttpClient()
    assert anonymous.get(url).status_code == 200
    assert anonymous.get("/calendar/not-a-real-token.ics").status_code == 404
    # A new address replaces the old one.
    new_url = _make_feed(w.am)
    assert anonymous.get(url).status_code == 404 and anonymous.get(new_url).status_code == 200
    # Revoking from the profile page stops it.
    http = login(w.am)
    assert http.post("/clients/calendar-feed/revoke/").status_code == 302
    assert anonymous.get(new_url).status_code == 404
    with scopes_disabled():
        assert CalendarFeed.objects.filter(user=w.am.user, revoked_at__isnull=True).count() == 0
    # A member who left the agency: their feed stops too.
    third = _make_feed(w.am2)
    with scopes_disabled():
        w.am2.is_active = False
        w.am2.save()
    assert anonymous.get(third).status_code == 404


def test_profile_card_and_who_may_create(alice_world):
    page = login(alice_world.am).get("/accounts/me/").content.decode()
    assert 'id="calendar-feed"' in page and "Create calendar address" in page
    assert HttpClient().post("/clients/calendar-feed/").status_code == 302  # to the login page
    with scopes_disabled():
        assert not CalendarFeed.objects.exists()


def test_fold_and_escape_follow_rfc5545():
    assert ical.escape("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"
    line = "SUMMARY:" + "ж" * 60  # 2 octets each
    folded = ical.fold(line)
    parts = folded.split("\r\n")
    assert all(len(p.encode()) <= 75 for p in parts) and all(p.startswith(" ") for p in parts[1:])
    assert "".join(p[1:] if i else p for i, p in enumerate(parts)) == line
    assert ical.utc(datetime(2026, 3, 1, 12, 0, tzinfo=UTC)) == "20260301T120000Z"
