"""The agency's side of client requests: the thread page and its reply form, the first reply's business-time
response against the agreement, the client-page block, the Today block with its timer, the staff list."""
from datetime import datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django_scopes import scopes_disabled

from clients.models import InteractionAgreement
from comms.models import Attachment, ClientRequest
from mrm.tenancy.models import AuditLog
from tests import factories as f
from tests.conftest import clear_cache, login

from .requests_helpers import contact_of, open_request, reply

pytestmark = pytest.mark.django_db
MSK = ZoneInfo("Europe/Moscow")


def _agree(world, hours):
    with scopes_disabled():
        InteractionAgreement.objects.create(agency=world.agency, client=contact_of(world).client,
                                            response_time_hours=Decimal(hours))


def test_first_reply_counts_business_minutes_over_the_weekend_and_a_holiday(alice_world):
    _agree(alice_world, "4")
    f.HolidayFactory(agency=alice_world.agency, date=datetime(2026, 12, 7).date())  # Monday off
    with time_machine.travel(datetime(2026, 12, 4, 18, 0, tzinfo=MSK), tick=False):  # Friday 18:00
        thread = open_request(alice_world)
    assert thread.target_minutes == 240
    assert thread.due_at == datetime(2026, 12, 8, 13, 0, tzinfo=MSK)  # 1 h on Friday, 3 h on Tuesday
    with time_machine.travel(datetime(2026, 12, 8, 12, 30, tzinfo=MSK), tick=False):  # Tuesday 12:30
        http = login(alice_world.am)
        response = http.post(reverse("comms:request_reply", args=[thread.pk]), {"body": "Смотрим, ответим к обеду."})
    assert response.status_code == 302
    with scopes_disabled():
        thread.refresh_from_db()
        audit = AuditLog.objects.get(agency=alice_world.agency, action="client_request.answered")
    assert thread.response_minutes == 60 + 150 and thread.within_target is True
    assert thread.first_reply_at == datetime(2026, 12, 8, 12, 30, tzinfo=MSK)
    assert thread.status == ClientRequest.Status.ANSWERED and thread.awaiting_since is None
    assert audit.changes["response_minutes"] == [None, 210]
    # A second answer does not move the first-reply time.
    with time_machine.travel(datetime(2026, 12, 9, 12, 0, tzinfo=MSK), tick=False):
        reply(alice_world, thread, body="И ещё одно уточнение.")
    with scopes_disabled():
        thread.refresh_from_db()
    assert thread.response_minutes == 210


def test_late_first_reply_is_marked_late_on_the_thread_page(alice_world):
    _agree(alice_world, "1")
    with time_machine.travel(datetime(2026, 12, 2, 11, 0, tzinfo=MSK), tick=False):
        thread = open_request(alice_world)
    with time_machine.travel(datetime(2026, 12, 2, 15, 0, tzinfo=MSK), tick=False):
        reply(alice_world, thread)
    with scopes_disabled():
        thread.refresh_from_db()
    assert thread.response_minutes == 240 and thread.within_target is False
    with translation.override("en"):
        page = login(alice_world.am).get(reverse("comms:request_detail", args=[thread.pk]),
                                         headers={"Accept-Language": "en"}).content.decode()
    assert 'id="request-timing"' in page


def test_the_agency_answers_with_a_file_and_the_client_downloads_it(alice_world):
    thread = open_request(alice_world)
    http = login(alice_world.am)
    upload = SimpleUploadedFile("plan.txt", "План работ".encode(), content_type="text/plain")
    response = http.post(reverse("comms:request_reply", args=[thread.pk]), {"body": "План во вложении", "files": [upload]})
    assert response.status_code == 302
    with scopes_disabled():
        attachment = Attachment.objects.get(message__thread=thread, message__direction="outbound")
    staff = http.get(reverse("comms:request_attachment", args=[thread.pk, attachment.pk]))
    client = login(alice_world.client_contact).get(reverse("portal:request_attachment", args=[thread.pk, attachment.pk]))
    for answer in (staff, client):
        assert answer.status_code == 200 and answer["Content-Disposition"].startswith("attachment")


def test_invalid_reply_answers_422_in_place(alice_world):
    thread = open_request(alice_world)
    http = login(alice_world.am)
    response = http.post(reverse("comms:request_reply", args=[thread.pk]), {"body": ""}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 422 and 'id="request-reply"' in body and "<html" not in body
    assert http.post(reverse("comms:request_reply", args=[thread.pk]), {"body": ""}).status_code == 422


def test_reply_from_the_client_page_goes_back_there(alice_world):
    thread = open_request(alice_world)
    response = login(alice_world.am).post(reverse("comms:request_reply", args=[thread.pk]),
                                          {"body": "Ответ", "next": "client"})
    assert response["Location"] == reverse("clients:detail", args=[thread.client_id]) + "#section-requests"


def test_thread_escapes_client_text_for_staff(alice_world):
    thread = open_request(alice_world, subject="<img src=x onerror=alert(1)>", body="<script>x()</script>")
    page = login(alice_world.am).get(reverse("comms:request_detail", args=[thread.pk])).content.decode()
    assert "<script>x()" not in page and "<img src=x" not in page and "&lt;script&gt;x()" in page


def test_staff_visibility_follows_the_clients(alice_world):
    thread = open_request(alice_world)
    assert login(alice_world.am).get(reverse("comms:request_detail", args=[thread.pk])).status_code == 200
    assert login(alice_world.director).get(reverse("comms:request_detail", args=[thread.pk])).status_code == 200
    # The second AM is not on this client: 404, and nothing to answer.
    other = login(alice_world.am2)
    assert other.get(reverse("comms:request_detail", args=[thread.pk])).status_code == 404
    assert other.post(reverse("comms:request_reply", args=[thread.pk]), {"body": "x"}).status_code == 404
    # A client login never reaches the staff pages.
    turned_away = login(alice_world.client_contact).get(reverse("comms:request_detail", args=[thread.pk]))
    assert turned_away.status_code == 302 and turned_away["Location"] == reverse("portal:home")


def test_another_agencys_thread_answers_404(alice_world, bob_world):
    bobs = open_request(bob_world)
    http = login(alice_world.director)
    for name in ("comms:request_detail", "comms:request_reply", "comms:request_close"):
        assert http.post(reverse(name, args=[bobs.pk]), {"body": "x"}).status_code == 404
    with scopes_disabled():
        assert bobs.messages.count() == 1


def test_staff_closes_a_request(alice_world):
    thread = open_request(alice_world)
    http = login(alice_world.am)
    assert http.post(reverse("comms:request_close", args=[thread.pk])).status_code == 302
    with scopes_disabled():
        thread.refresh_from_db()
    assert thread.status == ClientRequest.Status.CLOSED and thread.awaiting_since is None
    assert http.post(reverse("comms:request_close", args=[thread.pk])).status_code == 302  # told, no 500


def test_client_page_block_lists_requests_and_response_figures(alice_world, django_assert_max_num_queries):
    _agree(alice_world, "2")
    with time_machine.travel(datetime(2026, 12, 2, 11, 0, tzinfo=MSK), tick=False):
        answered = [open_request(alice_world, subject=f"Отвеченный {i}") for i in range(3)]
    for i, thread in enumerate(answered):  # 30, 90, 180 minutes
        with time_machine.travel(datetime(2026, 12, 2, 11, 0, tzinfo=MSK).replace(
                hour=11 + (30, 90, 180)[i] // 60, minute=(30, 90, 180)[i] % 60), tick=False):
            reply(alice_world, thread)
    waiting = open_request(alice_world, subject="Ждёт ответа")
    client_id = waiting.client_id
    http = login(alice_world.am)
    with translation.override("en"):
        page = http.get(reverse("clients:detail", args=[client_id]), headers={"Accept-Language": "en"})
    body = page.content.decode()
    assert page.status_code == 200 and 'id="client-requests"' in body and "Ждёт ответа" in body
    assert reverse("comms:request_reply", args=[waiting.pk]) in body  # the inline answer form of the waiting one
    assert 'id="client-response-time"' in body
    with scopes_disabled():
        from comms.selectors import response_stats

        stats = response_stats(agency=alice_world.agency, client=waiting.client, target=120)
    assert (stats.answered, stats.last, stats.median, stats.within, stats.measured) == (3, 180, 90, 2, 3)
    for i in range(8):
        open_request(alice_world, subject=f"Ещё {i}")
    with django_assert_max_num_queries(80):
        assert http.get(reverse("clients:detail", args=[client_id])).status_code == 200


def test_client_page_block_query_count_does_not_grow(alice_world, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    thread = open_request(alice_world)
    http = login(alice_world.am)
    http.get(reverse("clients:detail", args=[thread.client_id]))
    clear_cache()  # each view below computes its blocks (clients.block_cache would serve them otherwise)
    with CaptureQueriesContext(connection) as few:
        http.get(reverse("clients:detail", args=[thread.client_id]))
    for i in range(10):
        reply(alice_world, open_request(alice_world, subject=f"Ещё {i}"))
    clear_cache()
    with CaptureQueriesContext(connection) as many:
        http.get(reverse("clients:detail", args=[thread.client_id]))
    for i in range(10):
        reply(alice_world, open_request(alice_world, subject=f"И ещё {i}"))
    clear_cache()
    with CaptureQueriesContext(connection) as more:
        http.get(reverse("clients:detail", args=[thread.client_id]))
    # One more once the block cannot show every thread (the waiting ones are then counted), and no more after.
    assert len(few) <= len(many) <= len(few) + 1
    assert len(more) == len(many)


def test_today_block_shows_waiting_requests_with_the_timer(alice_world, django_assert_max_num_queries):
    alice_world.agency.business_hours_start, alice_world.agency.business_hours_end = time(10), time(19)
    alice_world.agency.save()
    _agree(alice_world, "4")
    with time_machine.travel(datetime(2026, 12, 2, 10, 0, tzinfo=MSK), tick=False):
        thread = open_request(alice_world, subject="Срочный вопрос")
        for i in range(10):
            open_request(alice_world, subject=f"Вопрос {i}")
    answered = open_request(alice_world, subject="Уже отвечен")
    reply(alice_world, answered)
    with time_machine.travel(datetime(2026, 12, 2, 12, 10, tzinfo=MSK), tick=False):
        http = login(alice_world.am)
        with django_assert_max_num_queries(60):
            with translation.override("en"):
                page = http.get(reverse("core:today"), headers={"Accept-Language": "en"})
    body = page.content.decode()
    assert page.status_code == 200 and 'id="today-client-requests"' in body and "Срочный вопрос" in body
    assert "Уже отвечен" not in body
    assert "2 ч 10 мин из 4 ч" in body or "2 h 10 min of 4 h" in body
    # The second AM has no such client: the block is empty for them.
    with time_machine.travel(datetime(2026, 12, 2, 12, 10, tzinfo=MSK), tick=False):
        other = login(alice_world.am2).get(reverse("core:today")).content.decode()
    assert "Срочный вопрос" not in other
    assert thread.pk


def test_staff_list_filters_and_paginates_in_constant_queries(alice_world, django_assert_max_num_queries):
    for i in range(30):
        open_request(alice_world, subject=f"Вопрос {i}", kind="urgent" if i % 3 == 0 else "question")
    reply(alice_world, open_request(alice_world, subject="Отвеченный"))
    http = login(alice_world.am)
    with django_assert_max_num_queries(20):
        response = http.get(reverse("comms:requests"))
    body = response.content.decode()
    assert response.status_code == 200 and "Отвеченный" not in body and "Вопрос 29" in body
    assert "Отвеченный" in http.get(reverse("comms:requests"), {"status": "answered"}).content.decode()
    urgent = http.get(reverse("comms:requests"), {"status": "all", "kind": "urgent"}).content.decode()
    assert "Вопрос 27" in urgent and "Вопрос 28" not in urgent
    assert http.get(reverse("comms:requests"), {"page": "2"}).status_code == 200
    assert login(alice_world.am2).get(reverse("comms:requests")).content.decode().count("Вопрос ") == 0


def test_today_waiting_requests_count_is_capped(alice_world, monkeypatch):
    import comms.selectors

    monkeypatch.setattr(comms.selectors, "COUNT_CAP", 9)
    for i in range(11):
        open_request(alice_world, subject=f"Вопрос {i}")
    page = login(alice_world.am).get(reverse("core:today")).content.decode()
    block = page[page.index('id="today-client-requests"'):]
    assert '<span class="mrm-today-count">9+</span>' in block  # counted up to the cap, not every thread
    assert "1+" in block  # 9 counted, 8 shown: "and 1+ more"
