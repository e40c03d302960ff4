import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import login
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _code(device) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def _enable(membership):
    http = login(membership)
    http.get("/accounts/two-factor/")
    device = TOTPDevice.objects.get(user=membership.user, confirmed=False)
    response = http.post("/accounts/two-factor/", {"token": _code(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    return device


def test_setup_rejects_a_wrong_code(alice):
    http = login(alice)
    page = http.get("/accounts/two-factor/").content.decode()
    assert "data:image/svg+xml;base64," in page
    response = http.post("/accounts/two-factor/", {"token": "000000"})
    assert response.status_code == 200
    assert not TOTPDevice.objects.filter(user=alice.user, confirmed=True).exists()


def test_login_asks_for_the_code_once_enabled(client, alice):
    device = _enable(alice)
    response = client.post("/accounts/login/", {"username": alice.user.email, "password": PASSWORD})
    assert response["Location"].startswith("/accounts/login/verify/")
    assert "_auth_user_id" not in client.session
    bad = client.post("/accounts/login/verify/", {"token": "123456"})
    assert bad.status_code == 200 and "_auth_user_id" not in client.session
    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.last_t = -1
    device.save()
    good = client.post("/accounts/login/verify/", {"token": _code(device)})
    assert good.status_code == 302
    assert client.get("/today/").status_code == 200


def test_agency_can_require_two_factor_for_staff(alice_world):
    agency = alice_world.agency
    agency.require_2fa = True
    agency.save()
    http = login(alice_world.am)
    response = http.get("/clients/")
    assert response.status_code == 302 and response["Location"] == "/accounts/two-factor/"
    assert http.get("/accounts/two-factor/").status_code == 200
    # The client contact (portal) is not forced.
    assert login(alice_world.client_contact).get("/portal/").status_code == 200


def test_cannot_switch_off_when_agency_requires_it(alice):
    _enable(alice)
    alice.agency.require_2fa = True
    alice.agency.save()
    http = login(alice)
    http.post("/accounts/two-factor/", {"action": "disable"})
    assert TOTPDevice.objects.filter(user=alice.user, confirmed=True).exists()
