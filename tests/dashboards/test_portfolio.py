"""The portfolio formulas (dashboards/portfolio.py) with hand-computed values, edge cases included."""
from datetime import date
from decimal import Decimal as D

from django.utils import translation

from dashboards import portfolio as pf
from dashboards.portfolio_chart import Bubble, bubbles_to_draw, quadrant_svg


def test_tenure_in_months_of_30_4375_days():
    assert pf.tenure_months(began=date(2025, 4, 1), ended=None, today=date(2026, 4, 1)) == D("12.0")  # 365 days
    assert pf.tenure_months(began=date(2026, 3, 1), ended=None, today=date(2026, 4, 1)) == D("1.0")  # 31 days
    assert pf.tenure_months(began=date(2025, 1, 1), ended=date(2025, 10, 1), today=date(2026, 4, 1)) == D("9.0")
    assert pf.tenure_months(began=None, ended=None, today=date(2026, 4, 1)) is None
    assert pf.tenure_months(began=date(2026, 5, 1), ended=None, today=date(2026, 4, 1)) == D("0.0")  # not yet


def test_monthly_margin_counts_at_least_one_month():
    assert pf.monthly_margin(profit=D("272100"), tenure=D("12.0")) == D("22675.00")
    assert pf.monthly_margin(profit=D("500"), tenure=D("0.2")) == D("500.00")  # a week-old client: one month
    assert pf.monthly_margin(profit=D("-10000"), tenure=D("1.0")) == D("-10000.00")
    assert pf.monthly_margin(profit=D("100"), tenure=None) is None


def test_expected_lifetime_from_retention():
    # 1 − 0.5^(1/12) = 0.0561257 → 17.82 months
    assert pf.expected_lifetime_months(retention=D("0.5")) == D("17.8")
    # 1 − 0.85^(1/12) = 0.013452 → 74.3 months, capped at 60
    assert pf.expected_lifetime_months(retention=D("0.85")) == D("60")
    assert pf.expected_lifetime_months(retention=D("1")) == D("60")  # nobody left: the cap
    assert pf.expected_lifetime_months(retention=D("0")) == D("1.0")  # nobody stayed: a month
    assert pf.expected_lifetime_months(retention=None) is None
    assert pf.expected_lifetime_months(retention=D("0.5"), cap=D("12")) == D("12")


def test_projected_ltv():
    assert pf.projected_ltv(margin=D("22675.00"), remaining=D("17.8"), churned=False) == D("403615.00")
    assert pf.projected_ltv(margin=D("4444.44"), remaining=D("17.8"), churned=True) == D("0")  # none left
    assert pf.projected_ltv(margin=None, remaining=D("17.8"), churned=False) is None
    assert pf.projected_ltv(margin=D("10"), remaining=None, churned=False) is None


def test_economics_prices_minutes_and_sums_hidden_costs():
    e = pf.economics(revenue=D("200000"), team_cost=D("18000"), extra_work=D("3000"), hours=D("15"),
                     minutes={"unplanned": 90, "revisions": 30, "urgent": 15}, hourly_cost=D("1200"))
    assert (e.unplanned, e.revisions, e.urgent, e.extra_work) == (D("1800.00"), D("600.00"), D("300.00"),
                                                                  D("3000.00"))
    assert e.hidden == D("5700.00")
    assert e.profit == D("176300.00")
    empty = pf.economics(revenue=D("0"), team_cost=D("0"), extra_work=D("0"), hours=D("0"), minutes={},
                         hourly_cost=D("1200"))
    assert empty.profit == 0 and empty.hidden == 0
    assert (e + empty) == e
    assert pf.minutes_cost(minutes=7, hourly_cost=D("1000")) == D("116.67")


def _row(name, revenue, profit_cost, *, owner=1, status="active", other=None, ltv_months=D("17.8")):
    period = pf.Economics(revenue=D(revenue), team_cost=D(profit_cost), hours=D("2"))
    return pf.client_row(client_id=name, name=name, status=status, owner_id=owner, owner_name=f"AM {owner}",
                         began=date(2025, 4, 1), churned_on=date(2025, 10, 1) if status == "churned" else None,
                         period=period, lifetime=period, lifetime_months=ltv_months, today=date(2026, 4, 1),
                         other_currencies=other)


def test_client_row_flags_a_loss_and_keeps_other_currencies_apart():
    loss = _row("L", "10000", "20000")
    assert loss.loss_making and loss.period.profit == D("-10000.00")
    no_revenue = _row("N", "0", "0", other={"USD": D("1000")})
    assert not no_revenue.loss_making and no_revenue.period.revenue == 0
    churned = _row("X", "40000", "0", status="churned")
    assert churned.tenure == D("6.0") and churned.ltv == 0
    totals = pf.totals([loss, no_revenue, churned])
    assert totals.clients == 3 and totals.loss_making == 1
    assert totals.period.revenue == D("50000.00")  # the USD is not in the rouble figures
    assert totals.other_currencies == {"USD": D("1000")}


def test_concentration_shares_and_hhi():
    c = pf.concentration(revenues=[D("200000"), D("40000"), D("10000"), D("0")], warn_share=D("25"), warn_hhi=2500)
    assert (c.top1, c.top3, c.top5) == (D("80.0"), D("100.0"), D("100.0"))
    assert c.hhi == 6672  # 80² + 16² + 4²
    assert c.warning
    even = pf.concentration(revenues=[D("100")] * 10, warn_share=D("25"), warn_hhi=2500)
    assert (even.top1, even.top3, even.top5, even.hhi) == (D("10.0"), D("30.0"), D("50.0"), 1000)
    assert not even.warning
    only_hhi = pf.concentration(revenues=[D("100")] * 5, warn_share=D("25"), warn_hhi=1500)
    assert only_hhi.top1 == D("20.0") and only_hhi.hhi == 2000 and only_hhi.warning
    nothing = pf.concentration(revenues=[D("0"), D("-5")], warn_share=D("25"), warn_hhi=2500)
    assert nothing.hhi is None and nothing.top1 is None and not nothing.warning


def test_workload_per_am():
    rows = [_row("A", "100", "30", owner=1), _row("B", "50", "80", owner=1), _row("C", "10", "0", owner=2)]
    loads = {w.am_id: w for w in pf.workload(rows)}
    assert (loads[1].clients, loads[1].revenue, loads[1].hours, loads[1].profit) == (2, D("150.00"), D("4"),
                                                                                     D("40.00"))
    assert loads[2].clients == 1 and loads[2].profit == D("10.00")


def test_quadrant_caps_bubbles_and_escapes_names():
    points = [Bubble(f"<b>{i}</b>", D("4"), D("2"), "star", "Star", D(i), i % 2 == 0) for i in range(250)]
    drawn, left_out = bubbles_to_draw(points)
    assert len(drawn) == 200 and left_out == 50 and drawn[0].revenue == 249
    with translation.override("en"):
        svg = str(quadrant_svg(points=drawn, currency="RUB"))
    assert svg.count("<circle") == 202  # 200 bubbles + 2 legend marks
    assert "<b>" not in svg and "&lt;b&gt;249&lt;/b&gt;" in svg
    assert "Strategic" in svg and "Streamline" in svg and "score 1–5" in svg
    assert "mrm-quad-loss" in svg
