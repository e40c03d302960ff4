"""VK Ads connector against the fake ads.vk.com API over real HTTP, with the OAuth2 token refresh."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation
from django_scopes import scopes_disabled

from reporting.connectors import crypto
from reporting.models import SourceCredential
from tests.fakes.scripted_http import figures

from .connectors_helpers import connected, days, facts, run_sync

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _vk_source(world, **extra):
    return connected(world, "vk_ads", token="vk-access-0", refresh_token="vk-refresh-0", client_id="vk-app",
                     client_secret="vk-secret", **extra)


def _credential(source):
    with scopes_disabled():
        return SourceCredential.objects.get(source=source)


def test_vk_happy_path_reads_ad_plans_by_day(alice_world, fake_vk):
    source = _vk_source(alice_world)
    first, last = days(3)
    sync = run_sync(alice_world, source, date_from=first, date_to=last)
    assert sync.status == "done" and sync.rows == 6 and fake_vk.refreshes == 0
    stats = [r for r in fake_vk.requests if r["path"].startswith("/api/v2/statistics/")]
    assert stats[0]["query"] == {"id": "501,502", "date_from": first.isoformat(), "date_to": last.isoformat(),
                                 "metrics": "base"}
    assert stats[0]["headers"]["authorization"] == "Bearer vk-access-0"
    row = next(r for r in facts(source) if r.campaign.external_id == "501" and r.date == last)
    expected = figures("501", last)
    assert (row.impressions, row.clicks) == (expected["impressions"], expected["clicks"])
    assert row.cost == Decimal(expected["cost_kopecks"]) / 100 and row.campaign.name.startswith("VK — look")


def test_vk_expired_token_is_refreshed_once_and_the_new_pair_kept(alice_world, fake_vk):
    source = _vk_source(alice_world, campaigns=["502"])
    fake_vk.expire()
    first, last = days(2)
    sync = run_sync(alice_world, source, date_from=first, date_to=last)
    assert sync.status == "done" and fake_vk.refreshes == 1
    token_call = next(r for r in fake_vk.requests if r["path"] == "/api/v2/oauth2/token.json")
    assert token_call["body"] == {"grant_type": "refresh_token", "refresh_token": "vk-refresh-0",
                                  "client_id": "vk-app", "client_secret": "vk-secret"}
    credential = _credential(source)
    assert crypto.decrypt(credential.access_token) == "vk-access-1"
    assert crypto.decrypt(credential.refresh_token) == "vk-refresh-1"  # the used refresh token is replaced
    assert "vk-access-1" not in credential.access_token  # stored encrypted
    assert credential.refreshed_at is not None and credential.expires_at > timezone.now()
    assert {r.campaign.external_id for r in facts(source)} == {"502"}


def test_vk_token_past_its_expiry_is_refreshed_before_asking(alice_world, fake_vk):
    source = _vk_source(alice_world)
    with scopes_disabled():
        SourceCredential.objects.filter(source=source).update(expires_at=timezone.now() - timedelta(minutes=1))
    first, last = days(1)
    assert run_sync(alice_world, source, date_from=first, date_to=last).status == "done"
    assert fake_vk.requests[0]["path"] == "/api/v2/oauth2/token.json" and fake_vk.refreshes == 1


def test_vk_refused_refresh_is_a_clear_error(alice_world, fake_vk):
    source = _vk_source(alice_world)
    fake_vk.expire()
    fake_vk.refresh_token = "revoked-elsewhere"
    first, last = days(1)
    sync = run_sync(alice_world, source, date_from=first, date_to=last)
    assert sync.status == "failed" and "invalid_grant" in sync.error and "Connect the account again" in sync.error


def test_vk_throttling_backs_off(alice_world, fake_vk):
    source = _vk_source(alice_world)
    fake_vk.script(429, {"error": {"code": "ERR_LIMIT_EXCEEDED", "message": "Too many requests"}},
                   {"Retry-After": "0"}, times=2)
    first, last = days(1)
    assert run_sync(alice_world, source, date_from=first, date_to=last).status == "done"


def test_vk_garbage_statistics_keep_the_data(alice_world, fake_vk):
    source = _vk_source(alice_world)
    first, last = days(2)
    run_sync(alice_world, source, date_from=first, date_to=last)
    before = len(facts(source))
    fake_vk.script(200, {"count": 1, "items": [{"id": 501, "name": "x"}]})
    fake_vk.script(200, {"items": [{"id": 501, "rows": [{"date": first.isoformat(), "base": {"shows": -5}}]}]})
    sync = run_sync(alice_world, source, date_from=first, date_to=last)
    assert sync.status == "failed" and "Nothing was changed" in sync.error and len(facts(source)) == before == 4
