"""The deal page (header, stage history with the time in each stage, КП and versions, tasks, timeline,
invoices) and the rule that winning a lead's deal moves the client to onboarding."""
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from clients.models import Client, ClientStatusChange, Deal, DealStageChange, OnboardingPlan
from clients.selectors.deal_page import stage_spans, stage_totals
from clients.services import deals as services
from tests.conftest import login
from tests.factories import (
    ClientFactory,
    DealFactory,
    InteractionFactory,
    InvoiceFactory,
    ProposalFactory,
    ProposalVersionFactory,
    TaskFactory,
)

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def _row(stage: str, at: datetime):
    return SimpleNamespace(to_stage=stage, changed_at=at)


# --- the pure stage-history function ---------------------------------------------------------------------------------

def test_stage_spans_first_from_creation_last_open_until_now():
    rows = [_row("new", T0 + timedelta(hours=2)), _row("proposal_sent", T0 + timedelta(days=3)),
            _row("negotiation", T0 + timedelta(days=5, hours=6))]
    now = T0 + timedelta(days=10)
    spans = stage_spans(rows, created_at=T0, now=now)
    assert [s.stage for s in spans] == ["new", "proposal_sent", "negotiation"]
    assert spans[0].started_at == T0  # the first stay counts from the deal's creation, not from its row
    assert [s.duration for s in spans] == [timedelta(days=3), timedelta(days=2, hours=6),
                                           timedelta(days=4, hours=18)]
    assert spans[-1].ended_at is None and spans[-1].is_current and not spans[0].is_current
    assert sum((s.duration for s in spans), timedelta(0)) == now - T0


def test_stage_spans_sort_rows_clamp_skew_and_cover_deals_without_history():
    rows = [_row("won", T0 + timedelta(days=2)), _row("new", T0)]
    spans = stage_spans(rows, created_at=T0, now=T0 + timedelta(days=1))  # "now" before the last row: skew
    assert [s.stage for s in spans] == ["new", "won"]
    assert spans[1].duration == timedelta(0)
    assert stage_spans([], created_at=T0, now=T0 + timedelta(days=4)) == []
    legacy = stage_spans([], created_at=T0, now=T0 + timedelta(days=4), current_stage="negotiation")
    assert [(s.stage, s.duration, s.ended_at) for s in legacy] == [("negotiation", timedelta(days=4), None)]


def test_stage_totals_add_up_repeated_stays_in_pipeline_order():
    rows = [_row("new", T0), _row("negotiation", T0 + timedelta(days=1)), _row("proposal_sent", T0 + timedelta(days=2)),
            _row("negotiation", T0 + timedelta(days=4))]
    totals = stage_totals(stage_spans(rows, created_at=T0, now=T0 + timedelta(days=8)))
    assert [(t.stage, t.duration, t.visits) for t in totals] == [
        ("new", timedelta(days=1), 1), ("proposal_sent", timedelta(days=2), 1), ("negotiation", timedelta(days=5), 2)]
    assert sum(t.share for t in totals) == pytest.approx(100)


# --- the page --------------------------------------------------------------------------------------------------------

@pytest.fixture
def deal_world(alice_world):
    w = alice_world
    client = ClientFactory(agency=w.agency, name="Северный бренд", owner=w.am.user)
    deal = DealFactory(agency=w.agency, client=client, title="SMM на год", amount=900000, owner=w.am.user,
                       stage=Deal.Stage.NEGOTIATION, kind=Deal.Kind.UPSELL)
    with scopes_disabled():
        Deal.objects.filter(pk=deal.pk).update(created_at=T0)
        for stage, days in (("new", 0), ("proposal_sent", 2), ("negotiation", 5)):
            DealStageChange.objects.create(agency=w.agency, deal=deal, to_stage=stage, changed_at=T0 + timedelta(days=days),
                                           actor=w.am.user)
        deal.refresh_from_db()
    return w, client, deal


def _fill(w, client, deal, n: int):
    for i in range(n):
        proposal = ProposalFactory(agency=w.agency, client=client, deal=deal, title=f"КП {i}", owner=w.am.user)
        for number in (1, 2):
            ProposalVersionFactory(agency=w.agency, proposal=proposal, number=number, total=100000 * number,
                                   sent_by=w.am.user)
        TaskFactory(agency=w.agency, client=client, deal=deal, title=f"Задача {i}", assignee=w.am.user)
        InteractionFactory(agency=w.agency, client=client, deal=deal, subject=f"Встреча {i}", author=w.am.user)
        InvoiceFactory(agency=w.agency, client=client, deal=deal)


def test_deal_page_shows_header_history_proposals_tasks_timeline(deal_world):
    w, client, deal = deal_world
    _fill(w, client, deal, 2)
    other = DealFactory(agency=w.agency, client=client, title="Другая сделка")
    TaskFactory(agency=w.agency, client=client, deal=other, title="Чужая задача")
    InteractionFactory(agency=w.agency, client=client, subject="Без сделки")
    response = login(w.am).get(reverse("clients:deal_detail", args=[deal.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "SMM на год" in page and reverse("clients:detail", args=[client.pk]) in page
    assert 'id="deal-stage"' in page and "mrm-stage-negotiation" in page
    assert reverse("clients:deal_edit", args=[deal.pk]) in page
    assert page.count('data-version="') == 4 and "КП 0" in page and "КП 1" in page
    assert "Задача 1" in page and "Чужая задача" not in page
    assert "Встреча 0" in page and "Без сделки" not in page
    assert 'id="section-invoices"' in page
    history = response.context["spans"]  # newest first on the page
    assert [s.stage for s in history] == ["negotiation", "proposal_sent", "new"]
    assert history[1].duration == timedelta(days=3) and history[0].is_current
    assert page.count('data-stage="negotiation"') >= 1


def test_deal_page_falls_back_to_the_clients_recent_interactions(deal_world):
    w, client, deal = deal_world
    InteractionFactory(agency=w.agency, client=client, subject="Общий созвон")
    page = login(w.director).get(reverse("clients:deal_detail", args=[deal.pk])).content.decode()
    assert "Общий созвон" in page


def test_deal_page_query_count_is_constant(deal_world, django_assert_max_num_queries):
    w, client, deal = deal_world
    http = login(w.am)
    url = reverse("clients:deal_detail", args=[deal.pk])
    _fill(w, client, deal, 1)
    with django_assert_max_num_queries(25) as few:
        assert http.get(url).status_code == 200
    _fill(w, client, deal, 6)
    with scopes_disabled():
        for days in range(6, 12):
            DealStageChange.objects.create(agency=w.agency, deal=deal, to_stage="negotiation",
                                           changed_at=T0 + timedelta(days=days))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = http.get(url)
    assert response.status_code == 200 and response.content.decode().count('data-version="') == 14


def test_deal_page_respects_visibility_and_tenants(deal_world, bob_world):
    w, client, deal = deal_world
    url = reverse("clients:deal_detail", args=[deal.pk])
    assert login(w.am2).get(url).status_code == 404  # another AM's client
    assert login(bob_world.director).get(url).status_code == 404  # another agency
    assert login(w.specialist).get(url).status_code == 404  # not on the client's team
    with scopes_disabled():
        client.team.add(w.specialist.user)
    specialist = login(w.specialist).get(url)  # policy deal.view: staff may look, not edit
    assert specialist.status_code == 200
    assert reverse("clients:deal_edit", args=[deal.pk]) not in specialist.content.decode()
    assert login(w.client_contact).get(url).status_code in (302, 403)  # a portal login is not staff


def test_board_card_and_list_row_open_the_deal_page(deal_world):
    w, _client, deal = deal_world
    http = login(w.am)
    url = reverse("clients:deal_detail", args=[deal.pk])
    assert url in http.get(reverse("clients:deal_board")).content.decode()
    assert url in http.get(reverse("clients:deal_list")).content.decode()


def test_edit_from_the_deal_page_returns_to_it(deal_world):
    w, client, deal = deal_world
    url = reverse("clients:deal_detail", args=[deal.pk])
    response = login(w.am).post(reverse("clients:deal_edit", args=[deal.pk]) + f"?next={url}", {
        "title": "SMM на два года", "client": client.pk, "kind": "upsell", "stage": "negotiation",
        "amount": "900000", "currency": "RUB", "owner": w.am.user.pk})
    assert response.status_code == 302 and response["Location"] == url


# --- winning a lead's deal -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("how", ["move", "update"])
def test_winning_a_deal_moves_a_lead_client_to_onboarding(alice_world, how):
    w = alice_world
    lead = ClientFactory(agency=w.agency, owner=w.am.user, status=Client.Status.LEAD)
    deal = DealFactory(agency=w.agency, client=lead, stage=Deal.Stage.NEGOTIATION, owner=w.am.user)
    with scope(agency=w.agency):
        if how == "move":
            services.deal_move(agency=w.agency, actor=w.am.user, deal=deal, stage=Deal.Stage.WON)
        else:
            services.deal_update(agency=w.agency, actor=w.am.user, deal=deal, data={"stage": Deal.Stage.WON})
    with scopes_disabled():
        lead.refresh_from_db()
        assert lead.status == Client.Status.ONBOARDING
        change = ClientStatusChange.objects.get(client=lead, to_status=Client.Status.ONBOARDING)
        assert change.from_status == Client.Status.LEAD and change.actor == w.am.user
        assert OnboardingPlan.objects.filter(client=lead).exists()  # the onboarding hook ran


def test_winning_leaves_other_statuses_and_other_stages_alone(alice_world):
    w = alice_world
    paused = ClientFactory(agency=w.agency, owner=w.am.user, status=Client.Status.PAUSED)
    lead = ClientFactory(agency=w.agency, owner=w.am.user, status=Client.Status.LEAD)
    won_paused = DealFactory(agency=w.agency, client=paused, stage=Deal.Stage.NEGOTIATION)
    lead_deal = DealFactory(agency=w.agency, client=lead, stage=Deal.Stage.NEW)
    with scope(agency=w.agency):
        services.deal_move(agency=w.agency, actor=w.am.user, deal=won_paused, stage=Deal.Stage.WON)
        services.deal_move(agency=w.agency, actor=w.am.user, deal=lead_deal, stage=Deal.Stage.NEGOTIATION)
        services.deal_move(agency=w.agency, actor=w.am.user, deal=lead_deal, stage=Deal.Stage.LOST,
                           lost_reason="Дорого")
    with scopes_disabled():
        assert Client.objects.get(pk=paused.pk).status == Client.Status.PAUSED
        assert Client.objects.get(pk=lead.pk).status == Client.Status.LEAD
        assert not ClientStatusChange.objects.filter(client__in=[paused, lead]).exists()


def test_accepting_a_proposal_on_the_public_page_also_onboards_the_lead(alice_world):
    """The public acceptance moves the deal with no actor: the client still becomes onboarding."""
    w = alice_world
    lead = ClientFactory(agency=w.agency, status=Client.Status.LEAD)
    deal = DealFactory(agency=w.agency, client=lead, stage=Deal.Stage.PROPOSAL_SENT)
    with scope(agency=w.agency):
        services.deal_move(agency=w.agency, actor=None, deal=deal, stage=Deal.Stage.WON)
    with scopes_disabled():
        assert Client.objects.get(pk=lead.pk).status == Client.Status.ONBOARDING
        assert timezone.now() - ClientStatusChange.objects.get(client=lead).changed_at < timedelta(minutes=1)
