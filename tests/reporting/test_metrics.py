"""Metric facts: the idempotent replace, the unique rules and the SQL aggregates with safe division."""
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django_scopes import scope, scopes_disabled

from reporting import selectors
from reporting.models import Campaign, DailyMetric
from reporting.services.metrics import metrics_replace
from tests.factories import ClientFactory, DailyMetricFactory, DataSourceFactory

pytestmark = pytest.mark.django_db
D = date(2026, 3, 1)


def _row(day, campaign="Бренд", **figures):
    return {"date": day, "channel": "yandex_direct", "campaign": campaign, "campaign_id": "",
            "impressions": 1000, "clicks": 50, "cost": Decimal("500.00"), "conversions": Decimal(5),
            "revenue": Decimal("2000.00"), "sessions": 40, "currency": "RUB", **figures}


def _facts(source):
    with scopes_disabled():
        return list(DailyMetric.objects.filter(source=source).order_by("date", "campaign__name"))


def test_replace_twice_gives_the_same_facts(alice_world):
    source = DataSourceFactory(client__agency=alice_world.agency)
    rows = [_row(D + timedelta(days=i)) for i in range(10)] + [_row(D, campaign="Ретаргетинг")]
    with scope(agency=alice_world.agency):
        first = metrics_replace(agency=alice_world.agency, source=source, rows=rows)
        second = metrics_replace(agency=alice_world.agency, source=source, rows=rows)
    assert first["rows"] == second["rows"] == 11 and first["replaced"] == 0 and second["replaced"] == 11
    assert len(_facts(source)) == 11
    with scopes_disabled():
        assert Campaign.objects.filter(source=source).count() == 2
        source.refresh_from_db()
    assert source.last_synced_at is not None and source.status == "active"


def test_replace_covers_only_the_days_and_campaigns_of_the_rows(alice_world):
    source = DataSourceFactory(client__agency=alice_world.agency)
    with scope(agency=alice_world.agency):
        metrics_replace(agency=alice_world.agency, source=source,
                        rows=[_row(D - timedelta(days=1)), _row(D), _row(D, campaign="Другая")])
        metrics_replace(agency=alice_world.agency, source=source, rows=[_row(D, cost=Decimal("1.00"))])
    facts = _facts(source)
    assert len(facts) == 3  # February and the other campaign stay
    brand_march = [f for f in facts if f.date == D and f.campaign.name == "Бренд"]
    assert brand_march[0].cost == Decimal("1.00")


def test_rows_without_campaign_are_unique_per_channel_and_day(alice_world):
    source = DataSourceFactory(client__agency=alice_world.agency)
    rows = [_row(D, campaign="", channel="vk_ads"), _row(D, campaign="", channel="yandex_direct")]
    with scope(agency=alice_world.agency):
        metrics_replace(agency=alice_world.agency, source=source, rows=rows)
        metrics_replace(agency=alice_world.agency, source=source, rows=rows)
    assert len(_facts(source)) == 2
    with pytest.raises(IntegrityError), transaction.atomic():
        DailyMetricFactory(source=source, date=D, channel="vk_ads", campaign=None)


def test_a_campaign_day_cannot_be_doubled(alice_world):
    fact = DailyMetricFactory(source__client__agency=alice_world.agency, date=D,
                              campaign=None)
    with scopes_disabled():
        campaign = Campaign.objects.create(agency=fact.agency, source=fact.source, external_id="1", name="x")
    DailyMetricFactory(source=fact.source, date=D, campaign=campaign)
    with pytest.raises(IntegrityError), transaction.atomic():
        DailyMetricFactory(source=fact.source, date=D, campaign=campaign, channel="other")


def test_aggregates_and_derived_metrics(alice_world):
    client = ClientFactory(agency=alice_world.agency, owner=alice_world.am.user)
    direct = DataSourceFactory(client=client)
    vk = DataSourceFactory(client=client)
    with scope(agency=alice_world.agency):
        metrics_replace(agency=alice_world.agency, source=direct, rows=[_row(D), _row(D + timedelta(days=1))])
        metrics_replace(agency=alice_world.agency, source=vk, rows=[_row(D, campaign="", channel="vk_ads", clicks=0,
                                                                         conversions=Decimal(0), cost=Decimal(0),
                                                                         revenue=Decimal(0))])
        period = selectors.Period(D, D + timedelta(days=30))
        qs = selectors.metrics_queryset(agency=alice_world.agency, membership=alice_world.director, period=period,
                                        client=client)
        totals = selectors.metrics_totals(qs)
        assert totals["impressions"] == 3000 and totals["clicks"] == 100 and totals["cost"] == Decimal("1000.00")
        assert totals["ctr"] == Decimal("3.33")  # 100 / 3000, not the average of the rows' CTRs
        assert totals["cpc"] == Decimal("10.00") and totals["cpa"] == Decimal("100.00")
        assert totals["cr"] == Decimal("10.00") and totals["roas"] == Decimal("400.00")
        assert totals["romi"] == Decimal("300.00")
        channels = {r["channel"]: r for r in selectors.metrics_by_channel(qs)}
        assert channels["vk_ads"]["cpc"] is None and channels["vk_ads"]["romi"] is None  # no division by zero
        assert channels["vk_ads"]["ctr"] == Decimal("0.00")
        assert channels["yandex_direct"]["label"] == "Yandex Direct" or channels["yandex_direct"]["label"]
        by_campaign = selectors.metrics_by_campaign(qs)
        assert [r["campaign__name"] for r in by_campaign] == ["Бренд", None]
        assert [r["date"] for r in selectors.metrics_by_day(qs)] == [D, D + timedelta(days=1)]
        assert selectors.metrics_campaign_count(qs) == 2
        empty = selectors.metrics_totals(qs.filter(date__gt=D + timedelta(days=5)))
        assert empty["cost"] == 0 and empty["cpc"] is None


def test_aggregates_follow_client_visibility(alice_world):
    own = ClientFactory(agency=alice_world.agency, owner=alice_world.am.user)
    other = ClientFactory(agency=alice_world.agency, owner=alice_world.am2.user)
    for client in (own, other):
        DailyMetricFactory(source=DataSourceFactory(client=client), date=D, cost=Decimal(100))
    period = selectors.Period(D, D)
    with scope(agency=alice_world.agency):
        am = selectors.metrics_queryset(agency=alice_world.agency, membership=alice_world.am, period=period)
        director = selectors.metrics_queryset(agency=alice_world.agency, membership=alice_world.director,
                                              period=period)
        assert selectors.metrics_totals(am)["cost"] == Decimal(100)
        assert selectors.metrics_totals(director)["cost"] == Decimal(200)
        assert [s.client_id for s in selectors.source_list(agency=alice_world.agency,
                                                           membership=alice_world.am)] == [own.pk]
        assert selectors.metrics_currencies(director) == ["RUB"]


def test_file_connector_syncs_the_last_imported_file(alice_world):
    from django.core.files.base import ContentFile

    from mrm.core.errors import ServiceError
    from reporting.connectors.base import connector_for, source_sync
    from tests.factories import MetricImportFactory

    source = DataSourceFactory(client__agency=alice_world.agency)
    item = MetricImportFactory(source=source, headers=["Дата", "Расход"], mapping={"0": "date", "1": "cost"},
                               report={"outcome": "done"})
    with scopes_disabled():
        item.file.save("upload.csv", ContentFile("Дата;Расход\n01.03.2026;100\n02.03.2026;50\n".encode()))
    with scope(agency=alice_world.agency):
        result = source_sync(agency=alice_world.agency, source=source, date_from=D, date_to=D)
        assert result["rows"] == 1
        direct = DataSourceFactory(client=source.client, kind="yandex_direct")
        assert connector_for(direct).kind == "yandex_direct"  # the API connectors register too (h-connectors)
        direct.kind = "google_ads"  # a kind without a connector yet
        with pytest.raises(ServiceError):
            connector_for(direct)
    assert [f.cost for f in _facts(source)] == [Decimal("100.00")]
