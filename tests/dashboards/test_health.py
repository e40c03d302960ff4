"""The pure health score: each signal's points, the band, the worst-signal action, edge cases (hand-computed)."""
from decimal import Decimal

import pytest
from django.utils import translation

from dashboards import health as h
from dashboards.health import Facts, health_score


def facts(**kw) -> Facts:
    base = {"days_silent": 3, "contacted": True, "agreed_days": 14}
    return Facts(**{**base, **kw})


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_new_client_with_no_history_is_healthy_and_needs_no_action():
    result = health_score(facts=facts(days_silent=0, contacted=False))
    assert result.score == 100
    assert result.band == h.HEALTHY
    assert result.action_key == "none"
    assert result.revenue_at_stake == 0
    assert h.action_text(result.action_key, result.action_params) == "No action needed: keep the agreed rhythm"
    texts = {s.key: h.explain(s.as_json()) for s in result.signals}
    assert texts["nps"] == "No NPS answer yet"
    assert texts["nps_trend"] == "No earlier NPS answer to compare with"
    assert texts["reports"] == "No report ratings in the last 90 days"
    assert texts["overdue"] == "No overdue invoices"


@pytest.mark.parametrize(("days", "agreed", "points"), [
    (14, 14, 0), (15, 14, 8), (21, 14, 8), (22, 14, 15), (28, 14, 15), (29, 14, 25), (45, 14, 25), (100, 0, 0)])
def test_contact_points_by_silence_against_the_agreement(days, agreed, points):
    assert h.contact_points(days_silent=days, agreed_days=agreed) == points


@pytest.mark.parametrize(("recent", "before", "points"), [
    (10, 0, 0), (8, 10, 0), (7, 10, 5), (5, 10, 10), (3, 10, 10), (2, 10, 15), (0, 10, 15), (12, 10, 0)])
def test_frequency_points_by_the_drop(recent, before, points):
    assert h.frequency_points(recent=recent, before=before) == points


def test_nps_points_by_category_and_trend():
    assert [h.nps_points(latest=s) for s in (None, 10, 9, 8, 7, 6, 0)] == [0, 0, 0, 5, 5, 20, 20]
    assert h.nps_trend_points(latest=7, previous=9) == 5
    assert h.nps_trend_points(latest=8, previous=9) == 0
    assert h.nps_trend_points(latest=9, previous=None) == 0
    assert h.nps_trend_points(latest=None, previous=9) == 0


def test_report_points_low_rating_and_falling():
    D = Decimal
    assert h.reports_points(recent=None, before=D(5)) == 0
    assert h.reports_points(recent=D("4.5"), before=None) == 0
    assert h.reports_points(recent=D("3.5"), before=None) == 5
    assert h.reports_points(recent=D("3.5"), before=D("4.5")) == 10
    assert h.reports_points(recent=D("2"), before=D("5")) == 10  # capped


def test_spend_points():
    D = Decimal
    assert h.spend_points(recent=D(0), before=D(0)) == 0
    assert h.spend_points(recent=D(80), before=D(100)) == 0
    assert h.spend_points(recent=D(75), before=D(100)) == 8
    assert h.spend_points(recent=D(50), before=D(100)) == 15
    assert h.spend_points(recent=D(0), before=D(100)) == 15


def test_bands_at_the_borders():
    assert [h.band_for(s) for s in (100, 80, 79, 50, 49, 0)] == ["healthy", "healthy", "watch", "watch",
                                                                 "at_risk", "at_risk"]


def test_all_signals_bad_clamps_at_zero_and_the_worst_signal_leads():
    result = health_score(facts=facts(
        days_silent=45, agreed_days=14, interactions_recent=1, interactions_before=10, nps_latest=3,
        nps_previous=9, rating_recent=Decimal("2.0"), rating_before=Decimal("4.5"), overdue_count=2,
        overdue_amount=Decimal("120000"), open_alerts=3, waiting_requests=4, spend_recent=Decimal(0),
        spend_before=Decimal("300000"), revenue_12m=Decimal("1200000")))
    # 25 + 15 + 20 + 5 + 10 + 15 + 10 + 10 + 15 = 125 points off 100
    assert result.score == 0
    assert result.band == h.AT_RISK
    assert result.revenue_at_stake == Decimal("1200000")
    assert [s.key for s in result.signals][:2] == ["contact", "nps"]
    assert result.action_key == "contact"
    assert h.action_text(result.action_key, result.action_params) == "Call: no contact for 45 days (agreed 14)"


def test_overdue_invoice_leads_the_action_with_the_amount():
    result = health_score(facts=facts(overdue_count=1, overdue_amount=Decimal("60000"), waiting_requests=1))
    assert result.score == 100 - 10 - 5
    assert result.band == h.HEALTHY
    assert result.action_key == "overdue"
    assert h.action_text(result.action_key, result.action_params) == "Chase the overdue invoices: 1, 60,000\u00a0₽"


def test_waiting_requests_and_their_action():
    result = health_score(facts=facts(waiting_requests=3, days_silent=22))
    assert result.score == 100 - 10 - 15 == 75
    assert result.band == h.WATCH
    assert result.action_key == "contact"  # the worst signal (15 points) leads
    requests = next(s for s in result.signals if s.key == "requests")
    assert requests.points == 10
    assert h.action_text("requests", requests.value) == "Answer the 3 waiting requests"


def test_explanations_carry_the_figures():
    result = health_score(facts=facts(days_silent=30, interactions_recent=2, interactions_before=8, nps_latest=6,
                                      nps_previous=9, spend_recent=Decimal(100), spend_before=Decimal(400)))
    texts = {s.key: h.explain(s.as_json()) for s in result.signals}
    assert texts["contact"] == "Last contact 30 days ago (agreed every 14 days)"
    assert texts["frequency"] == "2 interactions in the last 90 days, 8 in the 90 days before"
    assert texts["nps"] == "Latest NPS answer: 6 of 10"
    assert texts["nps_trend"] == "NPS went from 9 to 6"
    assert texts["spend"] == "Paid 100\u00a0₽ in the last 90 days, 400\u00a0₽ in the 90 days before"
    # contact 25 (30 > 2×14), frequency 15 (−75%), NPS 20 (detractor), trend 5 (9 → 6), spend 15 (−75%)
    assert result.score == 100 - 25 - 15 - 20 - 5 - 15 == 20
    assert h.action_text("spend", next(s.value for s in result.signals if s.key == "spend")) == \
        "Discuss the budget: spend fell by 75% over 90 days"


def test_signals_are_json_ready():
    import json

    result = health_score(facts=facts(rating_recent=Decimal("3.25"), overdue_amount=Decimal("1.005")))
    json.dumps([s.as_json() for s in result.signals])
    assert next(s for s in result.signals if s.key == "reports").value["recent"] == "3.25"
