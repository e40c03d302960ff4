"""Log-in links for portal users: signed, 15 minutes, single use, rate-limited, never telling who exists."""
import pytest
from django.core import mail
from django.test import Client as HttpClient
from django.urls import reverse
from django_scopes import scopes_disabled

from mrm.accounts import magic_link
from mrm.accounts.models import User
from mrm.tenancy.models import Membership
from tests.conftest import login

from .access_helpers import link_from_mail

pytestmark = pytest.mark.django_db
ASK = reverse("accounts:magic_link")


def _ask(capture, email: str, http=None, ip="10.0.0.1"):
    http = http or HttpClient()
    with capture(execute=True):
        return http.post(ASK, {"email": email}, REMOTE_ADDR=ip)


def test_login_page_offers_the_link(db):
    assert ASK in HttpClient().get(reverse("accounts:login")).content.decode()
    assert HttpClient().get(ASK).status_code == 200


def test_a_portal_user_gets_a_link_that_logs_in_once(alice_world, django_capture_on_commit_callbacks):
    response = _ask(django_capture_on_commit_callbacks, "CLIENT@alice.test ")
    assert response.status_code == 302 and response["Location"] == ASK + "?sent=1"
    assert mail.outbox[-1].to == ["client@alice.test"]
    path = link_from_mail("/accounts/login/link/")
    http = HttpClient()
    confirm = http.get(path)  # opening it (a mail scanner, a preview) does not use it up
    assert confirm.status_code == 200 and "<form" in confirm.content.decode()
    assert http.get(path).status_code == 200
    response = http.post(path)
    assert response.status_code == 302 and response["Location"] == reverse("portal:home")
    assert http.get(reverse("portal:home")).status_code == 200
    assert response.cookies["django_language"].value == alice_world.client_contact.user.language
    # Single use.
    assert HttpClient().post(path).status_code == 410
    assert HttpClient().get(path).status_code == 410


def test_unknown_and_staff_addresses_get_the_same_answer_and_no_mail(alice_world, django_capture_on_commit_callbacks):
    answers = [_ask(django_capture_on_commit_callbacks, email) for email in
               ("nobody@nowhere.example", alice_world.am.user.email, alice_world.client_contact.user.email)]
    assert {(r.status_code, r["Location"]) for r in answers} == {(302, ASK + "?sent=1")}
    assert [m.to for m in mail.outbox] == [[alice_world.client_contact.user.email]]
    sent = HttpClient().get(ASK + "?sent=1").content.decode()
    assert 'id="magic-link-sent"' in sent


def test_no_link_for_an_inactive_or_revoked_portal_login(alice_world, django_capture_on_commit_callbacks):
    member = alice_world.client_contact
    with scopes_disabled():
        Membership.objects.filter(pk=member.pk).update(is_active=False)
    _ask(django_capture_on_commit_callbacks, member.user.email)
    assert not mail.outbox


def test_an_expired_or_tampered_link_is_refused(alice_world, django_capture_on_commit_callbacks, monkeypatch):
    _ask(django_capture_on_commit_callbacks, alice_world.client_contact.user.email)
    path = link_from_mail("/accounts/login/link/")
    assert HttpClient().post(path[:-3] + "abc/").status_code == 410
    assert HttpClient().get(reverse("accounts:magic_link_login", args=["garbage"])).status_code == 410
    monkeypatch.setattr(magic_link, "MAX_AGE", -1)
    assert HttpClient().post(path).status_code == 410


def test_ending_the_sessions_kills_unused_links(alice_world, django_capture_on_commit_callbacks):
    member = alice_world.client_contact
    _ask(django_capture_on_commit_callbacks, member.user.email)
    path = link_from_mail("/accounts/login/link/")
    login(alice_world.am).post(reverse("portal:access_revoke", args=[member.contact_id]))
    assert HttpClient().post(path).status_code == 410


def test_a_second_link_does_not_survive_the_first_use(alice_world, django_capture_on_commit_callbacks):
    email = alice_world.client_contact.user.email
    _ask(django_capture_on_commit_callbacks, email)
    first = link_from_mail("/accounts/login/link/")
    _ask(django_capture_on_commit_callbacks, email)
    second = link_from_mail("/accounts/login/link/")
    assert HttpClient().post(first).status_code == 302
    assert HttpClient().post(second).status_code == 410


def test_links_per_address_are_limited_quietly(alice_world, django_capture_on_commit_callbacks):
    email = alice_world.client_contact.user.email
    answers = [_ask(django_capture_on_commit_callbacks, email, ip=f"10.0.1.{i}").status_code for i in range(5)]
    assert answers == [302] * 5
    assert len(mail.outbox) == magic_link.ADDRESS_LIMIT


def test_requests_per_network_are_limited(db, django_capture_on_commit_callbacks):
    codes = [_ask(django_capture_on_commit_callbacks, f"x{i}@nowhere.example", ip="10.9.9.9").status_code
             for i in range(magic_link.IP_LIMIT + 1)]
    assert codes[:-1] == [302] * magic_link.IP_LIMIT and codes[-1] == 429


def test_a_staff_member_with_a_client_login_elsewhere_gets_no_link(alice_world, bob_world,
                                                                   django_capture_on_commit_callbacks):
    """Staff log in with a password (and their second factor): a client membership elsewhere changes nothing."""
    from tests.factories import ContactFactory, MembershipFactory

    MembershipFactory(agency=bob_world.agency, user=alice_world.client_contact.user, role="am")
    _ask(django_capture_on_commit_callbacks, alice_world.client_contact.user.email)
    assert not mail.outbox
    with scopes_disabled():
        contact = ContactFactory(client=bob_world.client_contact.contact.client)
    assert contact.pk
    assert User.objects.filter(email=alice_world.client_contact.user.email).exists()
