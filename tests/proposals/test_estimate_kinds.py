"""Estimates the way agencies sell: line kinds from the catalog, billing periods, options the client switches on
(personal link and portal), the recorded choice, the hand-off, the API and the agency's VAT setting."""
from decimal import Decimal

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from mrm.core.errors import ServiceError
from proposals.models import Decision, EstimateLine, Proposal, ProposalSettings, Service
from proposals.services import editor
from tests import factories as f
from tests.conftest import login
from tests.money import number_in
from tests.portal.proposals_helpers import draft, portal_person, send
from tests.proposals.test_sending import _recipients, _send, _token

HTMX = {"HTTP_HX_REQUEST": "true"}
D = Decimal


@pytest.fixture
def kinds(alice_world):
    agency = alice_world.agency
    return {
        "media": f.ServiceFactory(agency=agency, discipline="context", name="Бюджет Директа", unit=Service.Unit.MONTH,
                                  price_kind="media", commission_percent=D("12"), roles=[]),
        "fixed": f.ServiceFactory(agency=agency, discipline="web", name="Лендинг", price_kind="fixed",
                                  price=D("90000"), roles=[]),
        "pieces": f.ServiceFactory(agency=agency, discipline="creative", name="Баннеры", price_kind="quantity",
                                   price=D("5000"), unit=Service.Unit.PIECE, roles=[]),
    }


@pytest.fixture
def ready(alice_world, catalog, kinds):
    """A КП: community management monthly for 6 months, a media budget of 100 000 at 12 % for 3 months, a landing
    page, and 4 banners offered to the client as an option."""
    agency, am = alice_world.agency, alice_world.am.user
    client = f.ClientFactory(agency=agency, name="ООО «Ромашка»", owner=am)
    irina = f.ContactFactory(agency=agency, client=client, full_name="Ирина Павлова", email="irina@romashka.example",
                             is_primary=True)
    with scope(agency=agency):
        proposal = editor.proposal_create(agency=agency, actor=am, client=client, title="КП с ретейнером")
        smm = editor.line_add(agency=agency, actor=am, proposal=proposal, service=catalog["services"]["smm"],
                              hours=40, billing="monthly", months=6)
        media = editor.line_add(agency=agency, actor=am, proposal=proposal, service=kinds["media"], budget="100000")
        editor.line_add(agency=agency, actor=am, proposal=proposal, service=kinds["fixed"])
        banners = editor.line_add(agency=agency, actor=am, proposal=proposal, service=kinds["pieces"], quantity=4,
                                  is_optional=True, offered=True)
        editor.section_add(agency=agency, actor=am, proposal=proposal, title="Задача", body="Больше заявок.")
    return {"proposal": proposal, "irina": irina, "client": client, "smm": smm, "media": media, "banners": banners}


def _reload(proposal):
    with scopes_disabled():
        return Proposal.objects.get(pk=proposal.pk)


def test_lines_are_priced_by_their_kind_and_periods_are_totalled_apart(alice_world, ready):
    smm, media, banners = ready["smm"], ready["media"], ready["banners"]
    assert (smm.kind, smm.billing, smm.months, smm.amount, smm.term_amount) == ("time", "monthly", 6, D("112000.00"),
                                                                              D("672000.00"))
    assert (media.kind, media.billing, media.months, media.amount) == ("media", "monthly", 3, D("112000.00"))
    assert media.cost_amount == D("100000.00") and smm.cost_amount == D("52000.00")  # budget passed through
    assert (banners.kind, banners.amount, banners.is_optional, banners.offered) == ("quantity", D("20000.00"),
                                                                                   True, True)
    proposal = _reload(ready["proposal"])
    assert proposal.one_off_total == D("108000.00")  # the landing page × 1.2; the banners are outside
    assert proposal.monthly_total == D("268800.00")  # (112 000 + 112 000) × 1.2
    assert proposal.total == D("1317600.00")  # (90 000 + 672 000 + 336 000) × 1.2


def test_editor_edits_each_kind_in_place_and_refuses_bad_input_with_422(alice_world, ready):
    http = login(alice_world.am)
    url = reverse("proposals:line_update", args=[ready["proposal"].pk, ready["media"].pk])
    response = http.post(url, {"budget": "50000", "commission_percent": "15", "fee": "0", "billing": "monthly",
                               "months": "3", "optional": "0"}, **HTMX)
    assert response.status_code == 200 and 'data-kind="media"' in response.content.decode()
    with scopes_disabled():
        media = EstimateLine.objects.get(pk=ready["media"].pk)
    assert media.amount == D("57500.00")
    http.post(url, {"fee": "9000", "billing": "monthly", "months": "3"}, **HTMX)  # a fixed fee instead
    with scopes_disabled():
        assert EstimateLine.objects.get(pk=media.pk).amount == D("59000.00")
    bad = http.post(url, {"billing": "monthly", "months": "99"}, **HTMX)
    assert bad.status_code == 422 and "60" in bad.content.decode()
    negative = http.post(url, {"budget": "-5"}, **HTMX)
    assert negative.status_code == 422
    with scopes_disabled():
        assert EstimateLine.objects.get(pk=media.pk).amount == D("59000.00")
    one_off = http.post(reverse("proposals:line_update", args=[ready["proposal"].pk, ready["smm"].pk]),
                        {"hours": "40", "billing": "one_off", "role": str(ready["smm"].role_id)}, **HTMX)
    assert one_off.status_code == 200
    assert _reload(ready["proposal"]).monthly_total == D("70800.00")  # only the media budget is monthly now


def test_the_am_offers_or_withdraws_an_option_and_makes_a_line_optional(alice_world, ready):
    http = login(alice_world.am)
    proposal, banners = ready["proposal"], ready["banners"]
    http.post(reverse("proposals:line_offer", args=[proposal.pk, banners.pk]), {"offered": "0"}, **HTMX)
    with scopes_disabled():
        assert not EstimateLine.objects.get(pk=banners.pk).offered
    page = http.get(reverse("proposals:detail", args=[proposal.pk])).content.decode()
    assert reverse("proposals:line_offer", args=[proposal.pk, banners.pk]) in page
    http.post(reverse("proposals:line_update", args=[proposal.pk, ready["media"].pk]),
              {"optional": ["0", "1"]}, **HTMX)
    with scopes_disabled():
        media = EstimateLine.objects.get(pk=ready["media"].pk)
    assert media.is_optional and media.offered
    assert _reload(proposal).monthly_total == D("134400.00")  # the media line left the totals


def test_a_time_line_needs_a_role_of_its_service_and_a_package_needs_its_price(alice_world, catalog, kinds):
    agency = alice_world.agency
    with scope(agency=agency):
        proposal = editor.proposal_create(agency=agency, actor=alice_world.am.user,
                                          client=f.ClientFactory(agency=agency), title="КП")
        with pytest.raises(ServiceError):
            editor.line_add(agency=agency, actor=None, proposal=proposal, service=catalog["services"]["smm"],
                            role=catalog["roles"]["ppc"])
    response = login(alice_world.director).post(reverse("proposals:service_create"), {
        "discipline": "web", "name": "Пакет", "price_kind": "fixed", "price": "", "unit": "hours", "hours_min": "1",
        "hours_max": "2", "order": "0", "is_active": "on"})
    assert response.status_code == 422
    ok = login(alice_world.director).post(reverse("proposals:service_create"), {
        "discipline": "web", "name": "Пакет", "price_kind": "fixed", "price": "45000", "unit": "hours",
        "hours_min": "1", "hours_max": "2", "order": "0", "is_active": "on"})
    assert ok.status_code == 302


def test_the_client_switches_an_option_on_the_link_and_accepts_it(alice_world, ready,
                                                                  django_capture_on_commit_callbacks):
    version = _send(alice_world, ready, django_capture_on_commit_callbacks)
    assert [o["name"] for o in version.snapshot["options"]] == ["Баннеры"]
    assert version.snapshot["totals"]["one_off_total"] == "108000.00"
    (irina,) = _recipients(version)
    token = _token(irina)
    page = HttpClient().get(reverse("proposals_public:webview", args=[token])).content.decode()
    assert f'name="options" value="{ready["banners"].pk}"' in page and 'id="choice-totals"' in page
    options_url = reverse("proposals_public:webview_options", args=[token])
    partial = HttpClient().post(options_url, {"options": [str(ready["banners"].pk), "forged"]}, **HTMX)
    body = partial.content.decode()
    assert partial.status_code == 200 and number_in(partial, 1341600) in body and 'hx-swap-oob="true"' in body
    assert HttpClient().post(reverse("proposals_public:webview_options", args=["forged-token"]), {}).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        response = HttpClient().post(reverse("proposals_public:webview_decide", args=[token]), {
            "decision": "accept", "signed_name": "Ирина Павлова", "accept_terms": "on", "comment": "",
            "version_hash": version.content_hash, "options": [str(ready["banners"].pk)]})
    assert response.status_code == 302
    with scopes_disabled():
        decision = Decision.objects.get(proposal=ready["proposal"])
    assert [o["name"] for o in decision.options] == ["Баннеры"]
    assert decision.accepted_totals["total"] == "1341600.00" and decision.accepted_total == D("1341600.00")
    assert decision.accepted_totals["one_off_total"] == "132000.00"
    staff_page = login(alice_world.am).get(reverse("proposals:detail", args=[ready["proposal"].pk]))
    staff = staff_page.content.decode()
    assert 'id="decision-choice"' in staff and "Баннеры" in staff and number_in(staff_page, 1341600) in staff


def test_the_hand_off_counts_hours_per_role_money_lines_and_only_the_options_switched_on(
        alice_world, ready, django_capture_on_commit_callbacks):
    from projects.services.handoff import handoff_key, project_from_version

    version = _send(alice_world, ready, django_capture_on_commit_callbacks)
    (irina,) = _recipients(version)
    with django_capture_on_commit_callbacks(execute=True):
        HttpClient().post(reverse("proposals_public:webview_decide", args=[_token(irina)]), {
            "decision": "accept", "signed_name": "Ирина Павлова", "accept_terms": "on",
            "version_hash": version.content_hash, "options": [str(ready["banners"].pk)]})
    agency = alice_world.agency
    with scope(agency=agency):
        from projects.models import Project

        project = (Project.objects.filter(agency=agency, proposal=ready["proposal"]).first()
                   or project_from_version(agency=agency, proposal=_reload(ready["proposal"]), version=version,
                                           key=handoff_key(proposal_id=ready["proposal"].pk,
                                                           version_hash=version.content_hash)))
        from projects.models import BudgetLine

        lines = {b.role_name: b for b in BudgetLine.objects.filter(agency=agency, project=project)}
    assert project.kind == Project.Kind.RETAINER
    assert project.budget_amount == D("1118000.00")  # 90 000 + 20 000 + 672 000 + 336 000, net of VAT
    assert project.budget_hours == D("240")  # 40 h × 6 months; the money lines bring no hours
    assert lines["SMM-менеджер"].hours == D("240")
    assert sum((b.amount for b in lines.values()), D("0")) == D("1118000.00")


def test_the_portal_switch_and_acceptance_record_the_option_and_another_company_gets_404(
        alice_world, django_capture_on_commit_callbacks, kinds):
    proposal = draft(alice_world)
    with scope(agency=alice_world.agency):
        option = editor.line_add(agency=alice_world.agency, actor=alice_world.am.user, proposal=proposal,
                                 service=kinds["fixed"], is_optional=True, offered=True)
    version = send(alice_world, proposal, django_capture_on_commit_callbacks)
    http = login(alice_world.client_contact)
    page = http.get(reverse("portal:proposal", args=[proposal.pk])).content.decode()
    assert f'value="{option.pk}"' in page
    partial = http.post(reverse("portal:proposal_options", args=[proposal.pk]), {"options": [str(option.pk)]}, **HTMX)
    assert partial.status_code == 200 and number_in(partial, 141600) in partial.content.decode()  # (28 000 + 90 000) × 1.2
    other = draft(alice_world, client=f.ClientFactory(agency=alice_world.agency), title="Чужое")
    assert http.post(reverse("portal:proposal_options", args=[other.pk]), {}).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        response = http.post(reverse("portal:proposal_decide", args=[proposal.pk]), {
            "decision": "accept", "signed_name": "Клиент Тестовый", "accept_terms": "on", "comment": "",
            "version_hash": version.content_hash, "options": [str(option.pk)]})
    assert response.status_code == 302
    with scopes_disabled():
        decision = Decision.objects.get(proposal=proposal)
    assert decision.contact == portal_person(alice_world) and decision.options[0]["key"] == str(option.pk)
    assert decision.accepted_total == D("141600.00")


def test_the_portal_switch_of_another_agency_answers_404(alice_world, bob_world, django_capture_on_commit_callbacks):
    proposal = draft(alice_world)
    send(alice_world, proposal, django_capture_on_commit_callbacks)
    response = login(bob_world.client_contact).post(reverse("portal:proposal_options", args=[proposal.pk]), {})
    assert response.status_code == 404


def test_api_lines_of_every_kind_and_totals_by_period(alice_world, ready):
    http = login(alice_world.am)
    detail = http.get(f"/api/v1/proposals/{ready['proposal'].pk}/").json()
    assert detail["vat_mode"] == "excl" and detail["one_off_total"] == "108000.00"
    assert detail["totals"]["monthly_total"] == "268800.00" and detail["totals"]["term_total"] == "1317600.00"
    assert {ln["kind"] for ln in detail["lines"]} == {"time", "media", "fixed"}
    assert [o["name"] for o in detail["options"]] == ["Баннеры"] and detail["decision"] is None
    created = http.post("/api/v1/proposal-lines/", {
        "proposal": str(ready["proposal"].pk), "service": str(ready["media"].service_id), "budget": "200000",
        "commission_percent": "10", "unit_price": "1", "amount": "1"}, content_type="application/json")
    assert created.status_code == 201, created.content
    assert created.json()["amount"] == "220000.00" and created.json()["billing"] == "monthly"
    line_id = created.json()["id"]
    patched = http.patch(f"/api/v1/proposal-lines/{line_id}/", {"months": 12}, content_type="application/json")
    assert patched.status_code == 200 and patched.json()["term_amount"] == "2640000.00"
    bad = http.patch(f"/api/v1/proposal-lines/{line_id}/", {"months": 0}, content_type="application/json")
    assert bad.status_code == 400


def test_the_agency_vat_setting_reaches_new_proposals_and_change_requests(alice_world, catalog):
    response = login(alice_world.director).post(reverse("proposals:proposal_settings"), {
        "followup_days": "3, 7", "validity_days": "14", "vat_mode": "none"})
    assert response.status_code == 302
    with scopes_disabled():
        assert ProposalSettings.objects.get(agency=alice_world.agency).vat_mode == "none"
    agency = alice_world.agency
    with scope(agency=agency):
        proposal = editor.proposal_create(agency=agency, actor=alice_world.am.user,
                                          client=f.ClientFactory(agency=agency), title="УСН")
        editor.line_add(agency=agency, actor=None, proposal=proposal, service=catalog["services"]["smm"], hours=10)
        from projects.services.changes import _vat_rate

        assert _vat_rate(agency=agency) == 0
    proposal = _reload(proposal)
    assert proposal.vat_mode == "none" and proposal.vat_amount == 0 and proposal.total == D("28000.00")
    response = login(alice_world.director).get(reverse("proposals:preview", args=[proposal.pk]))
    assert response.status_code == 200
    assert "simplified tax system" in response.content.decode()
