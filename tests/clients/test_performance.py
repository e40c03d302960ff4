"""Speed guards (#15): pages whose HTML size and query count must not grow with the data, the lazy kanban
columns, counts capped on large lists, and the PostgreSQL search indexes. Timings are not asserted (CI
machines vary); bytes, rows and queries are."""
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_scopes import scopes_disabled

from clients.models import AccountPlan, Client, Deal
from clients.selectors import today as today_selectors
from clients.selectors.deals import BOARD_CARDS_PER_COLUMN
from mrm.core.pagination import CappedPaginator
from tests.conftest import login
from tests.factories import ClientFactory, default_stage

pytestmark = pytest.mark.django_db

KANBAN_MAX_KB = 150
CLIENT_LIST_MAX_KB = 60
PORTFOLIO_MAX_KB = 150


def _deals(agency, owner, n: int, *, clients: int = 30) -> list[Deal]:
    people = [ClientFactory(agency=agency, owner=owner) for _ in range(clients)]
    now = timezone.now()
    columns = {code: default_stage(agency, code) for code in Deal.Stage.values}
    rows = [Deal(agency=agency, client=people[i % clients], owner=owner, title=f"Продвижение клиента №{i}",
                 stage=Deal.Stage.values[i % len(Deal.Stage.values)], position=i, amount=100000 + i,
                 pipeline_stage=columns[Deal.Stage.values[i % len(Deal.Stage.values)]],
                 currency="RUB", lost_reason="Дорого" if Deal.Stage.values[i % len(Deal.Stage.values)] == "lost" else "",
                 closed_at=now if Deal.Stage.values[i % len(Deal.Stage.values)] in ("won", "lost") else None,
                 expected_close_date=timezone.localdate() + timedelta(days=i % 40))
            for i in range(n)]
    with scopes_disabled():
        return Deal.objects.bulk_create(rows)


def _cards(html: str) -> list[str]:
    return re.findall(r'id="deal-([0-9a-f-]{36})"', html)


def test_kanban_with_300_deals_stays_small_and_runs_a_constant_number_of_queries(
        alice_world, django_assert_max_num_queries):
    w = alice_world
    _deals(w.agency, w.am.user, 300)
    for member in (w.director, w.am):
        http = login(member)
        with django_assert_max_num_queries(16):
            response = http.get("/clients/deals/")
        body = response.content.decode()
        assert response.status_code == 200
        assert len(response.content) < KANBAN_MAX_KB * 1024, f"kanban is {len(response.content) // 1024} KB"
        assert body.count('id="move-dialog"') == 1  # one move form for the whole board, not one per card
        assert body.count("csrfmiddlewaretoken") <= 3  # the page's own forms (log out, the dialog), not one per card
        assert len(_cards(body)) <= len(Deal.Stage.values) * BOARD_CARDS_PER_COLUMN  # the first cards; the rest lazily
        assert body.count('hx-trigger="revealed"') == len(Deal.Stage.values)  # each column has more to load


def test_kanban_column_loads_the_next_cards_lazily_in_board_order(alice_world):
    w = alice_world
    _deals(w.agency, w.am.user, 300)
    http = login(w.am)
    board = http.get("/clients/deals/").content.decode()
    new = default_stage(w.agency, "new").pk  # columns are the default pipeline's stages, by id
    loader = re.search(rf'hx-get="(/clients/deals/\?column={new}&amp;offset=(\d+))"', board)
    n = BOARD_CARDS_PER_COLUMN
    assert loader and loader.group(2) == str(n)
    chunk = http.get(loader.group(1).replace("&amp;", "&"), HTTP_HX_REQUEST="true").content.decode()
    with scopes_disabled():
        expected = [str(pk) for pk in Deal.objects.filter(agency=w.agency, stage="new").order_by(
            "position", "-created_at", "pk").values_list("pk", flat=True)[n:2 * n]]
    assert _cards(chunk) == expected
    assert f"offset={2 * n}" in chunk  # and the next loader
    first = set(_cards(board))
    assert not first & set(expected)
    assert http.get("/clients/deals/?column=teleported&offset=20").status_code == 404
    assert http.get(f"/clients/deals/?column={new}&offset=-5").status_code == 404
    assert http.get("/clients/deals/?column=new&offset=20").status_code == 404  # a code is not a column id


def test_kanban_lazy_chunk_keeps_filters_and_never_shows_another_agencys_deals(alice_world, bob_world):
    _deals(bob_world.agency, bob_world.am.user, 60, clients=3)
    _deals(alice_world.agency, alice_world.am.user, 60, clients=3)
    http = login(alice_world.director)
    new = default_stage(alice_world.agency, "new").pk
    chunk = http.get(f"/clients/deals/?column={new}&offset=1", HTTP_HX_REQUEST="true").content.decode()
    with scopes_disabled():
        bob_ids = {str(pk) for pk in Deal.objects.filter(agency=bob_world.agency).values_list("pk", flat=True)}
    assert _cards(chunk) and not set(_cards(chunk)) & bob_ids
    filtered = http.get(f"/clients/deals/?kind=upsell&column={new}&offset=1", HTTP_HX_REQUEST="true")
    bobs = default_stage(bob_world.agency, "new").pk
    assert http.get(f"/clients/deals/?column={bobs}&offset=1", HTTP_HX_REQUEST="true").status_code == 404
    assert filtered.status_code == 200 and not _cards(filtered.content.decode())  # every bench deal is new business


def test_kanban_cards_link_to_their_deal_and_client(alice_world):
    w = alice_world
    deal = _deals(w.agency, w.am.user, 1, clients=1)[0]
    body = login(w.am).get("/clients/deals/").content.decode()
    assert f'href="/clients/deals/{deal.pk}/?next=/clients/deals/"' in body  # the card opens the deal page
    assert f'href="/clients/{deal.client_id}/"' in body
    assert 'data-move-url="/clients/deals/{id}/move/"' in body and "/move/" not in body.split('id="board"')[1].split(
        'data-move-url="/clients/deals/{id}/move/"')[1].split('id="move-dialog"')[0]  # one URL template per board


def test_client_list_page_stays_small(alice_world, django_assert_max_num_queries):
    w = alice_world
    with scopes_disabled():
        Client.objects.bulk_create([Client(agency=w.agency, owner=w.am.user, name=f"Клиент с длинным именем №{i}",
                                           status=Client.Status.ACTIVE) for i in range(120)])
    http = login(w.am)
    with django_assert_max_num_queries(14):
        response = http.get("/clients/?page=3")
    assert response.status_code == 200
    assert len(response.content) < CLIENT_LIST_MAX_KB * 1024, f"client list is {len(response.content) // 1024} KB"


def test_portfolio_stays_small_and_shows_the_strongest_first(alice_world, django_assert_max_num_queries):
    w = alice_world
    people = [Client(agency=w.agency, owner=w.am.user, name=f"Аккаунт {i:03d}", status=Client.Status.ACTIVE)
              for i in range(200)]
    with scopes_disabled():
        Client.objects.bulk_create(people)
        AccountPlan.objects.bulk_create([
            AccountPlan(agency=w.agency, client=c, attractiveness=4 + (i % 10) / 10, relationship_strength=4,
                        quadrant=AccountPlan.quadrant_for(4 + (i % 10) / 10, 4)) for i, c in enumerate(people)])
    http = login(w.director)
    with django_assert_max_num_queries(14):
        response = http.get("/clients/portfolio/")
    body = response.content.decode()
    assert response.status_code == 200 and len(response.content) < PORTFOLIO_MAX_KB * 1024
    # Score 8.9 (i % 10 == 9, twenty clients) first by name, then 8.8; the cell stops at its limit of 40.
    assert body.index("Аккаунт 009") < body.index("Аккаунт 199") < body.index("Аккаунт 008") < body.index("Аккаунт 198")
    assert "Аккаунт 000" not in body and "Аккаунт 007" not in body


def test_capped_paginator_counts_only_up_to_the_cap_or_the_requested_page(alice_world):
    w = alice_world
    with scopes_disabled():
        Client.objects.bulk_create([Client(agency=w.agency, name=f"C{i:02d}") for i in range(30)])
        qs = Client.objects.filter(agency=w.agency).order_by("name", "pk")
        page = CappedPaginator(qs, 5, cap=10).get_page(1)
        assert page.paginator.capped and page.paginator.count_label == "10+"
        assert page.has_next() and page.paginator.num_pages_label == "3+"
        deep = CappedPaginator(qs, 5, cap=10).get_page(5)  # deeper than the cap: still reachable
        assert deep.number == 5 and [c.name for c in deep.object_list] == [f"C{i:02d}" for i in range(20, 25)]
        exact = CappedPaginator(qs, 5, cap=100).get_page(1)
        assert not exact.paginator.capped and exact.paginator.count == qs.count()


def test_today_no_contact_count_is_capped(alice_world, monkeypatch):
    w = alice_world
    monkeypatch.setattr(today_selectors, "COUNT_CAP", 10)
    with scopes_disabled():
        Client.objects.bulk_create([Client(agency=w.agency, owner=w.am.user, name=f"Молчун {i}",
                                           status=Client.Status.ACTIVE) for i in range(20)])
    page = login(w.am).get("/today/").content.decode()
    section = page[page.index('id="today-no-contact"'):]
    assert '<span class="mrm-today-count">10+</span>' in section


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram indexes are PostgreSQL-only")
def test_search_columns_have_trigram_indexes():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE indexname LIKE %s", ["clients_%_trgm"])
        found = dict(cursor.fetchall())
    for name in ("clients_client_name_trgm", "clients_contact_email_trgm", "clients_contact_phone_trgm",
                 "clients_deal_title_trgm", "clients_invoice_number_trgm"):
        assert name in found and "gin_trgm_ops" in found[name]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="GIN indexes are PostgreSQL-only")
def test_gin_indexes_have_no_pending_list():
    """A GIN index with `fastupdate` on makes every search read its pending list row by row (clients/0014)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT c.relname, c.reloptions FROM pg_class c JOIN pg_am am ON am.oid = c.relam "
                       "JOIN pg_namespace n ON n.oid = c.relnamespace "
                       "WHERE am.amname = 'gin' AND n.nspname = current_schema()")
        found = dict(cursor.fetchall())
    assert "clients_contact_full_name_trgm" in found and "proposals_proposal_title_trgm" in found
    assert {name for name, options in found.items() if "fastupdate=off" not in (options or [])} == set()
