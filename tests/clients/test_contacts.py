"""Contacts at a client: exactly one primary, phone/Telegram/e-mail validation, HTML + HTMX views."""
import pytest
from django.core.exceptions import ValidationError
from django_scopes import scope, scopes_disabled

from clients.models import Contact
from clients.services import contacts as services
from clients.validators import clean_phone, clean_telegram
from mrm.core.errors import ServiceError
from mrm.tenancy.models import AuditLog
from tests.conftest import login
from tests.factories import ClientFactory, ContactFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"  # assertions read the English source strings


@pytest.fixture
def client_a(alice_world):
    return ClientFactory(agency=alice_world.agency, owner=alice_world.am.user, name="Ромашка")


def _primary(client) -> list[str]:
    with scopes_disabled():
        return list(Contact.objects.filter(client=client, is_primary=True).values_list("full_name", flat=True))


def test_contact_first_is_primary_and_new_primary_replaces_old(alice_world, client_a):
    w = alice_world
    with scope(agency=w.agency):
        first = services.contact_create(agency=w.agency, actor=w.am.user, client=client_a,
                                        data={"full_name": "Анна", "is_primary": False})
        services.contact_create(agency=w.agency, actor=w.am.user, client=client_a, data={"full_name": "Борис"})
        assert _primary(client_a) == ["Анна"]
        services.contact_create(agency=w.agency, actor=w.am.user, client=client_a,
                                data={"full_name": "Вера", "is_primary": True})
        assert _primary(client_a) == ["Вера"]
        first.refresh_from_db()
        services.contact_update(agency=w.agency, actor=w.am.user, contact=first, data={"is_primary": True})
        assert _primary(client_a) == ["Анна"]
        assert AuditLog.objects.filter(agency=w.agency, action__startswith="contact.").count() == 4


def test_contact_primary_cannot_be_unset_and_passes_on_delete(alice_world, client_a):
    w = alice_world
    with scope(agency=w.agency):
        a = services.contact_create(agency=w.agency, actor=w.am.user, client=client_a, data={"full_name": "Анна"})
        services.contact_create(agency=w.agency, actor=w.am.user, client=client_a, data={"full_name": "Борис"})
        with pytest.raises(ServiceError) as exc:
            services.contact_update(agency=w.agency, actor=w.am.user, contact=a, data={"is_primary": False})
        assert exc.value.field == "is_primary"
        services.contact_delete(agency=w.agency, actor=w.am.user, contact=a)
        assert _primary(client_a) == ["Борис"]


@pytest.mark.parametrize("value", ["+7 (495) 123-45-67", "8 800 555 35 35", "+44 20 7946 0958", "1234567"])
def test_contact_phone_valid(value):
    assert clean_phone(value) == value


@pytest.mark.parametrize("value", ["123-45", "+7 495 ABC 45 67", "1234567890123456", "+7#4951234567"])
def test_contact_phone_invalid(value):
    with pytest.raises(ValidationError):
        clean_phone(value)


@pytest.mark.parametrize(("value", "expected"), [("@ivan_petrov", "@ivan_petrov"), ("ivan_petrov", "@ivan_petrov"),
                                                 ("https://t.me/ivan_petrov", "@ivan_petrov")])
def test_contact_telegram_normalised(value, expected):
    assert clean_telegram(value) == expected


@pytest.mark.parametrize("value", ["@iv", "@иван_петров", "@1ivan", "@ivan-petrov"])
def test_contact_telegram_invalid(value):
    with pytest.raises(ValidationError):
        clean_telegram(value)


def test_contact_create_view_html_and_bad_input(alice_world, client_a):
    http = login(alice_world.am)
    url = f"/clients/{client_a.pk}/contacts/new/"
    assert http.get(url).status_code == 200
    bad = http.post(url, {"full_name": "Иван Петров", "role": "finance", "preferred_channel": "email",
                          "email": "not-an-email", "phone": "12-34", "telegram": "@x"})
    assert bad.status_code == 422
    page = bad.content.decode()
    assert "Иван Петров" in page  # typed data preserved
    assert "7 to 15 digits" in page and "Telegram username" in page and "e-mail" in page.lower()
    ok = http.post(url, {"full_name": "Иван Петров", "role": "finance", "preferred_channel": "telegram",
                         "email": "ivan@romashka.ru", "phone": "+7 (916) 555-12-34", "telegram": "ivan_petrov"})
    assert ok.status_code == 302 and ok["Location"].endswith("#section-contacts")
    with scopes_disabled():
        contact = Contact.objects.get(client=client_a)
    assert contact.telegram == "@ivan_petrov" and contact.is_primary


def test_contact_htmx_create_edit_delete_return_the_block(alice_world, client_a):
    http = login(alice_world.am)
    hx = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "section-contacts"}
    form = http.get(f"/clients/{client_a.pk}/contacts/new/", **hx)
    assert form.status_code == 200 and "<form" in form.content.decode() and "<html" not in form.content.decode()
    bad = http.post(f"/clients/{client_a.pk}/contacts/new/", {"full_name": "", "role": "other",
                                                              "preferred_channel": "email"}, **hx)
    assert bad.status_code == 422 and "invalid-feedback" in bad.content.decode()
    ok = http.post(f"/clients/{client_a.pk}/contacts/new/", {"full_name": "Мария", "role": "other",
                                                             "preferred_channel": "email"}, **hx)
    assert ok.status_code == 200 and "Мария" in ok.content.decode()
    with scopes_disabled():
        contact = Contact.objects.get(client=client_a)
    edited = http.post(f"/clients/{client_a.pk}/contacts/{contact.pk}/edit/", {
        "full_name": "Мария Иванова", "role": "finance", "preferred_channel": "phone", "is_primary": "on"}, **hx)
    assert edited.status_code == 200 and "Мария Иванова" in edited.content.decode()
    deleted = http.post(f"/clients/{client_a.pk}/contacts/{contact.pk}/delete/", **hx)
    assert deleted.status_code == 200 and "No contacts yet" in deleted.content.decode()
    with scopes_disabled():
        assert not Contact.objects.filter(pk=contact.pk).exists()


def test_contact_roles_and_am_visibility(alice_world):
    w = alice_world
    foreign = ClientFactory(agency=w.agency, owner=w.am2.user)
    contact = ContactFactory(client=foreign)
    am = login(w.am)
    assert am.get(f"/clients/{foreign.pk}/contacts/new/").status_code == 404
    assert am.post(f"/clients/{foreign.pk}/contacts/{contact.pk}/delete/").status_code == 404
    # A contact of another client of the same agency is not reachable through this client's URL.
    own = ClientFactory(agency=w.agency, owner=w.am.user)
    assert am.get(f"/clients/{own.pk}/contacts/{contact.pk}/edit/").status_code == 404
    foreign.team.add(w.specialist.user)
    assert login(w.specialist).get(f"/clients/{foreign.pk}/contacts/new/").status_code == 403
