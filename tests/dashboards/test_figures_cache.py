"""dashboards.figures_cache: the board's and the portfolio's figures are computed once per agency version and
visibility, and every write that can move a figure shows on the next read (hand-counted portfolio of conftest)."""
from datetime import date
from decimal import Decimal

import pytest
from django_scopes import scope

from clients.models import Client
from clients.services.bulk import client_bulk_update
from dashboards import board
from dashboards.figures_cache import FIGURES
from dashboards.periods import Period
from dashboards.portfolio_read import portfolio_page
from mrm.tenancy.models import KpiMetric, KpiTarget

from .conftest import _answer, _paid, _rated, _replied
from .history import at
from .portfolio_world import TODAY

pytestmark = pytest.mark.django_db
Q1 = Period.containing("quarter", date(2026, 2, 15))


def _tiles(membership, **kw):
    with scope(agency=membership.agency):
        return {t.metric: t for t in board.kpi_board(agency=membership.agency, membership=membership, period=Q1, **kw)}


def test_the_second_board_reads_no_figures_from_the_database(portfolio, django_assert_max_num_queries):
    director = portfolio.world.director
    first = _tiles(director)
    with django_assert_max_num_queries(0):  # the six selectors and the targets come from the cache
        again = _tiles(director)
    assert {m: t.value for m, t in again.items()} == {m: t.value for m, t in first.items()}


def test_every_director_shares_the_agency_figures_and_an_am_keeps_their_own(portfolio):
    world = portfolio.world
    assert _tiles(world.director)["revenue"].facts["total"] == Decimal("240000")
    # am owns A, B, D: the director's cached figures (A–E) are never served to them.
    assert _tiles(world.am)["retention"].value == Decimal("50.0")
    assert _tiles(world.am2)["nps"].facts == {"promoters": 0, "passives": 1, "detractors": 0}


@pytest.mark.parametrize("write", ["nps", "invoice", "rating", "request", "target"])
def test_a_write_shows_on_the_next_board(portfolio, write):
    director, a = portfolio.world.director, portfolio.a
    before = _tiles(director)
    with scope(agency=a.agency):
        if write == "nps":
            _answer(a, 0, date(2026, 3, 1))
        elif write == "invoice":
            _paid(a, 60000, date(2026, 3, 1))
        elif write == "rating":
            _rated(a, 1, date(2026, 3, 1))  # created (a signal) before its date is moved
        elif write == "request":
            _replied(a, 15, date(2026, 3, 1))
        else:
            KpiTarget.objects.create(agency=a.agency, metric=KpiMetric.NPS, value=Decimal("10"))
    after = _tiles(director)
    moved = {"nps": ("nps", "value"), "invoice": ("revenue", "value"), "rating": ("reports", "facts"),
             "request": ("response", "facts"), "target": ("nps", "target")}[write]
    metric, attribute = moved
    assert getattr(after[metric], attribute) != getattr(before[metric], attribute)


def test_a_bulk_status_change_shows_on_the_next_board(portfolio):
    world, a = portfolio.world, portfolio.a
    before = _tiles(world.director)["retention"]
    with scope(agency=world.agency):
        client_bulk_update(agency=world.agency, actor=world.director.user,
                           clients=Client.objects.filter(pk=a.pk), data={"status": Client.Status.CHURNED,
                                                                           "churn_reason": "Ушли к конкурентам"})
    # The history row is written now (not in Q1), so Q1's retention stays, but the running year counts the churn.
    assert _tiles(world.director)["retention"].facts == before.facts
    year = Period.containing("year", date.today())
    with scope(agency=world.agency):
        tiles = {t.metric: t for t in board.kpi_board(agency=world.agency, membership=world.director, period=year)}
    assert tiles["retention"].facts["churned"] >= 1


def test_joining_a_client_team_widens_the_am_figures(portfolio):
    world, e = portfolio.world, portfolio.e
    assert _tiles(world.am)["response"].facts["answered"] == 3  # A's two and B's one
    with scope(agency=world.agency):
        e.team.add(world.am.user)
    assert _tiles(world.am)["response"].facts["answered"] == 4  # and E's 300 minutes now


def test_a_write_in_another_agency_keeps_this_agency_cached(portfolio, bob_world):
    alice = portfolio.world.agency
    version = FIGURES.version(agency_id=alice.pk)
    with scope(agency=bob_world.agency):
        bob_client = Client.objects.get(agency=bob_world.agency, name="Bob's client")
        _paid(bob_client, 5, date(2026, 3, 1))
    assert FIGURES.version(agency_id=alice.pk) == version


def test_the_portfolio_page_is_cached_and_follows_a_rename(economy, django_assert_max_num_queries):
    director, agency = economy.world.director, economy.world.agency
    period = Period.containing("quarter", date(2026, 2, 15))
    with scope(agency=agency):
        first = portfolio_page(agency=agency, membership=director, period=period, today=TODAY)
        with django_assert_max_num_queries(0):
            again = portfolio_page(agency=agency, membership=director, period=period, today=TODAY)
        assert [r.client_id for r in again.rows] == [r.client_id for r in first.rows]
        client = Client.objects.get(pk=first.rows[0].client_id)
        client.name = "Переименованный клиент"
        client.save()
        renamed = portfolio_page(agency=agency, membership=director, period=period, today=TODAY)
    assert "Переименованный клиент" in [r.name for r in renamed.rows]


def test_the_history_bulk_writer_announces_the_change(portfolio):
    from clients.models import ClientStatusChange

    world = portfolio.world
    version = FIGURES.version(agency_id=world.agency.pk)
    with scope(agency=world.agency):
        ClientStatusChange.objects.bulk_create([ClientStatusChange(
            agency=world.agency, client=portfolio.d, from_status="lead", to_status="active", changed_at=at(date(2026, 1, 2)))])
    assert FIGURES.version(agency_id=world.agency.pk) == version  # a raw bulk_create says nothing (hence the hook)
    from clients.services.history import client_history_record

    with scope(agency=world.agency):
        d = portfolio.d
        d.status = Client.Status.ACTIVE
        client_history_record(agency=world.agency, actor=None, client=d, old_status=Client.Status.LEAD)
    assert FIGURES.version(agency_id=world.agency.pk) != version


def test_a_drill_page_is_cached_and_shows_a_new_answer(portfolio, django_assert_max_num_queries):
    from tests.conftest import login

    http, a = login(portfolio.world.director), portfolio.a
    params = {**Q1.query(), "segment": "detractors"}
    table = lambda html: html[html.index('id="drill-table"'):]  # noqa: E731 (the CSRF token differs per answer)
    first = table(http.get("/dashboards/nps/", params).content.decode())
    with django_assert_max_num_queries(4):  # session, user, membership, agency: the rows come from the cache
        assert table(http.get("/dashboards/nps/", params).content.decode()) == first
    assert "B Бета" in first
    with scope(agency=a.agency):
        _answer(a, 0, date(2026, 3, 1), comment="Кэш не должен скрыть этот ответ")
    assert "Кэш не должен скрыть этот ответ" in http.get("/dashboards/nps/", params).content.decode()


def test_another_member_never_reads_the_directors_cached_drill_page(portfolio):
    from tests.conftest import login

    params = {**Q1.query(), "segment": "detractors"}
    assert "B Бета" in login(portfolio.world.director).get("/dashboards/nps/", params).content.decode()
    assert "B Бета" not in login(portfolio.world.am2).get("/dashboards/nps/", params).content.decode()
