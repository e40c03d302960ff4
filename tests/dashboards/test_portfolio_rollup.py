"""The portfolio rollup: what the page reads from `ClientEconomics` (SQL) equals the live computation on the same
data, for a director and an AM, every sort, the filters and the pages; rebuilds replace rows; isolation."""
from datetime import date
from decimal import Decimal as D

import pytest
from django_scopes import scope, scopes_disabled

from dashboards.models import ClientEconomics, ClientEconomicsState
from dashboards.periods import Period
from dashboards.portfolio_board import CLIENT_SORTS
from dashboards.portfolio_read import portfolio_page
from dashboards.portfolio_rollup import client_economics_rebuild, client_economics_schedule
from tests.conftest import clear_cache, login

from .portfolio_world import Q1, TODAY, build

QUARTER = Period.containing("quarter", date(2026, 2, 15))


def _both(membership, **kwargs):
    agency = membership.agency
    with scope(agency=agency):
        clear_cache()
        live = portfolio_page(agency=agency, membership=membership, period=QUARTER, today=TODAY, **kwargs)
        client_economics_rebuild(agency=agency)
        clear_cache()
        stored = portfolio_page(agency=agency, membership=membership, period=QUARTER, today=TODAY, **kwargs)
        ClientEconomicsState.objects.filter(agency=agency).delete()
        clear_cache()
    assert live.built_at is None and stored.built_at is not None
    return live, stored


def _same(live, stored):
    assert [vars(r) for r in stored.rows] == [vars(r) for r in live.rows]
    assert (stored.count, stored.page, stored.pages) == (live.count, live.page, live.pages)
    assert vars(stored.totals) == vars(live.totals)
    assert stored.concentration == live.concentration
    assert sorted(map(vars, stored.workload), key=str) == sorted(map(vars, live.workload), key=str)
    assert vars(stored.quadrant) == vars(live.quadrant)


@pytest.fixture
def economy_world(alice_world, bob_world):
    return build(alice_world, bob_world)


@pytest.mark.parametrize("sort", sorted(CLIENT_SORTS))
def test_stored_figures_equal_live_for_every_sort(economy_world, sort):
    live, stored = _both(economy_world.world.director, sort=sort, descending=sort != "name")
    _same(live, stored)
    assert stored.totals.period.revenue == D("250000.00") and stored.totals.ltv == D("257978.60")


def test_stored_equals_live_filtered_paged_and_for_an_am(economy_world):
    _same(*_both(economy_world.world.director, loss_only=True))
    _same(*_both(economy_world.world.director, search="звез"))
    _same(*_both(economy_world.world.director, sort="name", descending=False, page=2, per_page=2))
    _same(*_both(economy_world.world.director, page=99, per_page=2))  # past the end: the last page
    _same(*_both(economy_world.world.director, everything=True))
    _same(*_both(economy_world.world.director, search="\x00", page=10**12))  # no NUL to SQL, no huge OFFSET
    live, stored = _both(economy_world.world.am2)
    _same(live, stored)
    assert {r.name for r in stored.rows} == {"L Убыточный", "E Звезда"}
    agency = economy_world.world.agency
    with scopes_disabled():
        agency.internal_hourly_cost = None  # the average cost rate: from the rollup's sums, the same 1 122.45
        agency.save(update_fields=["internal_hourly_cost"])
    live, stored = _both(economy_world.world.director)
    _same(live, stored)
    assert (stored.hourly_cost, stored.hourly_from_setting) == (D("1122.45"), False)


def test_rebuild_replaces_rows_and_keeps_agencies_apart(economy_world, bob_world):
    agency = economy_world.world.agency
    with scope(agency=agency):
        first = client_economics_rebuild(agency=agency)
        assert client_economics_rebuild(agency=agency) == first  # idempotent: a full rebuild
        lifetime = ClientEconomics.objects.get(agency=agency, client=economy_world.p, month=None)
        assert lifetime.revenue == D("300000.00") and lifetime.began == date(2025, 4, 1)
        assert lifetime.unplanned_minutes == 100 and lifetime.extra_work == D("3000")
        usd = ClientEconomics.objects.get(agency=agency, client=economy_world.p, currency="USD")
        assert usd.month == date(2026, 2, 1) and usd.revenue == D("1000.00")
    with scopes_disabled():
        assert not ClientEconomics.objects.filter(agency=agency, client=economy_world.bob_client).exists()
        assert not ClientEconomics.objects.filter(agency=bob_world.agency).exists()


def test_page_reads_the_rollup_once_built(economy_world, bob_world, django_capture_on_commit_callbacks):
    agency = economy_world.world.agency
    with scope(agency=agency), django_capture_on_commit_callbacks(execute=True):
        client_economics_rebuild(agency=agency)
    with scope(agency=bob_world.agency), django_capture_on_commit_callbacks(execute=True):
        client_economics_rebuild(agency=bob_world.agency)
    html = login(economy_world.world.director).get("/dashboards/portfolio/", Q1).content.decode()
    assert 'id="portfolio-revenue">250\u202f000' in html and "P Прибыльный" in html and "Bob" not in html
    bob = login(bob_world.director).get("/dashboards/portfolio/", Q1).content.decode()
    assert "P Прибыльный" not in bob and "Bob&#x27;s client" in bob
    api = login(bob_world.director).get("/api/v1/portfolio/", Q1).json()
    assert {r["name"] for r in api["results"]} == {"Bob's client", "Клиент Bob Agency"}
    assert api["figures_as_of"] is not None
    alice = login(economy_world.world.director).get("/api/v1/portfolio/", {**Q1, "ordering": "-profit"}).json()
    assert alice["results"][0]["period"]["real_profit"] == "176300.00"


def test_rollup_page_query_budget(economy_world, django_assert_max_num_queries, django_capture_on_commit_callbacks):
    agency = economy_world.world.agency
    with scope(agency=agency), django_capture_on_commit_callbacks(execute=True):
        client_economics_rebuild(agency=agency)
    http = login(economy_world.world.director)
    http.get("/dashboards/portfolio/", Q1)
    with django_assert_max_num_queries(10):
        assert http.get("/dashboards/portfolio/", Q1).status_code == 200


def test_schedule_is_debounced(economy_world, django_capture_on_commit_callbacks, monkeypatch):
    from dashboards import tasks

    queued = []
    monkeypatch.setattr(tasks.client_economics_rebuild_task, "apply_async", lambda **kw: queued.append(kw))
    clear_cache()
    with django_capture_on_commit_callbacks(execute=True):
        assert client_economics_schedule(agency=economy_world.world.agency)
        assert not client_economics_schedule(agency=economy_world.world.agency)
    assert len(queued) == 1 and queued[0]["kwargs"] == {"agency_id": economy_world.world.agency.pk}


def test_a_status_change_schedules_the_rebuild(economy_world, django_capture_on_commit_callbacks, monkeypatch):
    """Tenure starts and ends with the status history, so a churned client reschedules the portfolio rollup."""
    from clients.models import Client
    from clients.services.companies import client_update
    from dashboards import tasks

    queued = []
    monkeypatch.setattr(tasks.client_economics_rebuild_task, "apply_async", lambda **kw: queued.append(kw))
    clear_cache()
    agency = economy_world.world.agency
    with scope(agency=agency), django_capture_on_commit_callbacks(execute=True):
        client = Client.objects.filter(agency=agency, status=Client.Status.ACTIVE).first()
        client_update(agency=agency, actor=economy_world.world.director.user, client=client,
                      data={"status": Client.Status.CHURNED, "churn_reason": "Ушли"})
    assert [q["kwargs"] for q in queued] == [{"agency_id": agency.pk}]
