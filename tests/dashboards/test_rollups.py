"""Two paths, one answer: the daily KPI rollup against live aggregation, and the one-pass retention SQL against the
ORM's correlated sub-queries, on the same data (the hand-counted portfolio of conftest.py plus edge cases)."""
from datetime import date, datetime, time
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Q
from django_scopes import scope, scopes_disabled

from clients.models import Client, ClientStatusChange
from dashboards import board, rollups, selectors
from dashboards.models import KpiDailyRollup, KpiRollupState
from dashboards.periods import Period
from portal.models import NpsResponse
from tests import factories as f
from tests.conftest import clear_cache

from .conftest import _answer, _paid

pytestmark = pytest.mark.django_db
MSK = ZoneInfo("Europe/Moscow")
Q1 = Period.containing("quarter", date(2026, 3, 15))


def _windows(period: Period) -> list[Period]:
    windows, _ago = board._windows(period, trend=True)
    return windows


@pytest.fixture(autouse=True)
def _fresh_cache():
    clear_cache()
    yield
    clear_cache()


@pytest.fixture
def edgy(portfolio):
    """The portfolio plus days that live on the edge of a window: an answer at 23:30 Moscow on 31 March (20:30 UTC,
    still Q1 locally), one at 00:10 Moscow on 1 April (21:10 UTC on 31 March: Q2), a EUR payment, a payment on the
    first day of Q2, and a client whose status changes exactly at midnight of the quarter's start."""
    a, b = portfolio.a, portfolio.b
    with scopes_disabled():
        for client, score, day, clock in ((a, 3, date(2026, 3, 31), time(23, 30)), (b, 10, date(2026, 4, 1), time(0, 10))):
            answer = _answer(client, score, day)
            NpsResponse.objects.filter(pk=answer.pk).update(answered_at=datetime.combine(day, clock, tzinfo=MSK))
        _paid(a, 777, date(2026, 3, 31), currency="EUR")
        _paid(b, 1234, date(2026, 4, 1))
        midnight = f.ClientFactory(agency=a.agency, name="F at midnight", owner=a.owner)
        ClientStatusChange.objects.create(agency=a.agency, client=midnight, from_status="", to_status="active",
                                          changed_at=datetime.combine(date(2025, 1, 1), time(9), tzinfo=MSK))
        ClientStatusChange.objects.create(agency=a.agency, client=midnight, from_status="active",
                                          to_status="churned",
                                          changed_at=datetime.combine(Q1.start, time(0), tzinfo=MSK))
        f.ClientFactory(agency=a.agency, name="G without history", owner=a.owner, status=Client.Status.ACTIVE)
    return portfolio


def _live(agency, windows):
    return (selectors.nps_counts(agency=agency, q=Q(), windows=windows),
            selectors.revenue_sums(agency=agency, q=Q(), windows=windows))


def _by_currency(rows):
    return sorted(rows, key=lambda row: row["currency"])


@pytest.mark.parametrize("period", [Q1, Period.containing("month", date(2026, 3, 1)),
                                    Period.containing("year", date(2026, 6, 1)),
                                    Period.custom(date(2026, 3, 31), date(2026, 4, 1)),
                                    Period.containing("quarter", date(2023, 2, 1))])  # no answers at all
def test_rollup_equals_live(edgy, period):
    agency = edgy.world.agency
    with scope(agency=agency):
        rollups.kpi_rollup_rebuild(agency=agency)
        windows = _windows(period)
        nps, revenue = rollups.rollup_counts(agency=agency, windows=windows)
        live_nps, live_revenue = _live(agency, windows)
    assert nps == live_nps
    assert _by_currency(revenue) == _by_currency(live_revenue)


def test_rollup_day_is_the_agency_local_date(edgy):
    agency = edgy.world.agency
    with scope(agency=agency):
        rollups.kpi_rollup_rebuild(agency=agency)
        march_31 = KpiDailyRollup.objects.get(agency=agency, day=date(2026, 3, 31), currency="")
        april_1 = KpiDailyRollup.objects.get(agency=agency, day=date(2026, 4, 1), currency="")
        (nps,), _revenue = rollups.rollup_counts(agency=agency, windows=[Q1])
    # 31 March: the 9 of conftest and the 3 at 23:30; 1 April: the 10 at 00:10 (still 31 March in UTC)
    assert (march_31.promoters, march_31.detractors) == (1, 1)
    assert april_1.promoters == 1
    assert nps == {"promoters_0": 2, "passives_0": 1, "detractors_0": 2}  # Q1 of conftest + the 3 at 23:30


def test_board_tiles_same_from_rollup_and_live(edgy, django_capture_on_commit_callbacks):
    world = edgy.world
    with scope(agency=world.agency):
        live = board.kpi_board(agency=world.agency, membership=world.director, period=Q1)
        assert not rollups.rollup_ready(agency=world.agency)  # remembered as "not built" …
        with django_capture_on_commit_callbacks(execute=True):
            rollups.kpi_rollup_rebuild(agency=world.agency)
        assert rollups.rollup_ready(agency=world.agency)  # … until the rebuild commits
        with mock.patch.object(selectors, "nps_counts", side_effect=AssertionError("live NPS read")), \
                mock.patch.object(selectors, "revenue_sums", side_effect=AssertionError("live revenue read")):
            from_rollup = board.kpi_board(agency=world.agency, membership=world.director, period=Q1)
    assert [(t.metric, t.value, t.previous, t.status, t.trend, t.facts) for t in from_rollup] == \
           [(t.metric, t.value, t.previous, t.status, t.trend, t.facts) for t in live]


def test_am_and_client_figures_stay_live(edgy):
    world = edgy.world
    with scope(agency=world.agency):
        rollups.kpi_rollup_rebuild(agency=world.agency)
        KpiDailyRollup.objects.filter(agency=world.agency).update(promoters=1000)  # a wrong rollup would show
        tiles = {t.metric: t for t in board.kpi_board(agency=world.agency, membership=world.am, period=Q1)}
        one = {t.metric: t for t in board.kpi_board(agency=world.agency, membership=world.director, period=Q1,
                                                    client=edgy.a)}
    assert tiles["nps"].facts["promoters"] < 1000 and one["nps"].facts["promoters"] < 1000


def test_rollup_is_per_agency(edgy, bob_world):
    with scope(agency=edgy.world.agency):
        rollups.kpi_rollup_rebuild(agency=edgy.world.agency)
    with scope(agency=bob_world.agency):
        assert not rollups.rollup_ready(agency=bob_world.agency)  # never built: bob's board is live
        (nps,), revenue = rollups.rollup_counts(agency=bob_world.agency, windows=[Q1])
        rollups.kpi_rollup_rebuild(agency=bob_world.agency)
        (bob_nps,), bob_revenue = rollups.rollup_counts(agency=bob_world.agency, windows=[Q1])
    with scope(agency=edgy.world.agency):
        (alice_nps,), alice_revenue = rollups.rollup_counts(agency=edgy.world.agency, windows=[Q1])
    assert nps["detractors_0"] == 0 and revenue == []
    assert bob_nps["detractors_0"] == 1 and [r["paid_0"] for r in bob_revenue] == [999999]
    assert 999999 not in [r["paid_0"] for r in alice_revenue]


def test_rebuild_replaces_and_records_state(edgy):
    agency = edgy.world.agency
    with scope(agency=agency):
        first = rollups.kpi_rollup_rebuild(agency=agency)
        _answer(edgy.a, 10, date(2026, 1, 11))
        second = rollups.kpi_rollup_rebuild(agency=agency)
        state = KpiRollupState.objects.get(agency=agency)
        count = KpiDailyRollup.objects.filter(agency=agency).count()
    assert second == first + 1 == count == state.rows


def test_schedule_is_debounced_and_after_commit(edgy, django_capture_on_commit_callbacks):
    agency = edgy.world.agency
    with mock.patch("dashboards.tasks.kpi_rollup_rebuild_task.apply_async") as queued, \
            django_capture_on_commit_callbacks(execute=True):
        assert rollups.kpi_rollup_schedule(agency=agency) is True
        assert rollups.kpi_rollup_schedule(agency=agency) is False  # the queued run will see this change too
    queued.assert_called_once_with(kwargs={"agency_id": agency.pk}, countdown=rollups.ROLLUP_DEBOUNCE_SECONDS)
    with scope(agency=agency):
        rollups.kpi_rollup_run(agency=agency)  # the run clears the mark: the next change queues again
    with mock.patch("dashboards.tasks.kpi_rollup_rebuild_task.apply_async"), \
            django_capture_on_commit_callbacks(execute=True):
        assert rollups.kpi_rollup_schedule(agency=agency) is True


def test_an_nps_answer_and_a_paid_invoice_schedule_a_rebuild(edgy, django_capture_on_commit_callbacks):
    from clients.services.invoices import invoice_mark_paid
    from portal.services.nps import nps_answer

    world = edgy.world
    with scope(agency=world.agency):
        contact = f.ContactFactory(agency=world.agency, client=edgy.a)
        survey = f.NpsSurveyFactory(contact=contact)
        invoice = f.InvoiceFactory(client=edgy.a, status="sent", paid_on=None)
        with mock.patch("dashboards.tasks.kpi_rollup_rebuild_task.apply_async") as queued, \
                django_capture_on_commit_callbacks(execute=True):
            nps_answer(agency=world.agency, actor=None, survey=survey, score=9, comment="", channel="portal")
        assert queued.call_count == 1
        clear_cache()
        with mock.patch("dashboards.tasks.kpi_rollup_rebuild_task.apply_async") as queued, \
                django_capture_on_commit_callbacks(execute=True):
            invoice_mark_paid(agency=world.agency, actor=world.director.user, invoice=invoice)
        assert queued.call_count == 1


def test_nightly_task_queues_every_agency(edgy, bob_world):
    from dashboards.tasks import kpi_rollup_nightly_task

    with mock.patch("dashboards.tasks.kpi_rollup_rebuild_task.delay") as queued:
        assert kpi_rollup_nightly_task() >= 2
    assert {c.kwargs["agency_id"] for c in queued.call_args_list} >= {edgy.world.agency.pk, bob_world.agency.pk}


def test_rebuild_task_builds_in_scope(edgy):
    from dashboards.tasks import kpi_rollup_rebuild_task

    assert kpi_rollup_rebuild_task(agency_id=edgy.world.agency.pk) > 0
    with scopes_disabled():
        assert KpiRollupState.objects.filter(agency=edgy.world.agency).exists()


# --- retention: one pass over the history (PostgreSQL) == the ORM's sub-queries --------------------------------
@pytest.mark.parametrize("period", [Q1, Period.containing("month", date(2026, 2, 1)),
                                    Period.containing("year", date(2026, 6, 1)),
                                    Period.custom(date(2026, 2, 10), date(2026, 3, 1))])
@pytest.mark.parametrize("by_am_on", [None, date(2026, 4, 1), date(2026, 2, 1)])
@pytest.mark.parametrize("who", ["director", "am", "am2"])
def test_retention_sql_equals_orm(edgy, period, by_am_on, who):
    world = edgy.world
    membership = getattr(world, who)
    with scope(agency=world.agency):
        q = selectors.clients_q(membership=membership)
        windows = _windows(period)
        fast = selectors.retention_counts(agency=world.agency, q=q, windows=windows, by_am_on=by_am_on)
        slow = selectors.retention_counts(agency=world.agency, q=q, windows=windows, by_am_on=by_am_on, orm=True)

    def key(row):
        return str(row.get("am"))

    assert sorted(fast, key=key) == sorted(slow, key=key)


def test_retention_sql_midnight_and_no_history(edgy):
    """A churn at exactly midnight of the quarter's first day is not "before" that midnight: the client was still
    active at the start, and churned in the quarter. A client without history is in no number."""
    world = edgy.world
    with scope(agency=world.agency):
        (row,) = selectors.retention_counts(agency=world.agency, q=Q(), windows=[Q1])
        (before,) = selectors.retention_counts(agency=world.agency, q=Q(), windows=[Q1.previous()])
    # conftest: A, B, E active at the start of Q1, C joined in it, B and C churned; plus F (active at the start,
    # churned at 00:00 on 1 January); E is paused, which still counts as a client
    assert (row["start_0"], row["kept_0"], row["active_0"], row["churned_0"]) == (4, 2, 5, 3)
    assert (before["start_0"], before["kept_0"], before["active_0"], before["churned_0"]) == (4, 4, 4, 0)


@pytest.mark.parametrize("extra_clients", [0, 15])
def test_dashboard_from_rollup_query_budget(edgy, extra_clients, django_assert_max_num_queries,
                                            django_capture_on_commit_callbacks):
    """The director's page reads the rollup in one query; the count does not grow with the data."""
    from .test_views import Q1 as Q1_QUERY
    from .test_views import login

    world = edgy.world
    with scopes_disabled():
        for n in range(extra_clients):
            client = f.ClientFactory(agency=world.agency, name=f"Extra {n}", owner=world.am.user)
            ClientStatusChange.objects.create(agency=world.agency, client=client, from_status="", to_status="active",
                                              changed_at=datetime.combine(date(2025, 5, 1), time(12), tzinfo=MSK))
            _answer(client, n % 11, date(2026, 2, 1 + n))
            _paid(client, 1000 + n, date(2026, 3, 1 + n))
    with scope(agency=world.agency), django_capture_on_commit_callbacks(execute=True):
        rollups.kpi_rollup_rebuild(agency=world.agency)
    http = login(world.director)
    http.get("/dashboards/", Q1_QUERY)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = http.get("/dashboards/", Q1_QUERY)
    assert response.status_code == 200
    assert len(ctx.captured_queries) <= 10, "\n".join(q["sql"][:150] for q in ctx.captured_queries)
