"""Yandex Metrica connector against the fake Reporting API over real HTTP."""
from decimal import Decimal

import pytest
from django.utils import translation

from tests.fakes.scripted_http import figures

from .connectors_helpers import connected, days, facts, run_sync

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def test_metrica_happy_path_pages_through_the_report(alice_world, fake_metrica, monkeypatch):
    monkeypatch.setattr("reporting.connectors.yandex_metrica.PAGE", 4)  # 3 days × 3 traffic sources = 3 pages
    source = connected(alice_world, "yandex_metrica", token="metrica-token", counters=["44147844"])
    first, last = days(3)
    sync = run_sync(alice_world, source, date_from=first, date_to=last)
    assert sync.status == "done" and sync.rows == 9 and sync.notes == []
    offsets = [r["query"]["offset"] for r in fake_metrica.requests]
    assert offsets == ["1", "5", "9"]
    query = fake_metrica.requests[0]["query"]
    assert fake_metrica.requests[0]["headers"]["authorization"] == "OAuth metrica-token"
    assert query["ids"] == "44147844" and query["metrics"].startswith("ym:s:visits")
    assert (query["date1"], query["date2"], query["accuracy"]) == (first.isoformat(), last.isoformat(), "full")
    row = next(r for r in facts(source) if r.campaign.external_id == "44147844:organic" and r.date == first)
    expected = figures("44147844:organic", first)
    assert row.sessions == expected["clicks"] and row.conversions == expected["conversions"]
    assert row.revenue == Decimal(expected["revenue_kopecks"]) / 100
    assert row.campaign.name == "Переходы из поисковых систем" and row.channel == "yandex_metrica"


def test_metrica_sampled_answer_is_noted_on_the_sync(alice_world, fake_metrica, as_member):
    fake_metrica.sampled = True
    source = connected(alice_world, "yandex_metrica", token="metrica-token", counters=["44147844"])
    first, last = days(2)
    sync = run_sync(alice_world, source, date_from=first, date_to=last)
    assert sync.status == "done" and "sample (10.0% of sessions)" in sync.notes[0]


def test_metrica_quota_429_backs_off_and_then_reads(alice_world, fake_metrica):
    fake_metrica.quota(times=2)
    source = connected(alice_world, "yandex_metrica", token="metrica-token", counters=["44147844"])
    first, last = days(1)
    sync = run_sync(alice_world, source, date_from=first, date_to=last)
    assert sync.status == "done" and len(fake_metrica.requests) == 3


def test_metrica_quota_that_stays_is_a_clear_error(alice_world, fake_metrica, settings):
    settings.CONNECTOR_RETRIES = 2
    fake_metrica.quota(times=2)
    source = connected(alice_world, "yandex_metrica", token="metrica-token", counters=["44147844"])
    first, last = days(1)
    sync = run_sync(alice_world, source, date_from=first, date_to=last)
    assert sync.status == "failed" and "Quota exceeded" in sync.error and "quota is used up" in sync.error


def test_metrica_garbage_and_unknown_counter_keep_the_data(alice_world, fake_metrica):
    source = connected(alice_world, "yandex_metrica", token="metrica-token", counters=["44147844"])
    first, last = days(2)
    run_sync(alice_world, source, date_from=first, date_to=last)
    before = len(facts(source))
    fake_metrica.script(200, {"data": [{"dimensions": [{"name": "вчера"}], "metrics": [1]}], "total_rows": 1})
    sync = run_sync(alice_world, source, date_from=first, date_to=last)
    assert sync.status == "failed" and "cannot read" in sync.error
    fake_metrica.counters = {}
    sync = run_sync(alice_world, source, date_from=first, date_to=last)
    assert sync.status == "failed" and "counter 44147844" in sync.error
    assert len(facts(source)) == before == 6


def test_metrica_connection_page_needs_a_counter(alice_world, fake_metrica):
    from tests.factories import DataSourceFactory

    from .connectors_helpers import http

    source = DataSourceFactory(agency=alice_world.agency, kind="yandex_metrica",
                               client=connected(alice_world, "vk_ads", token="x").client)
    refused = http(alice_world.am).post(f"/reporting/sources/{source.pk}/connection/",
                                        {"action": "save", "access_token": "metrica-token", "counters": ""})
    assert refused.status_code == 422 and "at least one counter" in refused.content.decode()
