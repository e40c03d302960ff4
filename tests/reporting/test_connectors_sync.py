"""Connector syncs end to end: idempotent re-sync, partial days, the pages, the API, the daily beat, tokens."""
import pytest
from django.test import TestCase
from django.utils import timezone, translation
from django_scopes import scope, scopes_disabled

from reporting.connectors import crypto
from reporting.models import DataSource, SourceCredential, SourceSync
from reporting.services.syncs import sources_sync_agency
from tests.factories import DataSourceFactory

from .connectors_helpers import connected, days, facts, http, run_sync

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def test_resync_replaces_the_period_and_never_doubles(alice_world, fake_direct):
    source = connected(alice_world, "yandex_direct", token="direct-token")
    first, last = days(4)
    run_sync(alice_world, source, date_from=first, date_to=last)
    once = sorted((r.date, r.campaign.external_id, r.clicks) for r in facts(source))
    sync = run_sync(alice_world, source, date_from=first, date_to=last)
    assert sorted((r.date, r.campaign.external_id, r.clicks) for r in facts(source)) == once
    assert sync.replaced == len(once) == 8
    # A campaign that stops showing drops out of the re-synced days (its old rows are not left behind).
    del fake_direct.accounts[""]["1002"]
    run_sync(alice_world, source, date_from=last, date_to=last)
    rows = facts(source)
    assert len(rows) == 7 and not [r for r in rows if r.date == last and r.campaign.external_id == "1002"]


def test_today_is_synced_and_marked_partial(alice_world, fake_direct, as_member):
    source = connected(alice_world, "yandex_direct", token="direct-token")
    sync = run_sync(alice_world, source)  # default period: the last days up to today
    today = timezone.localdate()
    assert sync.date_to == today and sync.partial_from == today
    page = http(alice_world.am).get(f"/reporting/sources/{source.pk}/").content.decode()
    assert "are partial" in page and "partial day" in page


def test_connection_page_saves_tokens_encrypted_and_starts_a_sync(alice_world, fake_direct):
    source = DataSourceFactory(agency=alice_world.agency, kind="yandex_direct", name="Директ клиента",
                               client=connected(alice_world, "vk_ads", token="x").client)
    am = http(alice_world.am)
    page = am.get(f"/reporting/sources/{source.pk}/")
    assert page.status_code == 200 and "Not connected yet" in page.content.decode()
    refused = am.post(f"/reporting/sources/{source.pk}/connection/", {"action": "save", "access_token": ""})
    assert refused.status_code == 422
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = am.post(f"/reporting/sources/{source.pk}/connection/", {
            "action": "sync", "access_token": "direct-token", "accounts": "", "campaigns": "1001\n"})
    assert response.status_code == 302
    with scopes_disabled():
        credential = SourceCredential.objects.get(source=source)
        assert "direct-token" not in credential.access_token and crypto.decrypt(credential.access_token) == "direct-token"
        assert credential.token_hint == "…oken"
        assert DataSource.objects.get(pk=source.pk).campaigns == ["1001"]
        assert SourceSync.objects.get(source=source).status == "done"
    page = am.get(f"/reporting/sources/{source.pk}/connection/").content.decode()
    assert "direct-token" not in page and "…oken" in page
    assert {r.campaign.external_id for r in facts(source)} == {"1001"}


def test_sync_button_htmx_and_plain(alice_world, fake_direct):
    source = connected(alice_world, "yandex_direct", token="direct-token")
    am = http(alice_world.am)
    first, last = days(2)
    with TestCase.captureOnCommitCallbacks(execute=True):
        block = am.post(f"/reporting/sources/{source.pk}/sync/",
                        {"date_from": first.isoformat(), "date_to": last.isoformat()}, HTTP_HX_REQUEST="true")
    assert block.status_code == 200 and 'id="source-sync"' in block.content.decode()
    assert len(facts(source)) == 4
    bad = am.post(f"/reporting/sources/{source.pk}/sync/", {"date_from": last.isoformat(),
                                                             "date_to": first.isoformat()}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 422 and "after its end" in bad.content.decode()
    plain = am.post(f"/reporting/sources/{source.pk}/sync/", {"date_to": "2999-01-01"})
    assert plain.status_code == 302
    assert http(alice_world.specialist).post(f"/reporting/sources/{source.pk}/sync/", {}).status_code == 403
    assert http(alice_world.specialist).get(f"/reporting/sources/{source.pk}/connection/").status_code == 403


def test_a_running_sync_shows_progress_and_refuses_a_second(alice_world, fake_direct):
    from reporting.services.syncs import sync_start

    source = connected(alice_world, "yandex_direct", token="direct-token")
    with scope(agency=alice_world.agency):
        sync_start(agency=alice_world.agency, actor=alice_world.am.user, source=source)  # not run: no commit
        page = http(alice_world.am).get(f"/reporting/sources/{source.pk}/").content.decode()
        assert "Sync of " in page and "hx-get=\"/jobs/" in page
        with pytest.raises(Exception, match="already running"):
            sync_start(agency=alice_world.agency, actor=alice_world.am.user, source=source)


def test_source_page_queries_stay_constant(alice_world, fake_direct, django_assert_max_num_queries):
    source = connected(alice_world, "yandex_direct", token="direct-token")
    first, last = days(1)
    am = http(alice_world.am)
    for n in (1, 6):
        while len(_syncs(source)) < n:
            run_sync(alice_world, source, date_from=first, date_to=last)
        with django_assert_max_num_queries(30):
            assert am.get(f"/reporting/sources/{source.pk}/").status_code == 200


def _syncs(source):
    with scopes_disabled():
        return list(SourceSync.objects.filter(source=source))


def test_api_starts_a_sync_and_never_shows_tokens(alice_world, bob_world, fake_direct):
    source = connected(alice_world, "yandex_direct", token="direct-token")
    am = http(alice_world.am)
    url = f"/api/v1/reporting/connections/{source.pk}/"
    answer = am.patch(url, {"access_token": "direct-token-2", "expires_in": 3600}, content_type="application/json")
    assert answer.status_code == 200 and answer.json()["token_hint"] == "…en-2"
    assert "direct-token" not in answer.content.decode() and am.get(url).json()["connected"] is True
    fake_direct.token = "direct-token-2"
    first, last = days(2)
    with TestCase.captureOnCommitCallbacks(execute=True):
        started = am.post("/api/v1/reporting/syncs/", {"source": str(source.pk), "date_from": first.isoformat(),
                                                        "date_to": last.isoformat()}, content_type="application/json")
    assert started.status_code == 202 and started.json()["trigger"] == "api"
    detail = am.get(f"/api/v1/reporting/syncs/{started.json()['id']}/").json()
    assert detail["status"] == "done" and detail["rows"] == 4 and detail["job_status"] == "succeeded"
    assert [s["id"] for s in am.get(f"/api/v1/reporting/syncs/?source={source.pk}").json()["results"]] == [
        detail["id"]]
    foreign = connected(bob_world, "yandex_direct", token="t")
    refused = am.post("/api/v1/reporting/syncs/", {"source": str(foreign.pk)}, content_type="application/json")
    assert refused.status_code == 400 and "source" in refused.json()
    file_source = DataSourceFactory(agency=alice_world.agency, client=source.client)
    assert am.post("/api/v1/reporting/syncs/", {"source": str(file_source.pk)},
                   content_type="application/json").status_code == 400
    assert http(alice_world.specialist).post("/api/v1/reporting/syncs/", {"source": str(source.pk)},
                                             content_type="application/json").status_code == 403


def test_daily_beat_syncs_each_connected_source_once(alice_world, fake_direct):
    from reporting.tasks_sync import sources_sync_all_task

    source = connected(alice_world, "yandex_direct", token="direct-token")
    DataSourceFactory(agency=alice_world.agency, client=source.client, kind="yandex_direct")  # not connected
    paused = connected(alice_world, "yandex_direct", token="direct-token")
    with scopes_disabled():
        DataSource.objects.filter(pk=paused.pk).update(status=DataSource.Status.PAUSED)
    with TestCase.captureOnCommitCallbacks(execute=True):
        sources_sync_all_task.delay()
    with scopes_disabled():
        syncs = list(SourceSync.objects.filter(agency=alice_world.agency))
    assert [(s.source_id, s.trigger, s.status) for s in syncs] == [(source.pk, "beat", "done")]
    with scope(agency=alice_world.agency):
        assert sources_sync_agency(agency=alice_world.agency) == 0  # not twice a day


def test_token_encryption_roundtrip_and_a_changed_key(settings):
    settings.CONNECTOR_TOKEN_KEY = "a passphrase, not a Fernet key"
    secret = crypto.encrypt("y0_AgAAAABkZ")
    assert secret != "y0_AgAAAABkZ" and crypto.decrypt(secret) == "y0_AgAAAABkZ"
    settings.CONNECTOR_TOKEN_KEY = "another key"
    assert crypto.decrypt(secret) == ""  # reads as "no token": the page asks for it again


def test_demo_records_a_direct_sync(alice_world):
    from mrm.core.demo import AGENCIES, seed_agency
    from reporting.demo_connectors import seed_connectors
    from tests.factories import ClientFactory

    agency, members = seed_agency(AGENCIES[0])
    ClientFactory(agency=agency, name="Демо-клиент")
    with scope(agency=agency):
        seed_connectors(agency=agency, members=members)
        seed_connectors(agency=agency, members=members)
    with scopes_disabled():
        source = DataSource.objects.get(agency=agency, kind="yandex_direct")
        sync = SourceSync.objects.get(source=source)
        assert sync.trigger == "demo" and sync.status == "done" and sync.rows == len(facts(source)) > 90
        assert source.last_synced_at is not None
