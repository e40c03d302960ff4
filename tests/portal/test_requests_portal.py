"""The client's requests in the portal: list, new request with files, the thread, writing, closing, downloads;
own company only (another company of the agency and another agency answer 404), client text escaped."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scopes_disabled

from comms.models import Attachment, ClientRequest, Message
from mrm.notifications.models import Notification
from tests import factories as f
from tests.conftest import login

from .requests_helpers import contact_of, open_request, reply

pytestmark = pytest.mark.django_db

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
       b"\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


def _post_new(http, headers=None, **extra):
    data = {"kind": "change", "subject": "Поменять баннер", "body": "Замените, пожалуйста, баннер на главной.",
            **extra}
    return http.post(reverse("portal:request_create"), data, headers=headers or {})


def test_client_opens_a_request_with_a_file_and_the_am_is_notified(alice_world):
    http = login(alice_world.client_contact)
    assert http.get(reverse("portal:request_create")).status_code == 200
    upload = SimpleUploadedFile("banner.png", PNG, content_type="image/png")
    response = _post_new(http, files=[upload])
    with scopes_disabled():
        thread = ClientRequest.objects.get(agency=alice_world.agency)
        message = thread.messages.get()
        attachment = Attachment.objects.get(message=message)
        notes = list(Notification.objects.filter(agency=alice_world.agency, kind="client_request.opened"))
    assert response.status_code == 302 and response["Location"] == reverse("portal:request_detail", args=[thread.pk])
    assert thread.kind == "change" and thread.status == ClientRequest.Status.OPEN and thread.number == 1
    assert thread.opened_by_contact_id == alice_world.client_contact.contact_id
    assert thread.target_minutes == 120 and thread.due_at is not None  # the KPI default: 2 business hours
    assert message.direction == "inbound" and message.channel == "portal"
    assert attachment.content_type == "image/png" and attachment.size == len(PNG)
    assert [n.recipient_id for n in notes] == [alice_world.am.user_id]
    assert notes[0].url == reverse("comms:request_detail", args=[thread.pk])


def test_invalid_request_answers_422_in_place_for_htmx(alice_world):
    http = login(alice_world.client_contact)
    response = _post_new(http, subject="", headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 422 and 'id="request-form"' in body and "<html" not in body
    bad = SimpleUploadedFile("virus.exe", b"MZ\x90\x00", content_type="application/pdf")
    response = _post_new(http, files=[bad])
    assert response.status_code == 422 and "exe" in response.content.decode()
    fake_pdf = SimpleUploadedFile("report.pdf", b"<html><script>alert(1)</script></html>",
                                  content_type="application/pdf")
    assert _post_new(http, files=[fake_pdf]).status_code == 422
    with scopes_disabled():
        assert not ClientRequest.objects.filter(agency=alice_world.agency).exists()


def test_list_shows_own_requests_with_the_last_message_in_constant_queries(alice_world, django_assert_max_num_queries):
    for i in range(12):
        thread = open_request(alice_world, subject=f"Вопрос {i}")
        if i % 2:
            reply(alice_world, thread, body=f"Ответ {i}")
    other_company = f.ClientFactory(agency=alice_world.agency)
    f.ClientRequestFactory(client=other_company, subject="Чужой вопрос")
    http = login(alice_world.client_contact)
    with django_assert_max_num_queries(14):
        response = http.get(reverse("portal:requests"))
    body = response.content.decode()
    assert response.status_code == 200 and "Вопрос 11" in body and "Ответ 11" in body
    assert "Чужой вопрос" not in body
    answered = http.get(reverse("portal:requests"), {"status": "answered"}).content.decode()
    assert "Вопрос 11" in answered and "Вопрос 10" not in answered


def test_thread_shows_messages_escaped_and_the_client_writes_again(alice_world):
    thread = open_request(alice_world, subject="<b>жирный</b>", body="<script>alert('x')</script>")
    reply(alice_world, thread)
    http = login(alice_world.client_contact)
    page = http.get(reverse("portal:request_detail", args=[thread.pk])).content.decode()
    assert "<script>alert" not in page and "&lt;script&gt;alert" in page and "<b>жирный</b>" not in page
    assert "Отчёт будет в пятницу." in page
    response = http.post(reverse("portal:request_message", args=[thread.pk]), {"body": "Спасибо, а ещё вопрос."})
    assert response.status_code == 302
    with scopes_disabled():
        thread.refresh_from_db()
        assert thread.status == ClientRequest.Status.OPEN and thread.awaiting_since is not None
        assert thread.messages.count() == 3
        assert Notification.objects.filter(agency=alice_world.agency, kind="client_request.message").count() == 1


def test_empty_message_answers_422(alice_world):
    thread = open_request(alice_world)
    http = login(alice_world.client_contact)
    response = http.post(reverse("portal:request_message", args=[thread.pk]), {"body": "  "}, HTTP_HX_REQUEST="true")
    assert response.status_code == 422 and 'id="request-message"' in response.content.decode()


def test_client_closes_and_a_new_message_reopens(alice_world):
    thread = open_request(alice_world)
    http = login(alice_world.client_contact)
    assert http.post(reverse("portal:request_close", args=[thread.pk])).status_code == 302
    with scopes_disabled():
        thread.refresh_from_db()
    assert thread.status == ClientRequest.Status.CLOSED and thread.awaiting_since is None
    http.post(reverse("portal:request_message", args=[thread.pk]), {"body": "Всё-таки ещё вопрос"})
    with scopes_disabled():
        thread.refresh_from_db()
    assert thread.status == ClientRequest.Status.OPEN and thread.closed_at is None


def test_client_downloads_a_file_of_their_thread_as_an_attachment(alice_world):
    upload = SimpleUploadedFile("brief.txt", "Техзадание".encode(), content_type="text/plain")
    thread = open_request(alice_world, uploads=[upload])
    with scopes_disabled():
        attachment = Attachment.objects.get(message__thread=thread)
    response = login(alice_world.client_contact).get(
        reverse("portal:request_attachment", args=[thread.pk, attachment.pk]))
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == "Техзадание".encode()


def test_another_companys_and_another_agencys_threads_answer_404(alice_world, bob_world):
    other_company = f.ClientFactory(agency=alice_world.agency)
    theirs = f.ClientRequestFactory(client=other_company)
    bobs = open_request(bob_world)
    their_file = f.RequestAttachmentFactory(message=f.RequestMessageFactory(thread=theirs))
    mine = open_request(alice_world)
    http = login(alice_world.client_contact)
    for thread in (theirs, bobs):
        assert http.get(reverse("portal:request_detail", args=[thread.pk])).status_code == 404
        assert http.post(reverse("portal:request_message", args=[thread.pk]), {"body": "x"}).status_code == 404
        assert http.post(reverse("portal:request_close", args=[thread.pk])).status_code == 404
    assert http.get(reverse("portal:request_attachment", args=[theirs.pk, their_file.pk])).status_code == 404
    # Another thread's file through one's own thread: 404 too.
    assert http.get(reverse("portal:request_attachment", args=[mine.pk, their_file.pk])).status_code == 404
    with scopes_disabled():
        assert Message.objects.filter(thread__in=[theirs, bobs], body="x").count() == 0


def test_staff_cannot_use_the_portal_requests(alice_world):
    thread = open_request(alice_world)
    http = login(alice_world.am)
    assert http.get(reverse("portal:requests")).status_code == 403
    assert http.post(reverse("portal:request_message", args=[thread.pk]), {"body": "x"}).status_code == 403


def test_a_client_login_without_a_contact_sees_nothing(alice_world):
    bare = f.MembershipFactory(agency=alice_world.agency, role="client")
    http = login(bare)
    assert "request_detail" not in http.get(reverse("portal:requests")).content.decode()
    assert http.get(reverse("portal:request_create")).status_code == 404


def test_the_contact_is_notified_when_the_agency_answers(alice_world):
    thread = open_request(alice_world)
    reply(alice_world, thread)
    with scopes_disabled():
        note = Notification.objects.get(agency=alice_world.agency, kind="client_request.answered")
    assert note.recipient_id == alice_world.client_contact.user_id
    assert note.url == reverse("portal:request_detail", args=[thread.pk])
    assert contact_of(alice_world).client_id == thread.client_id
