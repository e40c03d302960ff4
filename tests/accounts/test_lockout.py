"""Brute-force lockout: per account in any spelling of the e-mail, per address far higher, reset unlocks."""
from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.contrib.auth import authenticate
from django.core import mail
from django.test import Client as HttpClient
from django.test import RequestFactory

from mrm.accounts.lockout import axes_username
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

OFFICE = "198.51.100.7"


def _post_login(email: str, password: str, ip: str = OFFICE, http: HttpClient | None = None):
    return (http or HttpClient()).post("/accounts/login/", {"username": email, "password": password},
                                       REMOTE_ADDR=ip)


def _lock(email: str, ip: str = OFFICE) -> None:
    for _ in range(5):
        assert _post_login(email, "wrong-password", ip=ip).status_code in (200, 429)


def test_case_variants_share_one_failure_count(alice_world):
    # Five wrong guesses in three spellings, each from a different address, lock the one account.
    for i, spelling in enumerate(["pm@alice.test", "PM@alice.test", "Pm@Alice.Test", " pm@ALICE.test ", "pM@alice.test"]):
        _post_login(spelling, "wrong-password", ip=f"203.0.113.{i + 1}")
    assert set(AccessAttempt.objects.values_list("username", flat=True)) == {"pm@alice.test"}
    response = _post_login("PM@alice.test", PASSWORD, ip="192.0.2.50")
    assert response.status_code == 429
    assert "_auth_user_id" not in response.client.session


def test_success_in_another_spelling_neither_gets_in_nor_clears_the_lock(alice_world):
    _lock("pm@alice.test")
    assert _post_login("Pm@alice.test", PASSWORD, ip="192.0.2.9").status_code == 429
    assert AccessAttempt.objects.filter(username="pm@alice.test").exists()
    assert _post_login("pm@alice.test", PASSWORD, ip="192.0.2.9").status_code == 429


def test_other_people_behind_the_same_address_can_still_log_in(alice_world):
    _lock("pm@alice.test")
    response = _post_login("director@alice.test", PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/today/"
    assert _post_login("am@alice.test", PASSWORD).status_code == 302
    assert _post_login("pm@alice.test", PASSWORD).status_code == 429


def test_lock_page_names_the_account_and_says_how_long_and_how_to_unlock(alice_world):
    _lock("pm@alice.test")
    response = _post_login("PM@Alice.test", PASSWORD)
    assert response.status_code == 429
    page = response.content.decode()
    assert "pm@alice.test" in page
    assert "30" in page
    assert 'id="lock-scope"' in page and 'id="lock-unlock"' in page  # others unaffected; a reset unlocks
    assert "/accounts/password/reset/" in page


def test_lock_page_counts_down_from_the_latest_failure(alice_world):
    _lock("pm@alice.test")
    with time_machine.travel(timedelta(minutes=20), tick=False):
        page = _post_login("pm@alice.test", PASSWORD).content.decode()
    # The attempt 20 minutes later is itself a failure during lockout, so the count restarts: 30 minutes again.
    assert "30" in page
    with time_machine.travel(timedelta(minutes=61), tick=False):
        assert _post_login("pm@alice.test", PASSWORD).status_code == 302


def _reset_password(email: str, new_password: str) -> None:
    http = HttpClient()
    assert http.post("/accounts/password/reset/", {"email": email}).status_code == 302
    link = next(line for line in mail.outbox[-1].body.splitlines() if "/accounts/password/reset/" in line)
    response = http.get(link.split("testserver", 1)[1], follow=True)
    form_url = response.redirect_chain[-1][0]
    response = http.post(form_url, {"new_password1": new_password, "new_password2": new_password})
    assert response.status_code == 302, response.content.decode()[:500]


def test_password_reset_by_email_lifts_the_lock(alice_world):
    _lock("pm@alice.test")
    assert _post_login("pm@alice.test", PASSWORD).status_code == 429
    _reset_password("PM@alice.test", "brand-new-pass-77")
    assert not AccessAttempt.objects.filter(username="pm@alice.test").exists()
    response = _post_login("pm@alice.test", "brand-new-pass-77")
    assert response.status_code == 302 and response["Location"] == "/today/"


def test_password_reset_of_one_account_leaves_other_locks_alone(alice_world):
    _lock("pm@alice.test")
    _lock("am@alice.test")
    _reset_password("pm@alice.test", "brand-new-pass-77")
    assert _post_login("am@alice.test", PASSWORD).status_code == 429


def test_many_failures_from_one_address_pause_logins_from_it_only(alice_world, settings):
    settings.LOGIN_FAILURE_IP_LIMIT = 3
    for i in range(3):
        _post_login(f"guess{i}@example.com", "wrong-password")
    response = _post_login("director@alice.test", PASSWORD)
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "alert-danger" in response.content.decode()  # the form says why
    assert "_auth_user_id" not in response.client.session
    # The pause is not a failure of the director's account, and another address is not paused.
    assert not AccessAttempt.objects.filter(username="director@alice.test").exists()
    assert _post_login("director@alice.test", PASSWORD, ip="192.0.2.77").status_code == 302
    with time_machine.travel(timedelta(seconds=settings.LOGIN_FAILURE_IP_WINDOW + 1), tick=False):
        assert _post_login("director@alice.test", PASSWORD).status_code == 302


def test_default_address_limit_is_far_above_the_account_limit():
    from mrm.settings import base

    assert base.LOGIN_FAILURE_IP_LIMIT >= 10 * base.AXES_FAILURE_LIMIT


@pytest.mark.parametrize("typed", ["PM@alice.test", " pm@alice.test ", "Pm@ALICE.TEST"])
def test_backend_and_lockout_use_the_same_spelling(alice_world, typed):
    request = RequestFactory().post("/accounts/login/", {"username": typed, "password": PASSWORD})
    assert authenticate(request, username=typed, password=PASSWORD) == alice_world.specialist.user
    assert axes_username(request, {"username": typed}) == "pm@alice.test"
    assert axes_username(request, None) == "pm@alice.test"


def test_admin_login_is_under_the_same_locks(db, settings):
    from tests.factories import UserFactory

    UserFactory(email="root@alice.test", is_staff=True, is_superuser=True)
    settings.LOGIN_FAILURE_IP_LIMIT = 2
    admin_login = "/admin/login/?next=/admin/"
    for _ in range(2):
        HttpClient().post(admin_login, {"username": "x@example.com", "password": "nope"}, REMOTE_ADDR=OFFICE)
    http = HttpClient()
    response = http.post(admin_login, {"username": "ROOT@alice.test", "password": PASSWORD}, REMOTE_ADDR=OFFICE)
    assert response.status_code == 200 and "_auth_user_id" not in http.session
    response = http.post(admin_login, {"username": "ROOT@alice.test", "password": PASSWORD}, REMOTE_ADDR="192.0.2.3")
    assert response.status_code == 302


def test_wrong_password_message_states_the_configured_limit_and_lock(alice_world, settings):
    """The form said "5 attempts … 30 minutes" whatever AXES_FAILURE_LIMIT / AXES_COOLOFF_TIME were."""
    settings.AXES_FAILURE_LIMIT = 8
    settings.AXES_COOLOFF_TIME = 0.25  # hours
    response = _post_login("pm@alice.test", "wrong-password")
    text = " ".join(response.context["form"].non_field_errors())
    assert " 8 " in text and " 15 " in text and " 5 " not in text and "30" not in text  # in either language
    for _ in range(7):
        _post_login("pm@alice.test", "wrong-password")
    assert _post_login("pm@alice.test", PASSWORD).status_code == 429  # the 8th failure locked it, as told
