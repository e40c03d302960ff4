"""The client-request API (staff): threads and messages of the clients one sees, answering and closing, a clear 400
for a bad answer, another agency's thread 404, client logins refused."""
import pytest
from django_scopes import scopes_disabled

from comms.models import ClientRequest
from tests import factories as f
from tests.conftest import login

from .requests_helpers import open_request

pytestmark = pytest.mark.django_db
BASE = "/api/v1/client-requests/"
MESSAGES = "/api/v1/request-messages/"


def test_am_lists_reads_answers_and_closes_through_the_api(alice_world, django_assert_max_num_queries):
    threads = [open_request(alice_world, subject=f"Вопрос {i}") for i in range(6)]
    http = login(alice_world.am)
    with django_assert_max_num_queries(12):
        listing = http.get(BASE)
    assert listing.status_code == 200 and listing.json()["count"] == 6
    thread = threads[0]
    url = f"{BASE}{thread.pk}/"
    detail = http.get(url).json()
    assert detail["status"] == "open" and detail["target_minutes"] == 120 and detail["within_target"] is None
    answer = http.post(f"{url}reply/", {"body": "Ответили"}, content_type="application/json")
    assert answer.status_code == 201, answer.content
    assert answer.json()["direction"] == "outbound" and answer.json()["channel"] == "portal"
    detail = http.get(url).json()
    assert detail["status"] == "answered" and detail["response_minutes"] is not None
    msgs = http.get(MESSAGES, {"thread": str(thread.pk)}).json()
    assert [m["direction"] for m in msgs["results"]] == ["inbound", "outbound"]
    assert http.get(BASE, {"status": "answered"}).json()["count"] == 1
    closed = http.post(f"{url}close/")
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    again = http.post(f"{url}close/")
    assert again.status_code == 400 and again.json()["code"] == "closed"


def test_messages_list_in_constant_queries(alice_world, django_assert_max_num_queries):
    for i in range(5):
        thread = open_request(alice_world, subject=f"Вопрос {i}")
        f.RequestAttachmentFactory(message=f.RequestMessageFactory(thread=thread))
    http = login(alice_world.am)
    with django_assert_max_num_queries(12):
        response = http.get(MESSAGES)
    assert response.status_code == 200 and response.json()["count"] == 10


def test_an_empty_answer_is_a_400_with_a_message(alice_world):
    thread = open_request(alice_world)
    response = login(alice_world.am).post(f"{BASE}{thread.pk}/reply/", {"body": "   "}, content_type="application/json")
    assert response.status_code == 400 and "body" in response.json()


def test_another_agencys_and_an_unseen_clients_threads_answer_404(alice_world, bob_world):
    bobs = open_request(bob_world)
    mine = open_request(alice_world)
    http = login(alice_world.director)
    assert http.get(f"{BASE}{bobs.pk}/").status_code == 404
    assert http.post(f"{BASE}{bobs.pk}/reply/", {"body": "x"}, content_type="application/json").status_code == 404
    assert http.post(f"{BASE}{bobs.pk}/close/").status_code == 404
    with scopes_disabled():
        bob_message = bobs.messages.get()
    assert http.get(f"{MESSAGES}{bob_message.pk}/").status_code == 404
    assert str(bobs.pk) not in http.get(BASE).content.decode()
    other_am = login(alice_world.am2)
    assert other_am.get(f"{BASE}{mine.pk}/").status_code == 404
    assert other_am.get(BASE).json()["count"] == 0
    with scopes_disabled():
        assert ClientRequest.objects.get(pk=bobs.pk).status == "open"


def test_client_logins_cannot_use_the_staff_api(alice_world):
    thread = open_request(alice_world)
    http = login(alice_world.client_contact)
    assert http.get(BASE).status_code == 403
    assert http.post(f"{BASE}{thread.pk}/reply/", {"body": "x"}, content_type="application/json").status_code == 403
