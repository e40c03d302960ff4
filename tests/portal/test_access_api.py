"""/api/v1/portal-access/: the portal state of contacts, invite and revoke, for staff only."""
import pytest
from django.core import mail
from django_scopes import scopes_disabled

from mrm.tenancy.models import Invitation, Membership
from tests.conftest import login
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/portal-access/"


def test_list_shows_each_contacts_state_with_constant_queries(alice_world, django_assert_max_num_queries):
    company = alice_world.client_contact.contact.client
    for i in range(5):
        ContactFactory(client=company, email=f"p{i}@client.example")
    http = login(alice_world.am)
    with django_assert_max_num_queries(15):
        response = http.get(URL, {"client": str(company.pk)})
    assert response.status_code == 200
    states = {row["email"]: row["state"] for row in response.json()["results"]}
    assert states[alice_world.client_contact.contact.email] == "active" and states["p0@client.example"] == "none"
    assert http.get(URL, {"client": "not-a-uuid"}).json()["results"] == []


def test_invite_and_revoke(alice_world, django_capture_on_commit_callbacks):
    person = ContactFactory(client=alice_world.client_contact.contact.client, email="api@client.example")
    http = login(alice_world.am)
    with django_capture_on_commit_callbacks(execute=True):
        response = http.post(f"{URL}{person.pk}/invite/", {"portal_admin": True}, content_type="application/json")
    assert response.status_code == 200 and response.json()["state"] == "invited"
    assert mail.outbox[-1].to == ["api@client.example"]
    with scopes_disabled():
        assert Invitation.objects.get(contact=person, revoked_at__isnull=True).portal_admin
    response = http.post(f"{URL}{person.pk}/revoke/", content_type="application/json")
    assert response.status_code == 200 and response.json()["state"] == "none"
    active = alice_world.client_contact
    response = http.post(f"{URL}{active.contact_id}/revoke/", content_type="application/json")
    assert response.status_code == 200
    with scopes_disabled():
        assert not Membership.objects.get(pk=active.pk).is_active


def test_service_errors_are_400_with_a_message(alice_world):
    no_mail = ContactFactory(client=alice_world.client_contact.contact.client, email="")
    response = login(alice_world.am).post(f"{URL}{no_mail.pk}/invite/", {}, content_type="application/json")
    assert response.status_code == 400 and response.json()["email"]  # the message names the field


def test_other_agencies_and_clients_and_specialists(alice_world, bob_world):
    person = ContactFactory(client=alice_world.client_contact.contact.client)
    assert login(bob_world.director).get(f"{URL}{person.pk}/").status_code == 404
    assert login(bob_world.director).post(f"{URL}{person.pk}/invite/", {}).status_code == 404
    assert login(alice_world.am2).get(f"{URL}{person.pk}/").status_code == 404  # not their client
    assert login(alice_world.client_contact).get(URL).status_code == 403
    assert login(alice_world.specialist).post(f"{URL}{person.pk}/invite/", {}).status_code == 403
