"""The SQL counts and the assembled tiles on the hand-counted portfolio of conftest.py (Q1 2026)."""
from datetime import date
from decimal import Decimal

from django_scopes import scope

from dashboards import board, selectors
from dashboards.periods import Period
from mrm.tenancy.models import KpiMetric, KpiTarget

Q1 = Period.containing("quarter", date(2026, 2, 15))


def _tiles(membership, period=Q1, **kw):
    with scope(agency=membership.agency):
        return {t.metric: t for t in board.kpi_board(agency=membership.agency, membership=membership, period=period,
                                                      **kw)}


def test_director_tiles_have_the_hand_counted_values(portfolio):
    tiles = _tiles(portfolio.world.director)
    # Retention: A, B, E active on 1 Jan; A and E still clients on 1 Apr → 2/3. C joined and left: not counted.
    assert tiles["retention"].value == Decimal("66.7")
    assert tiles["retention"].facts == {"active_at_start": 3, "retained": 2, "churned": 2}
    assert tiles["retention"].status == "red"
    # NPS: (2 promoters − 1 detractor) / 4 answers.
    assert tiles["nps"].value == Decimal("25.0")
    assert tiles["nps"].facts == {"promoters": 2, "passives": 1, "detractors": 1}
    # Revenue: 240 000 ₽ / 4 clients active in the quarter (A, B, C, E); the USD stays apart; a year ago 54 000.
    revenue = tiles["revenue"]
    assert revenue.value == Decimal("60000.00")
    assert revenue.facts["other"] == {"USD": Decimal("1000")}
    assert revenue.facts["year_ago"] == Decimal("54000.00")
    assert revenue.facts["growth"] == Decimal("11.1") == revenue.judged
    assert revenue.status == "green"  # target +10 %/year
    # Upsell: A only, of 4 active clients.
    assert tiles["upsell"].value == Decimal("25.0") and tiles["upsell"].facts["upsold"] == 1
    # Response: median of 30, 60, 90, 300 min = 75 min = 1,3 h; p90 = 237 min ≈ 4 h; 3 of 4 within 240 min.
    response = tiles["response"]
    assert response.value == Decimal("1.3")
    assert response.facts["p90"] == Decimal("4.0")
    assert response.facts["within"] == Decimal("75.0")
    assert response.facts["answered"] == 4
    assert response.status == "green"  # target < 2 h
    # Report quality: (5 + 4 + 2) / 3 = 3.67 against 4.5 (more than 10 % short: red); December's 3 is Q4's.
    reports = tiles["reports"]
    assert reports.value == Decimal("3.67") and reports.facts["count"] == 3
    assert reports.previous == Decimal("3.00") and reports.status == "red"


def test_previous_period_and_trend(portfolio):
    tiles = _tiles(portfolio.world.director)
    # Q4 2025: B, E, A active on 1 Oct and on 1 Jan → 100 %; the 0 answered on 31 Dec → NPS −100.
    assert tiles["retention"].previous == Decimal("100.0")
    assert tiles["nps"].previous == Decimal("-100.0")
    assert tiles["nps"].delta == Decimal("125.0") and tiles["nps"].improved is True
    assert len(tiles["nps"].trend) == 6 and tiles["nps"].trend[-1] == (Q1.short_label, Decimal("25.0"))


def test_am_sees_only_their_clients(portfolio):
    tiles = _tiles(portfolio.world.am)
    # am owns A, B, D: A and B active on 1 Jan, A kept.
    assert tiles["retention"].value == Decimal("50.0")
    assert tiles["nps"].facts == {"promoters": 2, "passives": 0, "detractors": 1}
    assert tiles["revenue"].facts["total"] == Decimal("240000")


def test_other_agency_figures_never_mix_in(portfolio, bob_world):
    tiles = _tiles(bob_world.director)
    assert tiles["retention"].value == Decimal("0.0")
    assert tiles["nps"].value == Decimal("-100.0")
    assert tiles["revenue"].facts["total"] == Decimal("999999")


def test_empty_agency_says_no_data(bob_world):
    tiles = _tiles(bob_world.director)
    assert all(t.value is None for t in tiles.values())
    assert all(t.status == "none" for t in tiles.values())


def test_one_client(portfolio):
    tiles = _tiles(portfolio.world.director, client=portfolio.a, trend=False)
    assert tiles["nps"].value == Decimal("100.0")
    assert tiles["revenue"].value == Decimal("150000.00")
    assert tiles["upsell"].value == Decimal("100.0")


def test_targets_per_am_win(portfolio):
    agency, am = portfolio.world.agency, portfolio.world.am
    with scope(agency=agency):
        KpiTarget.objects.create(agency=agency, metric=KpiMetric.RETENTION, value=Decimal("40"), user=am.user)
    tiles = _tiles(am)
    assert tiles["retention"].target == Decimal("40") and tiles["retention"].status == "green"
    assert _tiles(portfolio.world.director)["retention"].target == Decimal("85")


def test_team_groups_by_the_owner_at_the_period_end(portfolio):
    director = portfolio.world.director
    with scope(agency=director.agency):
        rows = {r.am_id: r for r in board.kpi_team(agency=director.agency, membership=director, period=Q1)}
    am, am2 = portfolio.world.am.user, portfolio.world.am2.user
    # On 1 Apr A and E were am's (E moved to am2 in May), C was am2's.
    assert rows[am.pk].tiles["retention"].value == Decimal("66.7")
    assert rows[am2.pk].tiles["retention"].value is None
    assert rows[am2.pk].tiles["nps"].value == Decimal("0.0")  # C's passive only
    assert rows[am.pk].tiles["response"].value == Decimal("1.3")


def test_team_for_an_am_is_their_own_row(portfolio):
    am = portfolio.world.am
    with scope(agency=am.agency):
        rows = board.kpi_team(agency=am.agency, membership=am, period=Q1)
    assert [r.am_id for r in rows] == [am.user_id]


def test_drill_downs(portfolio):
    director, agency = portfolio.world.director, portfolio.world.agency
    with scope(agency=agency):
        q = selectors.clients_q(membership=director)
        nested = selectors.clients_q(membership=director, prefix="client__")
        churned = list(selectors.retention_clients(agency=agency, q=q, period=Q1, churned_only=True))
        assert [(c.name, c.churn_reason) for c in churned] == [("B Бета", "Сократили бюджет"),
                                                                ("C Гамма", "Разовый проект")]
        everyone = {c.name for c in selectors.retention_clients(agency=agency, q=q, period=Q1)}
        assert everyone == {"A Альфа", "B Бета", "C Гамма", "E Эпсилон"}
        detractors = list(selectors.nps_answers(agency=agency, q=nested, period=Q1, segment="detractors"))
        assert [(r.client.name, r.score, r.comment) for r in detractors] == [("B Бета", 6, "Долго отвечаете")]
        revenue = list(selectors.revenue_clients(agency=agency, q=nested, period=Q1))
        assert (revenue[0]["client__name"], revenue[0]["paid"]) == ("A Альфа", Decimal("150000.00"))
        assert {(r["client__name"], r["currency"]) for r in revenue} == {
            ("A Альфа", "RUB"), ("B Бета", "RUB"), ("E Эпсилон", "USD"), ("E Эпсилон", "RUB")}
        assert [d.kind for d in selectors.upsell_deals(agency=agency, q=nested, period=Q1)] == ["cross_sell", "upsell"]
        response = {r["client__name"]: r for r in selectors.response_clients(agency=agency, q=nested, period=Q1)}
        assert response["A Альфа"]["median"] == 45.0 and response["E Эпсилон"]["within"] == 0


def test_report_quality_per_am_and_per_client(portfolio):
    """A and B are am's at the quarter's end (A handed over 15 Feb): both ratings count for am; am2 had none."""
    with scope(agency=portfolio.world.agency):
        team = {row.name: row for row in board.kpi_team(agency=portfolio.world.agency,
                                                        membership=portfolio.world.director, period=Q1)}
    am = portfolio.world.am.user
    assert team[am.full_name or am.email].tiles["reports"].value == Decimal("3.67")
    am2 = portfolio.world.am2.user
    assert team[am2.full_name or am2.email].tiles["reports"].value is None
    assert _tiles(portfolio.world.director, client=portfolio.b)["reports"].value == Decimal("2.00")


def test_year_ago_window_of_a_running_period_stops_at_the_same_date():
    from datetime import timedelta

    from django.utils import timezone

    from dashboards.periods import shift_year

    today = timezone.localdate()
    running = Period.containing("year", today)
    windows, ago = board._windows(running, trend=False)
    assert windows[ago].start == shift_year(running.start, -1)
    if today != running.last_day:
        assert windows[ago].end == shift_year(today + timedelta(days=1), -1)
    closed = Period.containing("quarter", date(2025, 5, 1))
    windows, ago = board._windows(closed, trend=False)
    assert windows[ago] == closed.year_ago() and windows[:ago] == [closed.previous(), closed]
