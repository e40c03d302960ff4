"""The AM invites a client contact to the portal from the client page; the contact accepts (password or links)."""
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from mrm.accounts.models import User
from mrm.tenancy.models import Invitation, Membership, Role
from tests.conftest import clear_cache, client_page, login
from tests.factories import ClientFactory, ContactFactory

from .access_helpers import invite_contact

pytestmark = pytest.mark.django_db


@pytest.fixture
def company(alice_world):
    return alice_world.client_contact.contact.client


@pytest.fixture
def person(company):
    return ContactFactory(client=company, full_name="Анна Клиентова", email="anna@client.example")


def _portal_login(contact):
    with scopes_disabled():
        return Membership.objects.filter(contact=contact, is_active=True).select_related("user").first()


def test_the_client_page_lists_contacts_with_their_portal_state(alice_world, company, person):
    html = client_page(login(alice_world.am), company.pk)
    assert 'id="portal-access"' in html
    assert f'id="portal-access-{person.pk}"' in html
    assert reverse("portal:access_invite", args=[person.pk]) in html  # not invited: the invite button
    assert reverse("portal:access_revoke", args=[alice_world.client_contact.contact_id]) in html  # active: revoke


def test_a_specialist_sees_the_states_but_no_buttons(alice_world, company, person):
    with scope(agency=alice_world.agency):
        company.team.add(alice_world.specialist.user)
    html = client_page(login(alice_world.specialist), company.pk)
    assert 'id="portal-access"' in html and reverse("portal:access_invite", args=[person.pk]) not in html
    assert login(alice_world.specialist).post(reverse("portal:access_invite", args=[person.pk])).status_code == 403


def test_invite_accept_with_a_password_makes_a_portal_login_of_that_contact(
        alice_world, company, person, django_capture_on_commit_callbacks):
    path = invite_contact(django_capture_on_commit_callbacks, alice_world.am, person)
    assert mail.outbox[-1].to == ["anna@client.example"]
    assert "портал" in mail.outbox[-1].subject or "portal" in mail.outbox[-1].subject
    anonymous = HttpClient()
    form = anonymous.get(path)
    assert form.status_code == 200 and company.name in form.content.decode()
    response = anonymous.post(path, {"full_name": "Анна К.", "login_method": "password",
                                     "password": "fresh-pass-2026"})
    assert response.status_code == 302 and response["Location"] == reverse("portal:home")
    member = _portal_login(person)
    assert member.role == Role.CLIENT and member.user.email == "anna@client.example"
    assert member.user.check_password("fresh-pass-2026") and not member.is_portal_admin
    home = anonymous.get(reverse("portal:home"))
    assert home.status_code == 200 and company.name in home.content.decode()
    # The link is single use.
    assert HttpClient().get(path).status_code == 410


def test_accepting_with_links_only_leaves_no_password(alice_world, person, django_capture_on_commit_callbacks):
    path = invite_contact(django_capture_on_commit_callbacks, alice_world.am, person, portal_admin=True)
    response = HttpClient().post(path, {"full_name": "Анна", "login_method": "link"})
    assert response.status_code == 302
    member = _portal_login(person)
    assert not member.user.has_usable_password() and member.is_portal_admin


def test_choosing_a_password_without_one_is_an_error_in_place(alice_world, person, django_capture_on_commit_callbacks):
    path = invite_contact(django_capture_on_commit_callbacks, alice_world.am, person)
    response = HttpClient().post(path, {"full_name": "Анна", "login_method": "password", "password": ""})
    assert response.status_code == 200 and not User.objects.filter(email="anna@client.example").exists()


def test_resend_replaces_the_link_and_withdraw_kills_it(alice_world, person, django_capture_on_commit_callbacks):
    first = invite_contact(django_capture_on_commit_callbacks, alice_world.am, person)
    second = invite_contact(django_capture_on_commit_callbacks, alice_world.am, person)
    assert first != second
    assert HttpClient().get(first).status_code == 410
    assert HttpClient().get(second).status_code == 200
    response = login(alice_world.am).post(reverse("portal:access_revoke", args=[person.pk]))
    assert response.status_code == 302
    assert HttpClient().get(second).status_code == 410
    with scopes_disabled():
        assert not Invitation.objects.filter(contact=person, revoked_at__isnull=True).exists()


def test_an_expired_invitation_shows_as_expired_and_can_be_resent(alice_world, company, person,
                                                                  django_capture_on_commit_callbacks):
    path = invite_contact(django_capture_on_commit_callbacks, alice_world.am, person)
    with scopes_disabled():
        Invitation.objects.filter(contact=person).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert HttpClient().get(path).status_code == 410
    html = client_page(login(alice_world.am), company.pk)
    assert "invitation expired" in html or "приглашение истекло" in html
    invite_contact(django_capture_on_commit_callbacks, alice_world.am, person)


def test_invite_errors_come_back_in_the_block(alice_world, company):
    no_mail = ContactFactory(client=company, email="")
    http = login(alice_world.am)
    response = http.post(reverse("portal:access_invite", args=[no_mail.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 422 and 'id="portal-access"' in response.content.decode()
    active = alice_world.client_contact.contact
    response = http.post(reverse("portal:access_invite", args=[active.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    response = http.post(reverse("portal:access_revoke", args=[no_mail.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 422


def test_htmx_invite_answers_the_block(alice_world, person, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = login(alice_world.am).post(reverse("portal:access_invite", args=[person.pk]),
                                              HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and reverse("portal:access_revoke", args=[person.pk]) in response.content.decode()
    assert len(mail.outbox) == 1


def test_another_agency_and_an_am_without_the_client_get_404(alice_world, bob_world, person):
    for member in (bob_world.director, alice_world.am2):
        for name in ("portal:access_invite", "portal:access_revoke", "portal:access_admin"):
            assert login(member).post(reverse(name, args=[person.pk])).status_code == 404, (member, name)
    with scopes_disabled():
        assert not Invitation.objects.filter(contact=person).exists()


def test_a_client_login_is_sent_back_to_the_portal(alice_world, person):
    response = login(alice_world.client_contact).post(reverse("portal:access_invite", args=[person.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("portal:home")


def test_portal_admin_toggle(alice_world):
    contact = alice_world.client_contact.contact
    http = login(alice_world.am)
    assert http.post(reverse("portal:access_admin", args=[contact.pk]), {"is_admin": "1"}).status_code == 302
    assert _portal_login(contact).is_portal_admin
    http.post(reverse("portal:access_admin", args=[contact.pk]), {"is_admin": "0"})
    assert not _portal_login(contact).is_portal_admin
    not_invited = ContactFactory(client=contact.client)
    response = http.post(reverse("portal:access_admin", args=[not_invited.pk]), {"is_admin": "1"},
                         HTTP_HX_REQUEST="true")
    assert response.status_code == 422


def test_the_block_keeps_its_query_count(alice_world, company, django_assert_max_num_queries):
    http = login(alice_world.am)
    url = reverse("clients:detail", args=[company.pk])
    http.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    clear_cache()  # both views compute their blocks (clients.block_cache would serve the first otherwise)
    with CaptureQueriesContext(connection) as few:
        http.get(url)
    for i in range(8):
        ContactFactory(client=company, email=f"more{i}@client.example")
    clear_cache()
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert http.get(url).status_code == 200


def test_a_contact_of_another_company_is_invited_to_its_own_company(alice_world, django_capture_on_commit_callbacks):
    other = ClientFactory(agency=alice_world.agency, owner=alice_world.am.user)
    contact = ContactFactory(client=other, email="boss@other.example")
    path = invite_contact(django_capture_on_commit_callbacks, alice_world.am, contact)
    http = HttpClient()
    http.post(path, {"full_name": "Босс", "login_method": "password", "password": "fresh-pass-2026"})
    home = http.get(reverse("portal:home")).content.decode()
    assert other.name in home and alice_world.client_contact.contact.client.name not in home


def test_a_revoked_contact_reinvited_accepts_with_the_link_alone(alice_world, django_capture_on_commit_callbacks):
    member = alice_world.client_contact
    login(alice_world.am).post(reverse("portal:access_revoke", args=[member.contact_id]))
    path = invite_contact(django_capture_on_commit_callbacks, alice_world.am, member.contact)
    http = HttpClient()
    page = http.get(path).content.decode()
    assert 'name="password"' not in page and "<form" in page
    response = http.post(path)
    assert response.status_code == 302 and response["Location"] == reverse("portal:home")
    assert http.get(reverse("portal:home")).status_code == 200
    assert _portal_login(member.contact).pk == member.pk


def test_a_staff_account_invited_as_a_client_must_log_in_first(alice_world, bob_world,
                                                              django_capture_on_commit_callbacks):
    """Bob's AM is also a contact of Alice's client: the invitation alone does not log a staff account in."""
    contact = ContactFactory(client=alice_world.client_contact.contact.client, email=bob_world.am.user.email)
    path = invite_contact(django_capture_on_commit_callbacks, alice_world.am, contact)
    http = HttpClient()
    assert reverse("accounts:login") in http.get(path).content.decode()
    http.post(path)
    assert _portal_login(contact) is None
