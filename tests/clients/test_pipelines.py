"""Pipelines per agency: editable stages with probabilities, the weighted forecast, the board per pipeline,
the settings page, the API, and the fences (another agency's pipelines and stages)."""
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django_scopes import scope, scopes_disabled

from clients.models import Client, ClientStatusChange, Deal, Pipeline, PipelineStage
from clients.selectors.deals import BOARD_CARDS_PER_COLUMN
from clients.selectors.pipelines import forecast_by_month, forecast_by_stage
from clients.services import deals as deal_services
from clients.services import pipelines as services
from mrm.core.errors import ServiceError
from tests.conftest import login
from tests.factories import ClientFactory, DealFactory, PipelineFactory, default_stage


def _stages(pipeline):
    with scopes_disabled():
        return {s.code: s for s in PipelineStage.objects.filter(pipeline=pipeline).order_by("-order")}


@pytest.fixture
def upsell(alice_world):
    with scope(agency=alice_world.agency):
        return services.pipeline_create(agency=alice_world.agency, actor=alice_world.director.user,
                                        name="Допродажи", kind=Pipeline.Kind.UPSELL)


# --- services -------------------------------------------------------------------------------------------------------

def test_default_pipeline_has_todays_stages_with_probabilities(alice_world):
    with scope(agency=alice_world.agency):
        pipeline = services.pipeline_ensure_default(agency=alice_world.agency)
        assert services.pipeline_ensure_default(agency=alice_world.agency) == pipeline  # once
        stages = list(pipeline.stages.order_by("order"))
    assert [s.code for s in stages] == list(Deal.Stage.values)
    assert [s.probability for s in stages] == [10, 25, 50, 75, 100, 0]
    assert [s.semantic for s in stages][-2:] == ["won", "lost"] and stages[0].semantic == "open"


def test_new_stage_goes_before_won_and_lost_and_probability_is_checked(alice_world, upsell):
    w = alice_world
    with scope(agency=w.agency):
        stage = services.stage_create(agency=w.agency, actor=w.director.user, pipeline=upsell,
                                      data={"name": "Пилот", "probability": 60, "code": "negotiation"})
        codes = list(upsell.stages.order_by("order").values_list("name", flat=True))
        assert codes.index("Пилот") == 4 and len(codes) == 7
        with pytest.raises(ServiceError, match="от 0 до 100"):
            services.stage_update(agency=w.agency, actor=w.director.user, stage=stage, data={"probability": 140})
        with pytest.raises(ServiceError, match="Новый этап — открытый"):
            services.stage_create(agency=w.agency, actor=w.director.user, pipeline=upsell,
                                  data={"name": "Ещё выигрыш", "code": "won"})
        services.stage_move(agency=w.agency, actor=w.director.user, stage=stage, direction=-1)
        assert list(upsell.stages.order_by("order").values_list("name", flat=True)).index("Пилот") == 3
        won = upsell.stages.get(code="won")
        with pytest.raises(ServiceError):
            services.stage_update(agency=w.agency, actor=w.director.user, stage=won, data={"is_archived": True})


def test_a_stage_with_deals_is_not_deleted_but_can_be_archived(alice_world):
    w = alice_world
    deal = DealFactory(client=ClientFactory(agency=w.agency), stage="brief_received")
    with scope(agency=w.agency):
        stage = deal.pipeline_stage
        with pytest.raises(ServiceError, match="сначала перенесите их на другой этап"):
            services.stage_delete(agency=w.agency, actor=w.director.user, stage=stage)
        services.stage_update(agency=w.agency, actor=w.director.user, stage=stage, data={"is_archived": True})
        with pytest.raises(ServiceError, match="в архиве: выберите действующий этап"):
            deal_services.deal_move(agency=w.agency, actor=w.am.user, deal=DealFactory(
                client=deal.client, stage="new"), stage=stage)
        deal_services.deal_move(agency=w.agency, actor=w.am.user, deal=deal, stage="new")
        services.stage_delete(agency=w.agency, actor=w.director.user, stage=stage)
        assert not PipelineStage.objects.filter(pk=stage.pk).exists()


def test_deal_in_upsell_pipeline_and_stage_must_belong_to_the_pipeline(alice_world, upsell):
    w = alice_world
    client = ClientFactory(agency=w.agency)
    up = _stages(upsell)
    with scope(agency=w.agency):
        deal = deal_services.deal_create(agency=w.agency, actor=w.am.user, data={
            "client": client, "title": "SMM", "pipeline": upsell, "amount": Decimal("1000")})
        assert deal.pipeline_stage == up["new"] and deal.kind == Deal.Kind.UPSELL and deal.stage == "new"
        deal_services.deal_move(agency=w.agency, actor=w.am.user, deal=deal, stage="proposal_sent")
        deal.refresh_from_db()
        assert deal.pipeline_stage == up["proposal_sent"]  # a code moves within the deal's own pipeline
        default_new = default_stage(w.agency, "new")
        with pytest.raises(ServiceError, match="Этап из другой воронки"):
            deal_services.deal_update(agency=w.agency, actor=w.am.user, deal=deal,
                                      data={"pipeline": upsell, "pipeline_stage": default_new})
        with pytest.raises(ServiceError):
            deal_services.deal_move(agency=w.agency, actor=w.am.user, deal=deal, stage=default_new)
        deal = deal_services.deal_update(agency=w.agency, actor=w.am.user, deal=deal,
                                         data={"pipeline_stage": default_new})
        assert deal.pipeline_stage == default_new and deal.stage == "new"


def test_winning_a_deal_moves_a_lead_to_onboarding_with_a_history_row(alice_world):
    w = alice_world
    client = ClientFactory(agency=w.agency, status=Client.Status.LEAD)
    deal = DealFactory(client=client, stage="negotiation")
    with scope(agency=w.agency):
        deal_services.deal_move(agency=w.agency, actor=w.am.user, deal=deal, stage=default_stage(w.agency, "won"))
        client.refresh_from_db()
        assert client.status == Client.Status.ONBOARDING
        assert ClientStatusChange.objects.filter(client=client, from_status="lead", to_status="onboarding").exists()


def test_stage_code_change_follows_to_the_deals(alice_world):
    w = alice_world
    deal = DealFactory(client=ClientFactory(agency=w.agency), stage="new")
    with scope(agency=w.agency):
        services.stage_update(agency=w.agency, actor=w.director.user, stage=deal.pipeline_stage,
                              data={"code": "brief_received"})
        deal.refresh_from_db()
        assert deal.stage == "brief_received"


# --- forecast arithmetic --------------------------------------------------------------------------------------------

def test_weighted_forecast_per_stage_and_month(alice_world):
    w = alice_world
    client = ClientFactory(agency=w.agency)
    month = (timezone_today() + timedelta(days=40)).replace(day=10)
    DealFactory(client=client, stage="new", amount=Decimal("100000"), expected_close_date=month)  # 10 %
    DealFactory(client=client, stage="proposal_sent", amount=Decimal("200000"), expected_close_date=month)  # 50 %
    DealFactory(client=client, stage="proposal_sent", amount=Decimal("33333.33"))  # 50 %, no date
    DealFactory(client=client, stage="won", amount=Decimal("999"))
    with scope(agency=w.agency):
        qs = Deal.objects.filter(agency=w.agency)
        by_stage = {r.label.split(" · ")[1]: r for r in forecast_by_stage(qs)}
        by_month = forecast_by_month(qs)
    assert by_stage["Новая"].weighted == Decimal("10000.00") and by_stage["Новая"].probability == 10
    assert by_stage["КП отправлено"].total == Decimal("233333.33")
    assert by_stage["КП отправлено"].weighted == Decimal("116666.67")  # (200000 + 33333.33) × 0.5, in SQL
    assert by_stage["Выиграна"].weighted == Decimal("999.00")
    assert [(r.label.month if r.label else None, r.count, r.weighted) for r in by_month] == [
        (month.month, 2, Decimal("110000.00")), (None, 1, Decimal("16666.67"))]  # open deals only


def timezone_today():
    from django.utils import timezone

    return timezone.localdate()


# --- views ----------------------------------------------------------------------------------------------------------

def test_board_switches_pipelines_and_shows_weighted_sums(alice_world, upsell):
    w = alice_world
    client = ClientFactory(agency=w.agency, owner=w.am.user)
    DealFactory(client=client, title="Основная сделка", stage="negotiation", amount=Decimal("100000"))
    up = _stages(upsell)
    DealFactory(client=client, title="Допродажа SEO", stage="proposal_sent", pipeline_stage=up["proposal_sent"],
                amount=Decimal("300000"))
    http = login(w.am)
    board = http.get("/clients/deals/").content.decode()
    assert "Основная сделка" in board and "Допродажа SEO" not in board
    assert 'id="pipeline-switcher"' in board and f"pipeline={upsell.pk}" in board
    assert "75\u202f000" in board  # 100 000 × 75 %
    other = http.get(f"/clients/deals/?pipeline={upsell.pk}").content.decode()
    assert "Допродажа SEO" in other and "Основная сделка" not in other
    assert "150\u202f000" in other  # 300 000 × 50 %
    assert f'data-stage="{up["proposal_sent"].pk}"' in other and 'data-code="lost"' in other
    assert "grid-template-columns: repeat(4, minmax(8.25rem, 1fr)) repeat(2, minmax(6.75rem, .7fr))" in other


def test_board_of_two_pipelines_is_small_and_constant_in_queries(alice_world, upsell, django_assert_max_num_queries):
    w = alice_world
    clients = [ClientFactory(agency=w.agency, owner=w.am.user) for _ in range(5)]
    up = _stages(upsell)
    for i in range(120):
        DealFactory(client=clients[i % 5], stage=Deal.Stage.values[i % 4])
        DealFactory(client=clients[i % 5], stage="new", pipeline_stage=up[Deal.Stage.values[i % 4]])
    http = login(w.am)
    for url in ("/clients/deals/", f"/clients/deals/?pipeline={upsell.pk}"):
        with django_assert_max_num_queries(10):
            response = http.get(url)
        assert response.status_code == 200 and len(response.content) < 150 * 1024
        body = response.content.decode()
        first = BOARD_CARDS_PER_COLUMN  # in each of the 4 open columns (30 deals each), the rest lazily
        assert body.count('class="mrm-deal ') == 4 * first
        loader = re.search(rf'hx-get="(/clients/deals/\?[^"]*column=[0-9a-f-]{{36}}&amp;offset={first})"', body)
        assert loader
        chunk = http.get(loader.group(1).replace("&amp;", "&"), HTTP_HX_REQUEST="true")
        assert chunk.status_code == 200 and chunk.content.decode().count('class="mrm-deal ') == min(first, 30 - first)
    with django_assert_max_num_queries(13):  # the deal list: + custom fields and saved views
        assert http.get(f"/clients/deals/list/?pipeline={upsell.pk}").status_code == 200


def test_list_filters_by_pipeline_and_stage_and_shows_the_forecast(alice_world, upsell):
    w = alice_world
    client = ClientFactory(agency=w.agency, owner=w.am.user)
    DealFactory(client=client, title="Альфа-сделка", stage="negotiation", amount=Decimal("100000"))
    up = _stages(upsell)
    DealFactory(client=client, title="Допродажа", stage="new", pipeline_stage=up["new"], amount=Decimal("50000"))
    http = login(w.am)
    page = http.get(f"/clients/deals/list/?pipeline={upsell.pk}").content.decode()
    assert "Допродажа" in page and "Альфа-сделка" not in page and 'id="forecast-stages"' in page
    assert "5\u202f000" in page  # 50 000 × 10 % (the standard "new" probability)
    page = http.get(f"/clients/deals/list/?stage_id={default_stage(w.agency, 'negotiation').pk}").content.decode()
    assert "Альфа-сделка" in page and "Допродажа" not in page and "75\u202f000" in page


def test_move_by_stage_id_and_foreign_or_mismatched_stage(alice_world, bob_world, upsell):
    w = alice_world
    deal = DealFactory(client=ClientFactory(agency=w.agency, owner=w.am.user), stage="new")
    http = login(w.am)
    target = default_stage(w.agency, "proposal_sent")
    response = http.post(f"/clients/deals/{deal.pk}/move/", {"stage": str(target.pk)}, HTTP_HX_REQUEST="true",
                         HTTP_HX_TARGET="board")
    assert response.status_code == 200
    with scopes_disabled():
        deal.refresh_from_db()
    assert deal.pipeline_stage_id == target.pk and deal.stage == "proposal_sent"
    foreign = default_stage(bob_world.agency, "won")
    assert http.post(f"/clients/deals/{deal.pk}/move/", {"stage": str(foreign.pk)}).status_code == 422
    other_pipeline = _stages(upsell)["won"]
    bad = http.post(f"/clients/deals/{deal.pk}/move/", {"stage": str(other_pipeline.pk)})
    assert bad.status_code == 422 and "Выберите этап воронки этой сделки." in bad.content.decode()
    assert http.get(f"/clients/deals/?pipeline={default_stage(bob_world.agency, 'new').pipeline_id}").status_code == 404


def test_deal_form_refuses_a_stage_of_another_pipeline(alice_world, upsell):
    w = alice_world
    client = ClientFactory(agency=w.agency, owner=w.am.user)
    http = login(w.am)
    form = http.get(f"/clients/deals/new/?pipeline={upsell.pk}").content.decode()
    assert f'<option value="{_stages(upsell)["new"].pk}" selected' in form
    data = {"title": "Тендер", "client": client.pk, "kind": "new_business", "amount": "1000", "currency": "RUB",
            "pipeline": upsell.pk, "pipeline_stage": default_stage(w.agency, "new").pk}
    bad = http.post("/clients/deals/new/", data)
    assert bad.status_code == 422 and "Выберите этап воронки «" in bad.content.decode()
    ok = http.post("/clients/deals/new/", {**data, "pipeline_stage": _stages(upsell)["brief_received"].pk})
    assert ok.status_code == 302
    with scopes_disabled():
        assert Deal.objects.get(title="Тендер").pipeline_stage == _stages(upsell)["brief_received"]


def test_settings_page_edits_stages_and_refuses_deleting_one_with_deals(alice_world):
    w = alice_world
    DealFactory(client=ClientFactory(agency=w.agency), stage="brief_received")
    http = login(w.director)
    assert login(w.am).get("/clients/settings/pipelines/").status_code == 403
    page = http.get("/clients/settings/pipelines/")
    assert page.status_code == 200 and "Бриф получен" in page.content.decode()
    stage = default_stage(w.agency, "brief_received")
    prefix = str(stage.pk)
    saved = http.post(f"/clients/settings/stages/{stage.pk}/", {
        "action": "save", f"{prefix}-name": "Бриф у нас", f"{prefix}-probability": "30",
        f"{prefix}-code": "brief_received"})
    assert saved.status_code == 302
    with scopes_disabled():
        stage.refresh_from_db()
    assert stage.name == "Бриф у нас" and stage.probability == 30
    bad = http.post(f"/clients/settings/stages/{stage.pk}/", {
        "action": "save", f"{prefix}-name": "x", f"{prefix}-probability": "101", f"{prefix}-code": "new"})
    assert bad.status_code == 422
    refused = http.post(f"/clients/settings/stages/{stage.pk}/", {"action": "delete"})
    assert refused.status_code == 422 and "сначала перенесите их на другой этап" in refused.content.decode()
    added = http.post(f"/clients/settings/pipelines/{stage.pipeline_id}/stages/new/", {
        "new-name": "Пилот", "new-probability": "60", "new-code": "negotiation"})
    assert added.status_code == 302
    created = http.post("/clients/settings/pipelines/new/", {"pipeline-name": "Тендеры", "pipeline-kind": "tender"})
    assert created.status_code == 302
    duplicate = http.post("/clients/settings/pipelines/new/", {"pipeline-name": "тендеры", "pipeline-kind": "tender"})
    assert duplicate.status_code == 422 and "Воронка с таким названием уже есть." in duplicate.content.decode()
    with scopes_disabled():
        tenders = Pipeline.objects.get(agency=w.agency, name="Тендеры")
        assert tenders.stages.count() == 6 and tenders.kind == "tender"


def test_settings_routes_answer_404_for_another_agencys_pipeline(alice_world, bob_world):
    http = login(alice_world.director)
    stage = default_stage(bob_world.agency, "new")
    assert http.get(f"/clients/settings/pipelines/?pipeline={stage.pipeline_id}").status_code == 404
    assert http.get("/clients/settings/pipelines/?pipeline=nope").status_code == 404
    assert http.post(f"/clients/settings/stages/{stage.pk}/", {"action": "delete"}).status_code == 404
    assert http.post(f"/clients/settings/pipelines/{stage.pipeline_id}/stages/new/",
                     {"new-name": "x", "new-probability": "5", "new-code": "new"}).status_code == 404
    with scopes_disabled():
        assert PipelineStage.objects.filter(pk=stage.pk).exists()


# --- API ------------------------------------------------------------------------------------------------------------

def test_api_deal_pipeline_and_stage(alice_world, bob_world, upsell):
    w = alice_world
    client = ClientFactory(agency=w.agency, owner=w.am.user)
    http = login(w.am)
    up = _stages(upsell)
    body = {"client": str(client.pk), "title": "API", "amount": "1000", "pipeline": str(upsell.pk)}
    created = http.post("/api/v1/deals/", {**body, "stage": "brief_received"}, content_type="application/json")
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["pipeline"] == str(upsell.pk) and data["pipeline_stage"] == str(up["brief_received"].pk)
    assert data["probability"] == 25 and data["kind"] == "upsell"
    mismatch = http.post("/api/v1/deals/", {**body, "pipeline_stage": str(default_stage(w.agency, "new").pk)},
                         content_type="application/json")
    assert mismatch.status_code == 400 and "pipeline_stage" in mismatch.json()
    foreign = http.post("/api/v1/deals/", {**body, "pipeline": None,
                                           "pipeline_stage": str(default_stage(bob_world.agency, "new").pk)},
                        content_type="application/json")
    assert foreign.status_code == 400 and "pipeline_stage" in foreign.json()
    moved = http.patch(f"/api/v1/deals/{data['id']}/", {"pipeline_stage": str(up["won"].pk)},
                       content_type="application/json")
    assert moved.status_code == 200 and moved.json()["stage"] == "won" and moved.json()["closed_at"]
    listed = http.get(f"/api/v1/deals/?pipeline={upsell.pk}").json()
    assert [d["id"] for d in listed["results"]] == [data["id"]]
    pipelines = http.get("/api/v1/pipelines/").json()
    names = [p["name"] for p in pipelines["results"]]
    assert names[1:] == ["Допродажи"] and len(pipelines["results"][0]["stages"]) == 6
    assert http.get(f"/api/v1/pipelines/{default_stage(bob_world.agency, 'new').pipeline_id}/").status_code == 404


def test_factory_pipeline_helper(alice_world):
    pipeline = PipelineFactory(agency=alice_world.agency)
    with scopes_disabled():
        assert pipeline.stages.count() == 6
