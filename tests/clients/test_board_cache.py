"""clients.caches: the kanban's column totals are computed once per agency version, visibility, pipeline and
filters, and every write that can move a total shows on the next board."""
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scope

from clients.models import Deal
from clients.services import deals as services
from tests.conftest import login
from tests.factories import ClientFactory, DealFactory

pytestmark = pytest.mark.django_db


def _sums_queries(http) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert http.get("/clients/deals/").status_code == 200
    return sum("SUM(" in q["sql"] and "clients_deal" in q["sql"] for q in ctx.captured_queries)


def test_the_second_board_reads_its_totals_from_the_cache(alice_world):
    client = ClientFactory(agency=alice_world.agency, owner=alice_world.am.user)
    DealFactory(client=client, owner=alice_world.am.user, stage=Deal.Stage.NEW, amount=Decimal("1000"))
    http = login(alice_world.am)
    assert _sums_queries(http) == 1
    assert _sums_queries(http) == 0


@pytest.mark.parametrize("write", ["create", "move", "delete", "owner"])
def test_a_write_shows_on_the_next_board(alice_world, write):
    w = alice_world
    client = ClientFactory(agency=w.agency, owner=w.am.user)
    deal = DealFactory(client=client, owner=w.am.user, stage=Deal.Stage.NEW, amount=Decimal("1000"))
    http = login(w.am)
    assert http.get("/clients/deals/").status_code == 200  # cached
    assert _sums_queries(http) == 0
    with scope(agency=w.agency):
        if write == "create":
            DealFactory(client=client, owner=w.am.user, stage=Deal.Stage.NEW)
        elif write == "move":
            services.deal_move(agency=w.agency, actor=w.am.user, deal=deal, stage="negotiation")
        elif write == "delete":
            deal.delete()
        else:  # the client goes to another AM: its deals leave this AM's board
            client.owner = w.am2.user
            client.save()
    assert _sums_queries(http) == 1


def test_an_am_never_reads_the_directors_cached_totals(alice_world):
    w = alice_world
    mine = ClientFactory(agency=w.agency, owner=w.am.user)
    theirs = ClientFactory(agency=w.agency, owner=w.am2.user)
    DealFactory(client=mine, owner=w.am.user, stage=Deal.Stage.NEW, amount=Decimal("1000"), title="Моя")
    DealFactory(client=theirs, owner=w.am2.user, stage=Deal.Stage.NEW, amount=Decimal("7000"), title="Чужая")
    assert _sums_queries(login(w.director)) == 1
    assert _sums_queries(login(w.am)) == 1  # its own visibility: computed, not the director's


def _portfolio_queries(http) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert http.get("/clients/portfolio/").status_code == 200
    return sum("clients_accountplan" in q["sql"] for q in ctx.captured_queries)


@pytest.mark.parametrize("write", ["plan", "client", "team"])
def test_the_portfolio_grid_is_cached_until_a_client_plan_or_team_changes(alice_world, write):
    from tests.factories import AccountPlanFactory

    w = alice_world
    client = ClientFactory(agency=w.agency, owner=w.am.user, status="active", name="Клиент портфеля")
    http = login(w.am)
    assert _portfolio_queries(http) >= 1
    assert _portfolio_queries(http) == 0  # the grid comes from the cache
    with scope(agency=w.agency):
        if write == "plan":
            AccountPlanFactory(client=client)
        elif write == "client":
            client.name = "Переименованный"
            client.save()
        else:
            ClientFactory(agency=w.agency, owner=w.am2.user, status="active").team.add(w.am.user)
    assert _portfolio_queries(http) >= 1
    if write == "client":
        assert "Переименованный" in http.get("/clients/portfolio/").content.decode()


def _main(html: str) -> str:
    return html[html.index("<main"):html.index("</main>")]


def test_the_portfolio_page_is_rendered_once_until_its_rows_change(alice_world, django_assert_max_num_queries):
    """The page's content comes from the cache as it was rendered (the same HTML), in the member's language, and
    with the edit links only for a member who may edit plans."""
    from tests.factories import AccountPlanFactory

    w = alice_world
    scored = ClientFactory(agency=w.agency, owner=w.am.user, status="active", name="Оценённый")
    unscored = ClientFactory(agency=w.agency, owner=w.am.user, status="active", name="Без оценки")
    with scope(agency=w.agency):
        AccountPlanFactory(client=scored)
    http = login(w.am)
    first = http.get("/clients/portfolio/").content.decode()
    with django_assert_max_num_queries(3):  # the session's user and membership; the content from the cache
        second = http.get("/clients/portfolio/").content.decode()
    assert _main(second) == _main(first) and "Оценённый" in second and "Без оценки" in second
    assert "Управление ключевыми клиентами" in second  # the AM's language is Russian
    assert f"/clients/{unscored.pk}/account-plan/" in second  # an AM scores from the page
    with scope(agency=w.agency):
        unscored.team.add(w.specialist.user)
    specialist = login(w.specialist).get("/clients/portfolio/").content.decode()
    assert "Без оценки" in specialist and f"/clients/{unscored.pk}/account-plan/" not in specialist
    http.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the language switcher's cookie
    english = http.get("/clients/portfolio/").content.decode()
    assert "Key account management" in english and "Оценённый" in english


def test_the_board_is_rendered_once_until_a_deal_or_an_owner_changes(alice_world, django_assert_max_num_queries):
    """The columns and cards come from the cache as rendered (a login changes nothing shown and keeps them); a new
    deal, an owner's new name and the member's language show on the next board."""
    w = alice_world
    client = ClientFactory(agency=w.agency, owner=w.am.user)
    DealFactory(client=client, owner=w.am.user, stage=Deal.Stage.NEW, title="Первая сделка")
    http = login(w.am)
    first = http.get("/clients/deals/").content.decode()
    with django_assert_max_num_queries(4):  # session user, membership, pipelines, owners; no deal or stage query
        second = http.get("/clients/deals/").content.decode()
    board = slice(first.index('<div id="board"'), first.index('<dialog'))  # the move dialog has the CSRF token
    assert second[board] == first[board] and "Первая сделка" in second and "Сделок в колонке" in second
    login(w.am)  # saves last_login only
    assert _sums_queries(http) == 0
    partial = http.get("/clients/deals/", headers={"HX-Request": "true", "HX-Target": "board"}).content.decode()
    assert partial.lstrip().startswith('<div id="board"') and "Первая сделка" in partial and "<main" not in partial
    with scope(agency=w.agency):
        DealFactory(client=client, owner=w.am.user, stage=Deal.Stage.NEW, title="Вторая сделка")
    assert "Вторая сделка" in http.get("/clients/deals/").content.decode()
    w.am.user.full_name = "Зоя Новикова"
    w.am.user.save()
    assert 'title="Зоя Новикова">ЗН<' in http.get("/clients/deals/").content.decode()
    http.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = http.get("/clients/deals/").content.decode()
    assert "Deals in this column" in english and "Вторая сделка" in english


def test_an_am_never_reads_the_directors_cached_board(alice_world):
    w = alice_world
    theirs = ClientFactory(agency=w.agency, owner=w.am2.user)
    DealFactory(client=theirs, owner=w.am2.user, stage=Deal.Stage.NEW, title="Чужая сделка")
    assert "Чужая сделка" in login(w.director).get("/clients/deals/").content.decode()
    assert "Чужая сделка" not in login(w.am).get("/clients/deals/").content.decode()
