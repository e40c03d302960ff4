"""The KPI definitions on hand-computed values, edge cases included."""
from datetime import date
from decimal import Decimal

from dashboards import kpis
from dashboards.periods import Period


def test_retention_rate_counts_the_clients_of_the_start():
    # 8 clients active on 1 Jan, 7 of them still clients on 1 Feb → 87,5 %.
    assert kpis.retention_rate(active_at_start=8, retained=7) == Decimal("87.5")
    assert kpis.retention_rate(active_at_start=3, retained=2) == Decimal("66.7")  # 66,666… rounds half up


def test_retention_rate_without_clients_at_the_start_is_no_data():
    assert kpis.retention_rate(active_at_start=0, retained=0) is None


def test_nps_score_promoters_minus_detractors():
    # 5 promoters, 3 passives, 2 detractors: 50 % − 20 % = 30.
    assert kpis.nps_score(promoters=5, passives=3, detractors=2) == Decimal("30.0")
    # Only detractors: −100; one of each of three: 0.
    assert kpis.nps_score(promoters=0, passives=0, detractors=4) == Decimal("-100.0")
    assert kpis.nps_score(promoters=1, passives=1, detractors=1) == Decimal("0.0")


def test_nps_score_without_answers_is_no_data():
    assert kpis.nps_score(promoters=0, passives=0, detractors=0) is None


def test_revenue_per_client_keeps_other_currencies_apart():
    revenue = kpis.revenue_per_client(totals={"RUB": Decimal("300000"), "USD": Decimal("1200")},
                                      active_clients=4, currency="RUB")
    assert revenue.per_client == Decimal("75000.00")
    assert revenue.total == Decimal("300000")
    assert revenue.other == {"USD": Decimal("1200")}


def test_revenue_per_client_without_active_clients_is_no_data():
    revenue = kpis.revenue_per_client(totals={}, active_clients=0, currency="RUB")
    assert revenue.per_client is None and revenue.total == 0


def test_growth_year_over_year():
    assert kpis.growth(current=Decimal("110000"), previous=Decimal("100000")) == Decimal("10.0")
    assert kpis.growth(current=Decimal("90000"), previous=Decimal("120000")) == Decimal("-25.0")
    assert kpis.growth(current=Decimal("1"), previous=Decimal("0")) is None
    assert kpis.growth(current=Decimal("1"), previous=None) is None


def test_upsell_rate_and_share_within():
    assert kpis.upsell_rate(upsold_clients=3, active_clients=10) == Decimal("30.0")
    assert kpis.upsell_rate(upsold_clients=0, active_clients=0) is None
    assert kpis.share_within(within=9, measured=12) == Decimal("75.0")
    assert kpis.share_within(within=0, measured=0) is None


def test_minutes_to_hours_and_report_rating():
    assert kpis.minutes_to_hours(90) == Decimal("1.5")
    assert kpis.minutes_to_hours(100.0) == Decimal("1.7")
    assert kpis.minutes_to_hours(None) is None
    assert kpis.report_rating(total=Decimal("23"), count=5) == Decimal("4.60")
    assert kpis.report_rating(total=None, count=0) is None


def test_status_green_amber_red():
    # Higher is better: target 85 → amber down to 76,5.
    assert kpis.status(value=Decimal("85"), target=Decimal("85")) == kpis.GREEN
    assert kpis.status(value=Decimal("80"), target=Decimal("85")) == kpis.AMBER
    assert kpis.status(value=Decimal("76.4"), target=Decimal("85")) == kpis.RED
    # Lower is better (response hours, target 2): 2,2 amber, 2,3 red.
    assert kpis.status(value=Decimal("1.5"), target=Decimal("2"), higher_is_better=False) == kpis.GREEN
    assert kpis.status(value=Decimal("2.2"), target=Decimal("2"), higher_is_better=False) == kpis.AMBER
    assert kpis.status(value=Decimal("2.3"), target=Decimal("2"), higher_is_better=False) == kpis.RED
    assert kpis.status(value=None, target=Decimal("2")) == kpis.NONE


def test_periods_previous_year_ago_and_trend():
    q = Period.containing("quarter", date(2026, 11, 15))
    assert (q.start, q.end) == (date(2026, 10, 1), date(2027, 1, 1))
    assert q.previous() == Period("quarter", date(2026, 7, 1), date(2026, 10, 1))
    assert q.year_ago() == Period("quarter", date(2025, 10, 1), date(2026, 1, 1))
    month = Period.containing("month", date(2026, 1, 31))
    assert month.previous() == Period("month", date(2025, 12, 1), date(2026, 1, 1))
    assert [p.start for p in month.trend()][:2] == [date(2025, 2, 1), date(2025, 3, 1)]
    assert len(month.trend()) == 12 and month.trend()[-1] == month
    custom = Period.custom(date(2026, 3, 1), date(2026, 3, 10))
    assert custom.days == 10 and custom.previous() == Period("custom", date(2026, 2, 19), date(2026, 3, 1))
    leap = Period.custom(date(2024, 2, 29), date(2024, 3, 1)).year_ago()
    assert leap.start == date(2023, 2, 28)


def test_the_sqlite_percentile_interpolates_like_postgresql():
    """`make run` on SQLite computes the response-time median and 90th percentile with SqlitePercentile."""
    from dashboards.selectors import SqlitePercentile

    def run(values, fraction):
        agg = SqlitePercentile()
        for v in values:
            agg.step(v, fraction)
        return agg.finalize()

    assert run([], 0.5) is None and run([None], 0.5) is None
    assert run([30], 0.9) == 30
    assert run([10, 40, 20, 30], 0.5) == 25  # percentile_cont(0.5): halfway between 20 and 30
    assert run([10, 20, 30, 40, 50], 0.9) == 46  # position 3.6: 40 + 0.6 × 10
