"""REST API for contacts, interactions and invoices: visibility, validation, services behind create/update."""
from decimal import Decimal

import pytest
from django_scopes import scopes_disabled

from clients.models import Interaction
from tests.conftest import login
from tests.factories import ClientFactory, ContactFactory, InteractionFactory, InvoiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"  # assertions read the English source strings
JSON = "application/json"


@pytest.fixture
def setup(alice_world, bob_world):
    w = alice_world
    own = ClientFactory(agency=w.agency, owner=w.am.user, name="Свой")
    other = ClientFactory(agency=w.agency, owner=w.am2.user, name="Чужой")
    bob_client = ClientFactory(agency=bob_world.agency)
    return own, other, bob_client


def test_api_contacts_list_filter_create_update(alice_world, setup):
    own, other, bob_client = setup
    ContactFactory(client=own, full_name="Видимый")
    hidden = ContactFactory(client=other, full_name="Скрытый")
    ContactFactory(client=bob_client, full_name="Боб")
    http = login(alice_world.am)
    names = {c["full_name"] for c in http.get("/api/v1/contacts/").json()["results"]}
    assert names == {"Видимый", "Клиент-контакт Alice Agency"}  # the world's client is the AM's too
    assert http.get(f"/api/v1/contacts/{hidden.pk}/").status_code == 404
    assert http.get(f"/api/v1/contacts/?client={own.pk}").json()["count"] == 1
    bad = http.post("/api/v1/contacts/", {"client": str(own.pk), "full_name": "Х", "email": "nope",
                                          "phone": "12", "telegram": "@a"}, content_type=JSON)
    assert bad.status_code == 400 and {"email", "phone", "telegram"} <= set(bad.json())
    foreign = http.post("/api/v1/contacts/", {"client": str(other.pk), "full_name": "Х"}, content_type=JSON)
    assert foreign.status_code == 400 and "client" in foreign.json()
    created = http.post("/api/v1/contacts/", {"client": str(own.pk), "full_name": "Новый", "is_primary": True,
                                              "phone": "+7 916 555-12-34"}, content_type=JSON)
    assert created.status_code == 201 and created.json()["is_primary"] is True
    contact_id = created.json()["id"]
    patched = http.patch(f"/api/v1/contacts/{contact_id}/", {"position": "CMO"}, content_type=JSON)
    assert patched.status_code == 200 and patched.json()["position"] == "CMO"
    unset = http.patch(f"/api/v1/contacts/{contact_id}/", {"is_primary": False}, content_type=JSON)
    assert unset.status_code == 400 and "is_primary" in unset.json()


def test_api_interactions_create_with_reply_and_filters(alice_world, setup):
    own, other, _bob = setup
    question = InteractionFactory(client=own, kind="message", direction="inbound", needs_reply=True)
    InteractionFactory(client=other)
    contact = ContactFactory(client=own)
    http = login(alice_world.am)
    listed = http.get("/api/v1/interactions/?needs_reply=true").json()
    assert [i["id"] for i in listed["results"]] == [str(question.pk)]
    created = http.post("/api/v1/interactions/", {
        "client": str(own.pk), "kind": "message", "direction": "outbound", "summary": "Ответили",
        "reply_to": str(question.pk), "contacts": [str(contact.pk)], "is_urgent": True}, content_type=JSON)
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["author"] == alice_world.am.user.email and body["channel"] == "telegram"
    with scopes_disabled():
        question.refresh_from_db()
    assert question.replied_at is not None
    stranger = ContactFactory(client=other)
    bad = http.post("/api/v1/interactions/", {"client": str(own.pk), "kind": "call", "summary": "x",
                                              "contacts": [str(stranger.pk)]}, content_type=JSON)
    assert bad.status_code == 400 and "contacts" in bad.json()
    patched = http.patch(f"/api/v1/interactions/{body['id']}/", {"summary": "Исправлено"}, content_type=JSON)
    assert patched.status_code == 200 and patched.json()["summary"] == "Исправлено"
    with scopes_disabled():
        theirs = Interaction.objects.filter(client=own).exclude(author=alice_world.am.user).first()
    assert http.patch(f"/api/v1/interactions/{theirs.pk}/", {"summary": "x"}, content_type=JSON).status_code == 403


def test_api_invoices_computed_totals_and_duplicate_number(alice_world, setup):
    own, other, _bob = setup
    InvoiceFactory(client=other, number="X-1")
    http = login(alice_world.am)
    assert http.get("/api/v1/invoices/").json()["count"] == 0
    created = http.post("/api/v1/invoices/", {"client": str(own.pk), "number": "A-1", "issued_on": "2026-03-01",
                                              "amount": "1234.56", "total": "1"}, content_type=JSON)
    assert created.status_code == 201
    body = created.json()
    assert Decimal(body["vat_rate"]) == Decimal("20") and Decimal(body["total"]) == Decimal("1481.47")
    dup = http.post("/api/v1/invoices/", {"client": str(own.pk), "number": "X-1", "issued_on": "2026-03-01",
                                          "amount": "10"}, content_type=JSON)
    assert dup.status_code == 400 and "already exists" in dup.json()["number"][0]
    paid = http.patch(f"/api/v1/invoices/{body['id']}/", {"status": "paid"}, content_type=JSON)
    assert paid.status_code == 200 and paid.json()["paid_on"] is not None
    assert http.get("/api/v1/invoices/?status=paid").json()["count"] == 1
    assert http.get("/api/v1/invoices/?paid_on__gte=2000-01-01").json()["count"] == 1
