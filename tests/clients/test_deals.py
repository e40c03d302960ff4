"""Deals: stage rules in the service, the kanban (drag and drop and the no-JS select), the list, the API."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from clients.models import Deal
from clients.services import deals as services
from mrm.core.errors import ServiceError
from mrm.tenancy.models import AuditLog
from tests.conftest import login
from tests.factories import ClientFactory, DealFactory
from tests.money import number_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"  # assertions read the English source strings


@pytest.fixture
def book(alice_world):
    """Two clients of the first AM, one of the second AM, a few deals on each."""
    w = alice_world
    mine = ClientFactory(agency=w.agency, name="Свой бренд", owner=w.am.user)
    other = ClientFactory(agency=w.agency, name="Чужой бренд", owner=w.am2.user)
    deals = {
        "new": DealFactory(agency=w.agency, client=mine, title="SMM на весну", amount=300000, owner=w.am.user),
        "nego": DealFactory(agency=w.agency, client=mine, title="Контекст", amount=200000,
                            stage=Deal.Stage.NEGOTIATION, owner=w.am.user, kind=Deal.Kind.UPSELL),
        "foreign": DealFactory(agency=w.agency, client=other, title="Чужая сделка", amount=999000, owner=w.am2.user),
    }
    return mine, other, deals


def _audits(agency, action):
    with scopes_disabled():
        return AuditLog.objects.filter(agency=agency, action=action).all()


def _deal(pk) -> Deal:
    with scopes_disabled():
        return Deal.objects.get(pk=pk)


# --- service -------------------------------------------------------------------------------------------------------

def test_deal_create_defaults_currency_and_goes_to_the_end_of_its_column(alice_world, book):
    mine, _other, deals = book
    w = alice_world
    w.agency.currency = "USD"
    w.agency.save()
    with scope(agency=w.agency):
        deal = services.deal_create(agency=w.agency, actor=w.am.user,
                                    data={"client": mine, "title": "Новое", "amount": Decimal("5000")})
    assert deal.currency == "USD" and deal.stage == Deal.Stage.NEW
    assert deal.position > _deal(deals["new"].pk).position
    assert _audits(w.agency, "deal.created").filter(target_id=str(deal.pk)).exists()


def test_lost_needs_a_reason_and_won_lost_set_closed_at_reopen_clears_it(alice_world, book):
    _mine, _other, deals = book
    w = alice_world
    with scope(agency=w.agency):
        with pytest.raises(ServiceError) as err:
            services.deal_move(agency=w.agency, actor=w.am.user, deal=deals["nego"], stage=Deal.Stage.LOST)
        assert err.value.field == "lost_reason"
        lost = services.deal_move(agency=w.agency, actor=w.am.user, deal=deals["nego"], stage=Deal.Stage.LOST,
                                  lost_reason="Выбрали инхаус")
        assert lost.closed_at is not None and lost.lost_reason == "Выбрали инхаус"
        reopened = services.deal_move(agency=w.agency, actor=w.am.user, deal=lost, stage=Deal.Stage.PROPOSAL_SENT)
        assert reopened.closed_at is None and reopened.lost_reason == ""
        won = services.deal_update(agency=w.agency, actor=w.am.user, deal=reopened, data={"stage": Deal.Stage.WON})
        assert won.closed_at is not None
    moves = _audits(w.agency, "deal.moved").order_by("created_at")
    assert [m.changes["stage"][1] for m in moves] == ["lost", "proposal_sent"]


def test_move_places_the_card_above_the_given_one(alice_world, book):
    mine, _other, deals = book
    w = alice_world
    # Imports leave ties at position 0: the move renumbers the column first.
    a = DealFactory(agency=w.agency, client=mine, title="A", stage=Deal.Stage.PROPOSAL_SENT, position=0)
    b = DealFactory(agency=w.agency, client=mine, title="B", stage=Deal.Stage.PROPOSAL_SENT, position=0)
    c = DealFactory(agency=w.agency, client=mine, title="C", stage=Deal.Stage.PROPOSAL_SENT, position=0)
    with scope(agency=w.agency):
        services.deal_move(agency=w.agency, actor=w.am.user, deal=deals["new"], stage=Deal.Stage.PROPOSAL_SENT,
                           before=b)
        order = list(Deal.objects.filter(agency=w.agency, stage=Deal.Stage.PROPOSAL_SENT).order_by(
            "position", "-created_at").values_list("title", flat=True))
        assert order == [c.title, deals["new"].title, b.title, a.title]
        services.deal_move(agency=w.agency, actor=w.am.user, deal=c, stage=Deal.Stage.PROPOSAL_SENT)  # to the end
        order = list(Deal.objects.filter(agency=w.agency, stage=Deal.Stage.PROPOSAL_SENT).order_by(
            "position", "-created_at").values_list("title", flat=True))
        assert order == [deals["new"].title, b.title, a.title, c.title]


def test_service_refuses_past_close_date_and_unknown_service_lines(alice_world, book):
    mine, _other, _deals = book
    w = alice_world
    with scope(agency=w.agency):
        with pytest.raises(ServiceError) as err:
            services.deal_create(agency=w.agency, actor=w.am.user, data={
                "client": mine, "title": "x", "expected_close_date": timezone.localdate() - timedelta(days=3)})
        assert err.value.field == "expected_close_date"
        with pytest.raises(ServiceError):
            services.deal_create(agency=w.agency, actor=w.am.user, data={
                "client": mine, "title": "x", "service_lines": ["astrology"]})


# --- kanban --------------------------------------------------------------------------------------------------------

def test_board_shows_columns_with_sql_totals_and_only_visible_deals(alice_world, book):
    http = login(alice_world.am)
    response = http.get("/clients/deals/")
    page = response.content.decode()
    assert "SMM на весну" in page and "Контекст" in page and "Чужая сделка" not in page
    assert number_in(response, 300000) in page and number_in(response, 200000) in page  # column totals
    assert 'draggable="true"' in page and 'name="stage"' in page  # drag and drop, and the no-JS select
    director = login(alice_world.director).get("/clients/deals/").content.decode()
    assert "Чужая сделка" in director


def test_board_move_without_js_redirects_and_with_htmx_returns_the_board(alice_world, book):
    _mine, _other, deals = book
    http = login(alice_world.am)
    response = http.post(f"/clients/deals/{deals['new'].pk}/move/", {"stage": "brief_received",
                                                                     "next": "/clients/deals/"})
    assert response.status_code == 302 and response["Location"] == "/clients/deals/"
    assert _deal(deals["new"].pk).stage == Deal.Stage.BRIEF_RECEIVED
    response = http.post(f"/clients/deals/{deals['new'].pk}/move/?kind=new_business",
                         {"stage": "won", "before": ""}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="board")
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="board"') and "SMM на весну" in body
    assert "Контекст" not in body  # the kind filter of the page stays applied to the re-rendered board
    assert _deal(deals["new"].pk).closed_at is not None


def test_move_to_lost_without_reason_is_a_clear_4xx(alice_world, book):
    _mine, _other, deals = book
    http = login(alice_world.am)
    page = http.post(f"/clients/deals/{deals['nego'].pk}/move/", {"stage": "lost"})
    assert page.status_code == 422 and "Say why the deal was lost" in page.content.decode()
    htmx = http.post(f"/clients/deals/{deals['nego'].pk}/move/", {"stage": "lost"}, HTTP_HX_REQUEST="true")
    assert htmx.status_code == 422 and "Say why the deal was lost" in htmx.content.decode()
    bad_stage = http.post(f"/clients/deals/{deals['nego'].pk}/move/", {"stage": "teleported"})
    assert bad_stage.status_code == 422
    assert _deal(deals["nego"].pk).stage == Deal.Stage.NEGOTIATION
    ok = http.post(f"/clients/deals/{deals['nego'].pk}/move/", {"stage": "lost", "lost_reason": "Цена"})
    assert ok.status_code == 302 and _deal(deals["nego"].pk).lost_reason == "Цена"


def test_am_cannot_reach_deals_of_clients_they_do_not_see(alice_world, book):
    _mine, _other, deals = book
    http = login(alice_world.am)
    assert http.get(f"/clients/deals/{deals['foreign'].pk}/edit/").status_code == 404
    assert http.post(f"/clients/deals/{deals['foreign'].pk}/move/", {"stage": "won"}).status_code == 404
    assert http.get(f"/api/v1/deals/{deals['foreign'].pk}/").status_code == 404


def test_specialist_sees_team_deals_but_cannot_change_them(alice_world, book):
    mine, _other, deals = book
    with scopes_disabled():
        mine.team.add(alice_world.specialist.user)
    http = login(alice_world.specialist)
    board = http.get("/clients/deals/")
    assert board.status_code == 200 and "SMM на весну" in board.content.decode()
    assert 'draggable="true"' not in board.content.decode()
    assert http.get("/clients/deals/new/").status_code == 403
    assert http.post(f"/clients/deals/{deals['new'].pk}/move/", {"stage": "won"}).status_code == 403
    assert http.patch(f"/api/v1/deals/{deals['new'].pk}/", {"stage": "won"},
                      content_type="application/json").status_code == 403


def test_board_and_list_query_counts_are_constant(alice_world, django_assert_max_num_queries):
    w = alice_world
    clients = [ClientFactory(agency=w.agency, owner=w.am.user) for _ in range(12)]
    for i in range(66):
        DealFactory(agency=w.agency, client=clients[i % 12], owner=w.am.user, stage=Deal.Stage.values[i % 6],
                    currency="RUB" if i % 5 else "USD", closed_at=timezone.now() if i % 6 >= 4 else None)
    for member in (w.director, w.am):
        http = login(member)
        with django_assert_max_num_queries(10):
            response = http.get("/clients/deals/")
        assert response.status_code == 200 and response.content.decode().count('class="mrm-deal ') == 66
        with django_assert_max_num_queries(13):  # + pipelines, stages, two forecasts, custom fields, saved views
            response = http.get("/clients/deals/list/?sort=-amount")
        assert response.status_code == 200 and "66" in response.content.decode()


# --- list, forms ---------------------------------------------------------------------------------------------------

def test_list_filters_and_sorts_in_the_url(alice_world, book):
    mine, _other, _deals = book
    http = login(alice_world.director)
    page = http.get("/clients/deals/list/?kind=upsell").content.decode()
    assert "Контекст" in page and "SMM на весну" not in page
    page = http.get(f"/clients/deals/list/?client={mine.pk}&sort=-amount").content.decode()
    assert page.index("SMM на весну") < page.index("Контекст") and "Чужая сделка" not in page
    page = http.get(f"/clients/deals/list/?owner={alice_world.am2.user.uuid}").content.decode()
    assert "Чужая сделка" in page and "Контекст" not in page
    assert http.get("/clients/deals/list/?sort=drop table&stage=nope&client=xyz").status_code == 200


def test_create_and_edit_deal_through_the_form(alice_world, book):
    mine, _other, _deals = book
    http = login(alice_world.am)
    form = http.get(f"/clients/deals/new/?client={mine.pk}")
    assert form.status_code == 200 and 'value="RUB" selected' in form.content.decode()
    bad = http.post("/clients/deals/new/", {"title": "Ребрендинг", "client": mine.pk, "kind": "cross_sell",
                                            "stage": "lost", "amount": "150000", "currency": "RUB"})
    assert bad.status_code == 422 and "Ребрендинг" in bad.content.decode()  # the input is kept
    assert "Say why the deal was lost" in bad.content.decode()
    negative = http.post("/clients/deals/new/", {"title": "x", "client": mine.pk, "kind": "upsell", "stage": "new",
                                                 "amount": "-5", "currency": "RUB"})
    assert negative.status_code == 422
    ok = http.post("/clients/deals/new/", {"title": "Ребрендинг", "client": mine.pk, "kind": "cross_sell",
                                           "stage": "new", "amount": "150000", "currency": "RUB",
                                           "service_lines": ["creative", "strategy"], "owner": alice_world.am.user.pk,
                                           "next": f"/clients/{mine.pk}/"})
    assert ok.status_code == 302 and ok["Location"] == f"/clients/{mine.pk}/"
    with scopes_disabled():
        deal = Deal.objects.get(title="Ребрендинг")
    assert deal.service_lines == ["creative", "strategy"] and deal.owner == alice_world.am.user
    edit = http.post(f"/clients/deals/{deal.pk}/edit/", {"title": "Ребрендинг 2.0", "client": mine.pk,
                                                          "kind": "cross_sell", "stage": "won", "amount": "180000",
                                                          "currency": "RUB"})
    assert edit.status_code == 302
    deal = _deal(deal.pk)
    assert deal.title == "Ребрендинг 2.0" and deal.closed_at is not None and deal.amount == Decimal("180000")


def test_client_page_shows_the_deals_block(alice_world, book):
    mine, _other, _deals = book
    page = login(alice_world.am).get(f"/clients/{mine.pk}/").content.decode()
    assert 'id="section-deals"' in page and "SMM на весну" in page and "Чужая сделка" not in page
    empty = ClientFactory(agency=alice_world.agency, owner=alice_world.am.user)
    page = login(alice_world.am).get(f"/clients/{empty.pk}/").content.decode()
    assert "No deals with this client" in page


# --- API -------------------------------------------------------------------------------------------------------------

def test_api_lists_filters_creates_and_moves_deals(alice_world, book):
    mine, _other, deals = book
    http = login(alice_world.am)
    listed = http.get("/api/v1/deals/").json()
    assert {d["title"] for d in listed["results"]} == {"SMM на весну", "Контекст"}
    assert [d["title"] for d in http.get("/api/v1/deals/?stage=negotiation").json()["results"]] == ["Контекст"]
    assert http.get("/api/v1/deals/?is_open=false").json()["count"] == 0
    created = http.post("/api/v1/deals/", {"client": str(mine.pk), "title": "Через API", "amount": "1000",
                                           "kind": "renewal", "service_lines": ["seo"]},
                        content_type="application/json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["currency"] == "RUB" and body["owner"] == alice_world.am.user.email and body["service_lines"] == ["seo"]
    url = f"/api/v1/deals/{deals['nego'].pk}/"
    refused = http.patch(url, {"stage": "lost"}, content_type="application/json")
    assert refused.status_code == 400 and "lost_reason" in refused.json()
    lost = http.patch(url, {"stage": "lost", "lost_reason": "Бюджет заморожен"}, content_type="application/json")
    assert lost.status_code == 200 and lost.json()["closed_at"] is not None
    reopened = http.patch(url, {"stage": "new"}, content_type="application/json").json()
    assert reopened["closed_at"] is None and reopened["lost_reason"] == ""
    foreign_client = http.post("/api/v1/deals/", {"client": str(book[1].pk), "title": "x"},
                               content_type="application/json")
    assert foreign_client.status_code == 400 and "client" in foreign_client.json()
    bad_lines = http.post("/api/v1/deals/", {"client": str(mine.pk), "title": "x", "service_lines": ["magic"]},
                          content_type="application/json")
    assert bad_lines.status_code == 400
