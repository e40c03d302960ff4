import re

import pytest
from django_scopes import scopes_disabled

from mrm.accounts.models import ApiToken
from tests.conftest import login
from tests.factories import ClientFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def _create_key(membership) -> str:
    response = login(membership).post("/accounts/me/api-keys/", {"name": "Zapier"})
    assert response.status_code == 200
    match = re.search(r'id="new-key">(mrm_[^<]+)<', response.content.decode())
    assert match, "the new key is shown once"
    return match.group(1)


def test_key_is_shown_once_and_only_its_hash_is_stored(alice):
    raw = _create_key(alice)
    with scopes_disabled():
        token = ApiToken.objects.get()
    assert raw not in token.key_hash and token.prefix == raw[:10]
    assert raw not in login(alice).get("/accounts/me/").content.decode()


def test_key_authenticates_api_and_is_bound_to_its_agency(alice, bob):
    # Bob is also a member of Alice's agency; his Alice key must only ever show Alice's data.
    MembershipFactory(agency=alice.agency, user=bob.user, role="director")
    ClientFactory(agency=alice.agency, name="Только у Алисы")
    ClientFactory(agency=bob.agency, name="Только у Боба")
    http = login(bob)
    http.post("/accounts/switch/", {"agency": str(alice.agency.uuid)})
    raw = _create_key(bob)
    api = http.__class__()
    response = api.get("/api/v1/clients/", HTTP_AUTHORIZATION=f"Token {raw}")
    assert response.status_code == 200
    names = {c["name"] for c in response.json()["results"]}
    assert "Только у Алисы" in names and "Только у Боба" not in names


def test_revoked_key_is_refused_with_401_and_a_message(alice):
    raw = _create_key(alice)
    with scopes_disabled():
        token = ApiToken.objects.get()
    assert login(alice).post(f"/accounts/me/api-keys/{token.pk}/revoke/").status_code == 302
    response = login(alice).__class__().get("/api/v1/clients/", HTTP_AUTHORIZATION=f"Token {raw}")
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"].lower() or "отозван" in response.json()["detail"].lower()


@pytest.mark.parametrize("header", ["Token nonsense", "Token ", "Token mrm_" + "x" * 40, "Token \xff"])
def test_garbage_keys_get_401_not_500(client, db, header):
    response = client.get("/api/v1/clients/", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401


def test_no_credentials_is_403_or_401(client, db):
    assert client.get("/api/v1/clients/").status_code in (401, 403)


def test_client_contact_cannot_create_api_keys(alice_world):
    response = login(alice_world.client_contact).post("/accounts/me/api-keys/", {"name": "x"})
    assert response.status_code == 302
    with scopes_disabled():
        assert not ApiToken.objects.exists()


def test_empty_key_name_is_a_form_error(alice):
    response = login(alice).post("/accounts/me/api-keys/", {"name": ""})
    assert response.status_code == 400


# --- Keys and the agency's mandatory two-factor authentication -------------------------------------

def test_keys_of_staff_without_two_factor_are_refused_once_the_agency_requires_it(alice_world):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    raw = _create_key(alice_world.am)  # created before the agency required two-factor authentication
    api = login(alice_world.am).__class__()
    assert api.get("/api/v1/clients/", HTTP_AUTHORIZATION=f"Token {raw}").status_code == 200
    alice_world.agency.require_2fa = True
    alice_world.agency.save()
    response = api.get("/api/v1/clients/", HTTP_AUTHORIZATION=f"Token {raw}")
    assert response.status_code == 403
    detail = response.json()["detail"]
    assert "two-factor" in detail.lower() or "двухфактор" in detail.lower()
    # The page the member is sent to says the keys wait for it too.
    page = login(alice_world.am).get("/accounts/two-factor/").content.decode()
    assert 'id="api-keys-refused"' in page
    # Once the member turns it on, the same key works again.
    TOTPDevice.objects.create(user=alice_world.am.user, name="app", confirmed=True)
    assert api.get("/api/v1/clients/", HTTP_AUTHORIZATION=f"Token {raw}").status_code == 200


def test_keys_keep_working_where_two_factor_is_optional(alice):
    raw = _create_key(alice)
    response = login(alice).__class__().get("/api/v1/clients/", HTTP_AUTHORIZATION=f"Token {raw}")
    assert response.status_code == 200


def test_profile_says_keys_depend_on_two_factor_when_the_agency_requires_it(alice):
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=alice.user, name="app", confirmed=True)
    alice.agency.require_2fa = True
    alice.agency.save()
    http = login(alice)
    session = http.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id  # as after the code step of the login
    session.save()
    page = http.get("/accounts/me/").content.decode()
    assert 'id="api-keys-2fa"' in page
