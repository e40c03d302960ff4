"""The timeline: quick log (HTMX), last contact, replies to waiting messages, edit/delete rights, paging."""
from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from clients.models import Client, Interaction
from clients.services import interactions as services
from mrm.core.errors import ServiceError
from tests.conftest import login
from tests.factories import ClientFactory, ContactFactory, InteractionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"  # assertions read the English source strings
HX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "timeline-items"}


@pytest.fixture
def client_a(alice_world):
    return ClientFactory(agency=alice_world.agency, owner=alice_world.am.user, name="Ромашка")


def _client(pk) -> Client:
    with scopes_disabled():
        return Client.objects.get(pk=pk)


def test_interaction_log_moves_last_contact_except_internal(alice_world, client_a):
    w = alice_world
    when = timezone.now() - timedelta(days=2)
    with scope(agency=w.agency):
        services.interaction_log(agency=w.agency, actor=w.am.user, client=client_a,
                                 data={"kind": "note", "summary": "Внутреннее", "occurred_at": timezone.now()})
        assert _client(client_a.pk).last_contact_at is None
        services.interaction_log(agency=w.agency, actor=w.am.user, client=client_a,
                                 data={"kind": "call", "direction": "outbound", "summary": "Созвон", "occurred_at": when})
    assert _client(client_a.pk).last_contact_at == when


def test_interaction_reply_sets_replied_at_once(alice_world, client_a):
    w = alice_world
    with scope(agency=w.agency):
        question = services.interaction_log(agency=w.agency, actor=w.am.user, client=client_a, data={
            "kind": "message", "direction": "inbound", "summary": "Когда будет отчёт?", "needs_reply": True,
            "occurred_at": timezone.now() - timedelta(hours=3)})
        answer = services.interaction_log(agency=w.agency, actor=w.am.user, client=client_a, reply_to=question,
                                          data={"kind": "message", "direction": "outbound", "summary": "В пятницу"})
        question.refresh_from_db()
        assert question.replied_at == answer.occurred_at
        first = question.replied_at
        services.interaction_log(agency=w.agency, actor=w.am.user, client=client_a, reply_to=question,
                                 data={"kind": "message", "direction": "outbound", "summary": "Уточнение"})
        question.refresh_from_db()
        assert question.replied_at == first  # the first answer counts
        with pytest.raises(ServiceError):
            services.interaction_log(agency=w.agency, actor=w.am.user, client=client_a, reply_to=question,
                                     data={"kind": "message", "direction": "inbound", "summary": "x"})
        # An outbound message never "waits for our reply".
        out = services.interaction_log(agency=w.agency, actor=w.am.user, client=client_a,
                                       data={"kind": "email", "direction": "outbound", "summary": "x",
                                             "needs_reply": True})
        assert out.needs_reply is False


def test_interaction_participants_must_belong_to_the_client(alice_world, client_a):
    w = alice_world
    stranger = ContactFactory(client=ClientFactory(agency=w.agency))
    with scope(agency=w.agency), pytest.raises(ServiceError):
        services.interaction_log(agency=w.agency, actor=w.am.user, client=client_a, contacts=[stranger],
                                 data={"kind": "call", "summary": "x"})


def test_quick_log_htmx_prepends_item_resets_form_and_updates_numbers(alice_world, client_a):
    contact = ContactFactory(client=client_a, full_name="Ирина Ковалёва")
    http = login(alice_world.am)
    response = http.post(f"/clients/{client_a.pk}/interactions/new/", {
        "kind": "call", "summary": "Клиент позвонил без записи", "is_unplanned": "on", "direction": "inbound",
        "contacts": [contact.pk]}, **HX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<li class="mrm-item"')
    assert "Клиент позвонил без записи" in html and "Unplanned call" in html and "Ирина Ковалёва" in html
    assert 'id="timeline-log" hx-swap-oob="outerHTML"' in html and 'id="client-numbers" hx-swap-oob' in html
    with scopes_disabled():
        item = Interaction.objects.get(client=client_a)
    assert item.is_unplanned and item.author == alice_world.am.user
    assert _client(client_a.pk).last_contact_at is not None


def test_quick_log_bad_input_answers_422_with_the_form(alice_world, client_a):
    http = login(alice_world.am)
    future = (timezone.localtime() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    response = http.post(f"/clients/{client_a.pk}/interactions/new/", {
        "kind": "call", "summary": "", "occurred_at": future, "subject": "Мой заголовок"}, **HX)
    assert response.status_code == 422
    assert response["HX-Retarget"] == "#timeline-log"
    html = response.content.decode()
    assert "Say in a few words" in html and "in the future" in html and "Мой заголовок" in html
    plain = http.post(f"/clients/{client_a.pk}/interactions/new/", {"kind": "nonsense", "summary": "x"})
    assert plain.status_code == 422


def test_reply_button_and_reply_via_quick_log(alice_world, client_a):
    http = login(alice_world.am)
    question = InteractionFactory(client=client_a, kind="message", direction="inbound", needs_reply=True,
                                  summary="Пришлите счёт", author=alice_world.am.user)
    form = http.get(f"/clients/{client_a.pk}/interactions/new/?reply_to={question.pk}", **HX)
    assert form.status_code == 200 and "Replying to" in form.content.decode()
    answer = http.post(f"/clients/{client_a.pk}/interactions/new/", {
        "kind": "message", "summary": "Отправили", "reply_to": question.pk, "direction": "inbound"}, **HX)
    assert answer.status_code == 200
    assert f'id="interaction-{question.pk}" hx-swap-oob="outerHTML"' in answer.content.decode()
    with scopes_disabled():
        question.refresh_from_db()
        reply = Interaction.objects.get(reply_to=question)
    assert question.replied_at is not None and reply.direction == "outbound"


def test_interaction_edit_delete_author_or_director_only(alice_world, client_a):
    w = alice_world
    client_a.team.add(w.specialist.user)
    item = InteractionFactory(client=client_a, author=w.specialist.user, summary="Старый текст", direction="outbound")
    edit_url = f"/clients/{client_a.pk}/interactions/{item.pk}/edit/"
    assert login(w.am).get(edit_url).status_code == 403
    assert login(w.am).post(f"/clients/{client_a.pk}/interactions/{item.pk}/delete/").status_code == 403
    author = login(w.specialist)
    assert author.get(edit_url).status_code == 200
    saved = author.post(edit_url, {"kind": "meeting", "direction": "outbound", "summary": "Новый текст",
                                   "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")})
    assert saved.status_code == 302
    with scopes_disabled():
        item.refresh_from_db()
    assert item.summary == "Новый текст" and item.kind == "meeting"
    deleted = login(w.director).post(f"/clients/{client_a.pk}/interactions/{item.pk}/delete/", **HX)
    assert deleted.status_code == 200
    with scopes_disabled():
        assert not Interaction.objects.filter(pk=item.pk).exists()


def test_timeline_show_more_and_full_page(alice_world, client_a):
    for i in range(25):
        InteractionFactory(client=client_a, summary=f"Запись {i:02d}",
                           occurred_at=timezone.now() - timedelta(hours=i))
    http = login(alice_world.am)
    page = http.get(f"/clients/{client_a.pk}/").content.decode()
    assert "Запись 00" in page and "Запись 10" not in page and "Show more" in page
    more = http.get(f"/clients/{client_a.pk}/timeline/?page=2", **HX)
    html = more.content.decode()
    assert "Запись 10" in html and "Запись 00" not in html and "<html" not in html and "page=3" in html
    full = http.get(f"/clients/{client_a.pk}/timeline/?page=3")
    assert full.status_code == 200 and "Запись 24" in full.content.decode()


def test_timeline_hidden_from_another_am(alice_world):
    w = alice_world
    foreign = ClientFactory(agency=w.agency, owner=w.am2.user)
    item = InteractionFactory(client=foreign)
    http = login(w.am)
    assert http.get(f"/clients/{foreign.pk}/timeline/").status_code == 404
    assert http.post(f"/clients/{foreign.pk}/interactions/new/", {"kind": "call", "summary": "x"}).status_code == 404
    assert http.get(f"/api/v1/interactions/{item.pk}/").status_code == 404


def test_log_page_works_without_js(alice_world, client_a):
    http = login(alice_world.am)
    page = http.get(f"/clients/{client_a.pk}/interactions/new/")
    assert page.status_code == 200 and "<html" in page.content.decode() and 'name="summary"' in page.content.decode()
    saved = http.post(f"/clients/{client_a.pk}/interactions/new/", {"kind": "email", "summary": "Отправили КП"})
    assert saved.status_code == 302 and saved["Location"].endswith("#section-timeline")
    with scopes_disabled():
        item = Interaction.objects.get(client=client_a)
    assert item.channel == "email" and item.direction == "outbound"
