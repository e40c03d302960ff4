"""The portfolio's SQL (dashboards/portfolio_sql.py) on the hand-counted fixture of portfolio_world.py."""
from datetime import date
from decimal import Decimal as D

from django_scopes import scope, scopes_disabled

from dashboards import portfolio as pf
from dashboards.periods import Period
from dashboards.portfolio_sql import agency_retention, hourly_cost, portfolio_data

from .portfolio_world import TODAY

QUARTER = Period.containing("quarter", date(2026, 2, 15))


def _data(membership):
    with scope(agency=membership.agency):
        return portfolio_data(agency=membership.agency, membership=membership, period=QUARTER, today=TODAY)


def test_per_client_figures_for_the_quarter_and_to_date(economy):
    data = _data(economy.world.director)
    rows = {r.name: r for r in data.rows}
    assert "D Лид" not in rows and "Bob's client" not in rows
    p = rows["P Прибыльный"]
    assert (p.period.revenue, p.period.team_cost, p.period.unplanned, p.period.revisions, p.period.urgent,
            p.period.extra_work) == (D("200000.00"), D("18000.00"), D("1800.00"), D("600.00"), D("300.00"),
                                     D("3000.00"))
    assert p.period.hidden == D("5700.00") and p.period.profit == D("176300.00")
    assert p.period.hours == D("15")  # 10 + 3 + 2; the running timer does not count
    assert p.other_currencies == {"USD": D("1000.00")}
    assert p.lifetime.revenue == D("300000.00") and p.lifetime.team_cost == D("22000.00")
    assert p.lifetime.hidden == D("5900.00") and p.lifetime.profit == D("272100.00")
    assert (p.tenure, p.margin) == (D("12.0"), D("22675.00"))
    assert data.retention == D("0.5") and data.lifetime_months == D("17.8")
    assert p.ltv == D("403615.00")
    lo = rows["L Убыточный"]
    assert lo.period.profit == D("-10000.00") and lo.loss_making and lo.tenure == D("1.0")
    assert lo.ltv == D("-178000.00")
    n = rows["N Новый"]
    assert (n.period.revenue, n.tenure, n.margin, n.ltv, n.loss_making) == (0, D("0.2"), D("0.00"), D("0.00"),
                                                                           False)
    e = rows["E Звезда"]
    assert (e.tenure, e.margin, e.ltv) == (D("22.0"), D("1818.18"), D("32363.60"))
    x = rows["X Ушедший"]
    assert (x.period.revenue, x.lifetime.profit, x.tenure, x.margin, x.ltv) == (0, D("40000.00"), D("9.0"),
                                                                                D("4444.44"), 0)
    world = rows["Клиент Alice Agency"]  # no history and no start date: no tenure, no LTV
    assert world.tenure is None and world.ltv is None
    assert data.plans[economy.p.pk].quadrant == "strategic" and economy.n.pk not in data.plans


def test_totals_concentration_and_workload(economy):
    data = _data(economy.world.director)
    totals = pf.totals(data.rows)
    assert totals.period.revenue == D("250000.00") and totals.loss_making == 1
    assert totals.other_currencies == {"USD": D("1000.00")}
    assert totals.ltv == D("257978.60")  # 403 615 + 32 363.60 − 178 000
    c = pf.concentration(revenues=[r.period.revenue for r in data.rows], warn_share=D("25"), warn_hhi=2500)
    assert (c.top1, c.top3, c.hhi, c.warning) == (D("80.0"), D("100.0"), 6672, True)
    loads = {w.am_id: w for w in pf.workload(data.rows)}
    am, am2 = economy.world.am.user.pk, economy.world.am2.user.pk
    assert (loads[am].clients, loads[am].revenue, loads[am].hours, loads[am].profit) == (
        4, D("200000.00"), D("15"), D("176300.00"))
    assert (loads[am2].clients, loads[am2].revenue, loads[am2].hours, loads[am2].profit) == (
        2, D("50000.00"), D("20"), D("30000.00"))


def test_am_sees_own_clients_with_the_agency_rates(economy):
    data = _data(economy.world.am2)
    assert {r.name for r in data.rows} == {"L Убыточный", "E Звезда"}
    assert data.lifetime_months == D("17.8")  # the agency's retention, not the AM's book's
    assert {r.name: r.ltv for r in data.rows}["E Звезда"] == D("32363.60")


def test_hourly_cost_falls_back_to_the_average_cost_rate(economy):
    agency = economy.world.agency
    with scopes_disabled():
        agency.internal_hourly_cost = None
        agency.save(update_fields=["internal_hourly_cost"])
    with scope(agency=agency):
        # 55 000 of cost over 49 h (the running timer excluded)
        assert hourly_cost(agency=agency) == (D("1122.45"), False)
        assert agency_retention(agency=agency, today=TODAY) == D("0.5")


def test_no_clients_no_figures(bob_world):
    with scope(agency=bob_world.agency):
        data = portfolio_data(agency=bob_world.agency, membership=bob_world.director, period=QUARTER, today=TODAY)
    assert data.retention is None and data.lifetime_months is None and data.hourly_cost == 0
    assert [r.ltv for r in data.rows] == [None]  # the world's own client, no history
