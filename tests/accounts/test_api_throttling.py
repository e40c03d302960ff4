"""API rate limits: per key, per user, per anonymous address; wrong keys per address."""
from datetime import timedelta

import pytest
import time_machine
from django.test import Client as HttpClient

from tests.accounts.test_api_tokens import _create_key

pytestmark = pytest.mark.django_db

URL = "/api/v1/clients/"


@pytest.fixture
def rates(settings):
    def _rates(**rates):
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
            "api_key": "1000/min", "user": "1000/min", "anon": "1000/min", **rates}}

    return _rates


def _get(raw: str | None, ip: str = "198.51.100.20", url: str = URL):
    headers = {"HTTP_AUTHORIZATION": f"Token {raw}"} if raw is not None else {}
    return HttpClient().get(url, REMOTE_ADDR=ip, **headers)


def test_throttles_are_switched_on_with_rates_for_each_scope():
    from django.conf import settings

    from mrm.settings import base

    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] == base.REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"]
    assert set(base.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]) == {"api_key", "user", "anon"}


def test_each_api_key_has_its_own_budget(alice_world, rates):
    rates(api_key="3/min")
    mine, theirs = _create_key(alice_world.am), _create_key(alice_world.am2)
    assert [_get(mine).status_code for _ in range(3)] == [200, 200, 200]
    response = _get(mine)
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert _get(theirs).status_code == 200  # another key, same address: unaffected
    with time_machine.travel(timedelta(seconds=61)):
        assert _get(mine).status_code == 200


def test_one_users_keys_share_the_user_budget(alice, rates):
    rates(user="4/min")
    first, second = _create_key(alice), _create_key(alice)
    assert [_get(key).status_code for key in (first, second, first, second)] == [200] * 4
    assert _get(first).status_code == 429
    assert _get(second).status_code == 429


def test_anonymous_calls_are_limited_per_address(db, rates):
    rates(anon="2/min")
    url = "/api/docs/"
    assert [_get(None, url=url).status_code for _ in range(2)] == [200, 200]
    assert _get(None, url=url).status_code == 429
    assert _get(None, ip="192.0.2.99", url=url).status_code == 200


def test_wrong_keys_from_one_address_are_answered_with_429(alice, settings):
    settings.API_KEY_FAILURE_LIMIT = 3
    good = _create_key(alice)
    assert [_get(f"mrm_wrong{i}").status_code for i in range(3)] == [401, 401, 401]
    response = _get("mrm_wrong4")
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= settings.API_KEY_FAILURE_WINDOW
    assert "wrong API keys" in response.json()["detail"] or "ключ" in response.json()["detail"]
    # While the address waits, a right key waits too (a hit must not stand out); other addresses are unaffected.
    assert _get(good).status_code == 429
    assert _get(good, ip="192.0.2.10").status_code == 200
    with time_machine.travel(timedelta(seconds=settings.API_KEY_FAILURE_WINDOW + 1)):
        assert _get(good).status_code == 200
