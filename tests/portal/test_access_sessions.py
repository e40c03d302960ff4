"""Revoking portal access or deleting the contact ends every session of that person at once."""
import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from clients.services.contacts import contact_delete
from mrm.accounts.models import User
from mrm.tenancy.models import Membership
from tests.conftest import login
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _password_login(user) -> HttpClient:
    http = HttpClient()
    response = http.post(reverse("accounts:login"), {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:300]
    return http


def _sessions(member, n=2):
    sessions = []
    for _ in range(n):
        http = _password_login(member.user)
        assert http.get(reverse("portal:home")).status_code == 200
        sessions.append(http)
    return sessions


def _logged_out(http) -> bool:
    response = http.get(reverse("portal:home"))
    return response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_revoking_access_logs_the_person_out_everywhere(alice_world):
    member = alice_world.client_contact
    sessions = _sessions(member)
    response = login(alice_world.am).post(reverse("portal:access_revoke", args=[member.contact_id]))
    assert response.status_code == 302
    assert all(_logged_out(http) for http in sessions)
    with scopes_disabled():
        member.refresh_from_db()
    assert not member.is_active
    # Logging in again gives no portal: the membership is inactive.
    http = _password_login(member.user)
    assert http.get(reverse("portal:home")).status_code == 302


def test_deleting_the_contact_logs_the_person_out_everywhere(alice_world):
    member = alice_world.client_contact
    sessions = _sessions(member)
    with scope(agency=alice_world.agency):
        contact_delete(agency=alice_world.agency, actor=alice_world.am.user, contact=member.contact)
    assert all(_logged_out(http) for http in sessions)
    with scopes_disabled():
        assert not Membership.objects.filter(pk=member.pk).exists()


def test_deleting_the_contact_from_the_client_page_logs_them_out(alice_world):
    member = alice_world.client_contact
    [session] = _sessions(member, n=1)
    contact = member.contact
    response = login(alice_world.am).post(reverse("clients:contact_delete", args=[contact.client_id, contact.pk]))
    assert response.status_code in (200, 302)
    assert _logged_out(session)


def test_other_people_stay_logged_in(alice_world):
    member = alice_world.client_contact
    am = _password_login(alice_world.am.user)
    login(alice_world.am).post(reverse("portal:access_revoke", args=[member.contact_id]))
    assert am.get(reverse("core:today")).status_code == 200


def test_a_never_revoked_person_keeps_djangos_session_hash(alice_world):
    """No mass log-out on deploy: session_epoch 0 leaves the standard hash."""
    user = User.objects.get(pk=alice_world.client_contact.user_id)
    from django.utils.crypto import salted_hmac

    standard = salted_hmac("django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash", user.password,
                           algorithm="sha256").hexdigest()
    assert user.get_session_auth_hash() == standard
    User.objects.filter(pk=user.pk).update(session_epoch=1)
    user.refresh_from_db()
    assert user.get_session_auth_hash() != standard
