"""The health facts in SQL on the hand-counted clients of health_data.py; the stored rows equal the live computation."""
from decimal import Decimal

import pytest
from django_scopes import scope

from dashboards import health_queries
from dashboards.health_rollups import health_ready, health_rollup_rebuild
from dashboards.health_selectors import HealthQuery, at_risk_count, health_list, visible
from dashboards.models import ClientHealth, ClientHealthState


def test_facts_per_client(health_world, django_assert_num_queries):
    hw = health_world
    agency = hw.world.agency
    with scope(agency=agency), django_assert_num_queries(7):
        facts = health_queries.health_facts(agency=agency)
    assert set(facts) == {hw.r.pk, hw.w.pk, hw.h.pk}  # no lead, nothing of bob's
    r, w, h = facts[hw.r.pk], facts[hw.w.pk], facts[hw.h.pk]
    assert (r.days_silent, r.contacted, r.agreed_days) == (45, True, 14)
    assert (r.interactions_recent, r.interactions_before) == (1, 10)
    assert (r.overdue_count, r.overdue_amount) == (1, Decimal("120000"))
    assert r.waiting_requests == 3
    assert (r.spend_recent, r.spend_before, r.revenue_12m) == (0, 0, Decimal("300000"))
    assert (r.nps_latest, r.rating_recent, r.open_alerts) == (None, None, 0)
    assert (w.days_silent, w.agreed_days) == (1, 7)
    assert (w.nps_latest, w.nps_previous) == (3, 9)
    assert (w.rating_recent, w.rating_before) == (Decimal("3.00"), Decimal("4.50"))
    assert w.open_alerts == 1
    assert (w.spend_recent, w.spend_before, w.revenue_12m) == (Decimal(100000), Decimal(100000), Decimal(200000))
    assert (w.interactions_recent, w.interactions_before) == (2, 2)
    assert (h.nps_latest, h.overdue_count, h.revenue_12m) == (10, 0, Decimal(100000))


def test_scores_and_bands(health_world):
    hw = health_world
    with scope(agency=hw.world.agency):
        results = {r.client_id: r.health for r in health_queries.health_compute(agency=hw.world.agency)}
    assert (results[hw.r.pk].score, results[hw.r.pk].band, results[hw.r.pk].action_key) == (40, "at_risk", "contact")
    assert (results[hw.w.pk].score, results[hw.w.pk].band, results[hw.w.pk].action_key) == (60, "watch", "nps")
    assert (results[hw.h.pk].score, results[hw.h.pk].band, results[hw.h.pk].action_key) == (100, "healthy", "none")


def test_am_facts_cover_their_clients_only(health_world):
    hw = health_world
    with scope(agency=hw.world.agency):
        facts = health_queries.health_facts(agency=hw.world.agency, where=visible(hw.world.am))
    assert set(facts) == {hw.r.pk, hw.h.pk}


def test_stored_rows_equal_the_live_computation(health_world):
    hw = health_world
    agency = hw.world.agency
    with scope(agency=agency):
        assert not health_ready(agency=agency)
        assert health_rollup_rebuild(agency=agency) == 3
        live = {r.client_id: r.health for r in health_queries.health_compute(agency=agency)}
        stored = {row.client_id: row for row in ClientHealth.objects.filter(agency=agency)}
        assert set(stored) == set(live)
        for client_id, result in live.items():
            row = stored[client_id]
            assert (row.score, row.band, row.revenue_at_stake, row.action_key, row.action_params) == (
                result.score, result.band, result.revenue_at_stake, result.action_key, result.action_params)
            assert row.signals == [s.as_json() for s in result.signals]
        assert ClientHealthState.objects.get(agency=agency).rows == 3
        assert health_ready(agency=agency)
        # a rebuild replaces the rows (idempotent)
        assert health_rollup_rebuild(agency=agency) == 3
        assert ClientHealth.objects.filter(agency=agency).count() == 3


def test_list_filters_and_counts(health_world):
    hw = health_world
    agency = hw.world.agency
    with scope(agency=agency):
        health_rollup_rebuild(agency=agency)
        director, am = hw.world.director, hw.world.am

        def names(membership, **kw):
            return [row.client.name for row in health_list(agency=agency, membership=membership,
                                                           query=HealthQuery(**kw))]

        assert names(director) == ["Риск"]
        assert names(director, band="all") == ["Риск", "Внимание", "Здоровье"]  # by revenue at stake
        assert names(director, band="all", sort="score", descending=False) == ["Риск", "Внимание", "Здоровье"]
        assert names(director, band="all", sort="name", descending=False) == ["Внимание", "Здоровье", "Риск"]
        assert names(director, band="all", search="вним") == ["Внимание"]
        assert names(director, band="all", owner=hw.world.am2.user_id) == ["Внимание"]
        assert names(am, band="all") == ["Риск", "Здоровье"]
        assert at_risk_count(agency=agency, membership=director) == 1
        assert at_risk_count(agency=agency, membership=hw.world.am2) == 0


@pytest.mark.parametrize("days", [0])
def test_new_client_without_history_scores_100(alice_world, days):
    from tests import factories as f

    agency = alice_world.agency
    client = f.ClientFactory(agency=agency, owner=alice_world.am.user)
    with scope(agency=agency):
        facts = health_queries.health_facts(agency=agency, where=lambda p: __import__("django.db.models", fromlist=[
            "Q"]).Q(**{f"{p}pk": client.pk}))
        result = health_queries.health_compute(agency=agency)
    assert facts[client.pk].days_silent == days and not facts[client.pk].contacted
    assert {r.client_id: r.health.score for r in result}[client.pk] == 100
