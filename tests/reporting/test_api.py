"""Reporting API: sources CRUD, the idempotent bulk upload of metric rows, the aggregates; roles and isolation."""
from datetime import date, timedelta

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from reporting.models import DailyMetric, DataSource
from tests.conftest import login
from tests.factories import ClientFactory, DataSourceFactory

pytestmark = pytest.mark.django_db
JSON = "application/json"


def _rows(n=3, **extra):
    start = timezone.localdate() - timedelta(days=n)
    return [{"date": (start + timedelta(days=i)).isoformat(), "channel": "Яндекс Директ", "campaign_id": "42",
             "campaign": "Бренд", "impressions": 1000, "clicks": 40, "cost": "400.00", "conversions": "4",
             "revenue": "1600.00", **extra} for i in range(n)]


@pytest.fixture
def client_obj(alice_world):
    return ClientFactory(agency=alice_world.agency, owner=alice_world.am.user)


def test_source_crud(alice_world, client_obj):
    http = login(alice_world.am)
    created = http.post("/api/v1/reporting/sources/", {"client": str(client_obj.pk), "kind": "vk_ads",
                                                       "name": "VK", "accounts": ["acc-1"]}, content_type=JSON)
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["currency"] == "RUB" and body["accounts"] == ["acc-1"] and body["status"] == "active"
    url = f"/api/v1/reporting/sources/{body['id']}/"
    assert http.get("/api/v1/reporting/sources/").json()["results"][0]["id"] == body["id"]
    patched = http.patch(url, {"name": "VK Реклама", "status": "paused"}, content_type=JSON)
    assert patched.status_code == 200 and patched.json()["name"] == "VK Реклама"
    moved = http.patch(url, {"client": str(ClientFactory(agency=alice_world.agency, owner=alice_world.am.user).pk)},
                       content_type=JSON)
    assert moved.status_code == 400
    assert http.patch(url, {"currency": "рубли"}, content_type=JSON).status_code == 400
    assert http.delete(url).status_code == 204
    with scopes_disabled():
        assert not DataSource.objects.exists()


def test_bulk_upload_is_idempotent(alice_world, client_obj):
    source = DataSourceFactory(client=client_obj)
    http = login(alice_world.am)
    url = f"/api/v1/reporting/sources/{source.pk}/metrics/"
    first = http.post(url, {"rows": _rows()}, content_type=JSON)
    assert first.status_code == 200, first.content
    assert first.json()["rows"] == 3 and first.json()["replaced"] == 0
    second = http.post(url, _rows(), content_type=JSON)  # a bare list works too
    assert second.json()["replaced"] == 3
    with scopes_disabled():
        assert DailyMetric.objects.filter(source=source).count() == 3
        assert set(DailyMetric.objects.values_list("channel", flat=True)) == {"yandex_direct"}


def test_bulk_upload_validation(alice_world, client_obj):
    source = DataSourceFactory(client=client_obj)
    http = login(alice_world.am)
    url = f"/api/v1/reporting/sources/{source.pk}/metrics/"
    future = (timezone.localdate() + timedelta(days=5)).isoformat()
    bad = http.post(url, {"rows": [*_rows(1), {"date": future, "cost": "-1", "clicks": "x"}]}, content_type=JSON)
    assert bad.status_code == 400
    errors = bad.json()["rows"]["1"]
    assert {"date", "cost", "clicks"} <= set(errors)
    doubled = http.post(url, {"rows": _rows(1) + _rows(1)}, content_type=JSON)
    assert doubled.status_code == 400 and "same day" in str(doubled.json())
    assert http.post(url, {"rows": []}, content_type=JSON).status_code == 400
    assert http.post(url, "nonsense", content_type=JSON).status_code == 400
    with scopes_disabled():
        assert not DailyMetric.objects.exists()


def test_aggregates(alice_world, client_obj):
    source = DataSourceFactory(client=client_obj)
    http = login(alice_world.am)
    http.post(f"/api/v1/reporting/sources/{source.pk}/metrics/", {"rows": _rows()}, content_type=JSON)
    today = timezone.localdate()
    base = f"/api/v1/reporting/metrics/?client={client_obj.pk}&date_from={today - timedelta(days=30)}&date_to={today}"
    total = http.get(base).json()
    assert total["currency"] == "RUB" and total["rows"][0]["impressions"] == 3000
    assert total["rows"][0]["cost"] == "1200.00" and total["rows"][0]["cpc"] == "10.00"
    assert total["rows"][0]["romi"] == "300.00"
    by_day = http.get(base + "&group=day").json()["rows"]
    assert len(by_day) == 3 and by_day[0]["date"] < by_day[1]["date"]
    assert http.get(base + "&group=campaign").json()["rows"][0]["campaign__name"] == "Бренд"
    assert http.get(base + "&group=channel").json()["rows"][0]["channel"] == "yandex_direct"
    assert http.get(base + "&group=client").json()["rows"][0]["client__name"] == client_obj.name
    assert http.get(f"/api/v1/reporting/metrics/?date_from={today}&date_to={today - timedelta(days=1)}"
                    ).status_code == 400
    assert http.get("/api/v1/reporting/metrics/").status_code == 400
    assert http.get(f"/api/v1/reporting/metrics/?date_from=2020-01-01&date_to={today}").status_code == 400


def test_roles(alice_world, client_obj):
    source = DataSourceFactory(client=ClientFactory(agency=alice_world.agency))
    spec = login(alice_world.specialist)
    assert spec.get("/api/v1/reporting/sources/").status_code == 200
    assert spec.post("/api/v1/reporting/sources/", {"client": str(client_obj.pk), "name": "x"},
                     content_type=JSON).status_code == 403
    assert spec.post(f"/api/v1/reporting/sources/{source.pk}/metrics/", {"rows": _rows()},
                     content_type=JSON).status_code == 403
    contact = login(alice_world.client_contact)
    assert contact.get("/api/v1/reporting/sources/").status_code == 403
    assert contact.get(f"/api/v1/reporting/metrics/?date_from={date(2026, 1, 1)}&date_to={date(2026, 1, 2)}"
                       ).status_code == 403


def test_am_sees_only_their_clients(alice_world, client_obj):
    mine = DataSourceFactory(client=client_obj)
    theirs = DataSourceFactory(client=ClientFactory(agency=alice_world.agency, owner=alice_world.am2.user))
    http = login(alice_world.am)
    assert [s["id"] for s in http.get("/api/v1/reporting/sources/").json()["results"]] == [str(mine.pk)]
    assert http.get(f"/api/v1/reporting/sources/{theirs.pk}/").status_code == 404
    assert http.post(f"/api/v1/reporting/sources/{theirs.pk}/metrics/", {"rows": _rows()},
                     content_type=JSON).status_code == 404
    assert http.post("/api/v1/reporting/sources/", {"client": str(theirs.client_id), "name": "x"},
                     content_type=JSON).status_code == 400
    today = timezone.localdate()
    assert http.get(f"/api/v1/reporting/metrics/?client={theirs.client_id}&date_from={today}&date_to={today}"
                    ).status_code == 400


def test_another_agency_answers_404(alice_world, bob_world):
    bob_source = DataSourceFactory(client__agency=bob_world.agency)
    http = login(alice_world.director)
    assert http.get(f"/api/v1/reporting/sources/{bob_source.pk}/").status_code == 404
    assert http.patch(f"/api/v1/reporting/sources/{bob_source.pk}/", {"name": "x"}, content_type=JSON).status_code == 404
    assert http.delete(f"/api/v1/reporting/sources/{bob_source.pk}/").status_code == 404
    assert http.post(f"/api/v1/reporting/sources/{bob_source.pk}/metrics/", {"rows": _rows()},
                     content_type=JSON).status_code == 404
    today = timezone.localdate()
    # A filter naming another agency's source or client is refused like an unknown id (400, documented).
    assert http.get(f"/api/v1/reporting/metrics/?source={bob_source.pk}&date_from={today}&date_to={today}"
                    ).json() == {"source": ["Not found."]}
    assert http.get(f"/api/v1/reporting/metrics/?client={bob_source.client_id}&date_from={today}&date_to={today}"
                    ).json() == {"client": ["Not found."]}
    assert http.get("/api/v1/reporting/sources/").json()["results"] == []
