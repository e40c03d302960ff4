from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from django_scopes import scopes_disabled

from mrm.accounts.models import User
from mrm.tenancy.models import Invitation, Membership, Role
from tests.conftest import login
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def invite(django_capture_on_commit_callbacks):
    """Invite by the team page and return the link path from the e-mail (sent after commit)."""

    def _invite(director, email="new.person@example.com", role=Role.SPECIALIST) -> str:
        with django_capture_on_commit_callbacks(execute=True):
            response = login(director).post("/settings/team/", {"email": email, "role": role})
        assert response.status_code == 302, response.content.decode()[:500]
        body = mail.outbox[-1].body
        return next(line for line in body.splitlines() if "/accounts/invite/" in line).split("testserver")[-1].strip()

    return _invite


def test_invite_new_person_sets_role_and_logs_them_in(client, alice, invite):
    path = invite(alice)
    assert mail.outbox[-1].to == ["new.person@example.com"]
    response = client.post(path, {"full_name": "Пётр Новый", "password": "fresh-pass-2026"})
    assert response.status_code == 302
    user = User.objects.get(email="new.person@example.com")
    with scopes_disabled():
        membership = Membership.objects.get(user=user)
    assert membership.agency == alice.agency and membership.role == Role.SPECIALIST
    assert client.get("/today/").status_code == 200


def test_reused_invitation_link_is_refused_clearly(client, alice, invite):
    path = invite(alice)
    client.post(path, {"full_name": "Пётр", "password": "fresh-pass-2026"})
    response = client.__class__().get(path)
    assert response.status_code == 410
    assert "already been used" in response.content.decode() or "уже" in response.content.decode()


def test_expired_invitation_is_refused(client, alice, invite):
    path = invite(alice)
    with scopes_disabled():
        Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    response = client.get(path)
    assert response.status_code == 410
    response = client.post(path, {"full_name": "Пётр", "password": "fresh-pass-2026"})
    assert response.status_code == 410
    assert not User.objects.filter(email="new.person@example.com").exists()


def test_unknown_invitation_token_is_404(client, db):
    assert client.get("/accounts/invite/not-a-real-token/").status_code == 404


def test_withdrawn_invitation_is_refused(client, alice, invite):
    path = invite(alice)
    with scopes_disabled():
        invitation = Invitation.objects.get()
    login(alice).post(f"/settings/team/invitations/{invitation.uuid}/revoke/")
    assert client.get(path).status_code == 410


def test_existing_user_logs_in_then_joins_second_agency_and_switches(client, alice, bob, invite):
    path = invite(alice, email=bob.user.email, role=Role.AM)
    http = login(bob)
    response = http.get(path)
    assert "Accept" in response.content.decode() or "Принять" in response.content.decode()
    assert http.post(path).status_code == 302
    # Now a member of both agencies: the switcher lists both and switching changes the workspace.
    response = http.post("/accounts/switch/", {"agency": str(alice.agency.uuid)}, follow=True)
    assert response.context["agency"] == alice.agency
    response = http.post("/accounts/switch/", {"agency": str(bob.agency.uuid)}, follow=True)
    assert response.context["agency"] == bob.agency


def test_switch_to_foreign_agency_is_refused(alice, bob):
    http = login(alice)
    response = http.post("/accounts/switch/", {"agency": str(bob.agency.uuid)}, follow=True)
    assert response.context["agency"] == alice.agency


def test_invitation_for_the_wrong_logged_in_user_is_explained(alice, bob, invite):
    path = invite(alice, email="someone.else@example.com")
    response = login(bob).post(path)
    assert response.status_code == 200
    assert "someone.else@example.com" in response.content.decode()
    with scopes_disabled():
        assert not Membership.objects.filter(user=bob.user, agency=alice.agency).exists()


def test_inviting_an_existing_member_is_a_form_error(alice):
    response = login(alice).post("/settings/team/", {"email": alice.user.email, "role": Role.AM})
    assert response.status_code == 422
    assert alice.user.email in response.content.decode()


def test_invite_with_invalid_email_is_a_form_error(alice):
    response = login(alice).post("/settings/team/", {"email": "not-an-email", "role": Role.AM})
    assert response.status_code == 422
    assert mail.outbox == []


def test_weak_password_on_invitation_keeps_name(client, alice, invite):
    path = invite(alice)
    response = client.post(path, {"full_name": "Пётр Новый", "password": "123"})
    assert response.status_code == 200
    assert "Пётр Новый" in response.content.decode()
    assert not User.objects.filter(email="new.person@example.com").exists()


def test_specialist_cannot_invite(alice_world):
    response = login(alice_world.specialist).post("/settings/team/", {"email": "x@example.com", "role": Role.AM})
    assert response.status_code == 403
    assert mail.outbox == []


def test_existing_account_must_log_in_before_accepting(client, alice, invite):
    UserFactory(email="has.account@example.com")
    path = invite(alice, email="has.account@example.com")
    response = client.get(path)
    assert "/accounts/login/" in response.content.decode()
    assert client.post("/accounts/login/", {"username": "has.account@example.com", "password": PASSWORD}).status_code == 302
    assert client.post(path).status_code == 302


def test_plain_text_invitation_is_not_html_escaped(alice, invite):
    """Hardening #9: a text mail shows O'Neil & Co, not O&#x27;Neil &amp; Co."""
    alice.agency.name = "O'Neil & Co"
    alice.agency.save(update_fields=["name"])
    alice.user.full_name = "Mary O'Neil <CEO>"
    alice.user.save(update_fields=["full_name"])
    invite(alice)
    message = mail.outbox[-1]
    assert "Mary O'Neil <CEO>" in message.body and "O'Neil & Co" in message.body  # in Russian or English
    assert "&amp;" not in message.body and "&#x27;" not in message.body and "&lt;" not in message.body
    assert "O'Neil & Co" in message.subject
