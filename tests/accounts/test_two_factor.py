from datetime import timedelta

import pytest
import time_machine
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
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


# --- Backup codes ---------------------------------------------------------------------------------

def _backup_codes(http) -> list[str]:
    import re

    page = http.post("/accounts/two-factor/", {"action": "backup_codes"}).content.decode()
    block = page.split('id="new-backup-codes"', 1)[1].split("</ul>", 1)[0]
    return [code.replace(" ", "") for code in re.findall(r'<code class="mrm-key">([a-z2-7]{4} [a-z2-7]{4})</code>', block)]


def _password_step(email: str):
    from django.test import Client

    http = Client()
    response = http.post("/accounts/login/", {"username": email, "password": PASSWORD})
    assert response["Location"].startswith("/accounts/login/verify/")
    return http


def test_backup_codes_are_shown_once(alice):
    _enable(alice)
    http = login(alice)
    codes = _backup_codes(http)
    assert len(codes) == 10 and len(set(codes)) == 10
    page = http.get("/accounts/two-factor/").content.decode()
    assert not any(code[:4] + " " + code[4:] in page for code in codes)
    assert "10" in page  # how many are left


def test_a_backup_code_logs_in_once_then_stops_working(alice):
    _enable(alice)
    code = _backup_codes(login(alice))[0]
    http = _password_step(alice.user.email)
    # Typed as shown, with the space and in capitals.
    response = http.post("/accounts/login/verify/", {"token": f"{code[:4].upper()} {code[4:]}"})
    assert response.status_code == 302
    assert http.get("/today/").status_code == 200
    assert StaticToken.objects.filter(device__user=alice.user).count() == 9

    again = _password_step(alice.user.email)
    response = again.post("/accounts/login/verify/", {"token": code})
    assert response.status_code == 200 and "_auth_user_id" not in again.session


def test_backup_code_satisfies_the_agencys_two_factor_requirement(alice_world):
    _enable(alice_world.am)
    code = _backup_codes(login(alice_world.am))[0]
    alice_world.agency.require_2fa = True
    alice_world.agency.save()
    http = _password_step(alice_world.am.user.email)
    assert http.post("/accounts/login/verify/", {"token": code}).status_code == 302
    assert http.get("/clients/").status_code == 200


def test_regenerating_backup_codes_invalidates_the_old_set(alice):
    _enable(alice)
    http = login(alice)
    old = _backup_codes(http)
    new = _backup_codes(http)
    assert not set(old) & set(new)
    attempt = _password_step(alice.user.email)
    assert attempt.post("/accounts/login/verify/", {"token": old[0]}).status_code == 200
    with time_machine.travel(timedelta(seconds=10)):  # past the wait django-otp imposes after a wrong code
        assert attempt.post("/accounts/login/verify/", {"token": new[0]}).status_code == 302


def test_backup_codes_need_the_authenticator_first(alice):
    http = login(alice)
    http.get("/accounts/two-factor/")
    response = http.post("/accounts/two-factor/", {"action": "backup_codes"})
    assert response.status_code == 302
    assert not StaticDevice.objects.filter(user=alice.user).exists()


def test_switching_off_two_factor_removes_the_backup_codes(alice):
    _enable(alice)
    http = login(alice)
    _backup_codes(http)
    http.post("/accounts/two-factor/", {"action": "disable"})
    assert not StaticDevice.objects.filter(user=alice.user).exists()


def test_wrong_backup_codes_are_throttled(alice):
    _enable(alice)
    code = _backup_codes(login(alice))[0]
    http = _password_step(alice.user.email)
    assert http.post("/accounts/login/verify/", {"token": "aaaaaaaa"}).status_code == 200
    # Right after a wrong code the device makes the next try wait (django-otp's throttling), even a right one.
    response = http.post("/accounts/login/verify/", {"token": code})
    assert response.status_code == 200 and "_auth_user_id" not in http.session
    assert StaticToken.objects.filter(device__user=alice.user, token=code).exists()
