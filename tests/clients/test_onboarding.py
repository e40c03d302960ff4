"""Onboarding (first 30 days): template defaults and editing, the plan created once when a client becomes active,
the checklist on the client page, progress in the client list, and the interaction agreement."""
from datetime import date, timedelta

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from clients.models import (
    Client,
    InteractionAgreement,
    OnboardingPlan,
    OnboardingStep,
    OnboardingTemplateStep,
)
from clients.services import companies
from tests.conftest import client_page, login
from tests.factories import ClientFactory, OnboardingPlanFactory, OnboardingStepFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"  # assertions read the English source strings


def _plan(client) -> OnboardingPlan | None:
    with scopes_disabled():
        return OnboardingPlan.objects.filter(client=client).first()


def _steps(plan) -> list[OnboardingStep]:
    with scopes_disabled():
        return list(plan.steps.order_by("due_on"))


def test_active_client_gets_a_plan_from_the_default_template_once(alice_world):
    w = alice_world
    start = date(2026, 3, 2)
    with scope(agency=w.agency):
        client = companies.client_create(agency=w.agency, actor=w.am.user, data={
            "name": "Новый клиент", "status": Client.Status.ACTIVE, "start_date": start})
    plan = _plan(client)
    assert plan is not None and plan.started_on == start
    steps = _steps(plan)
    assert [(s.due_on - start).days + 1 for s in steps] == [1, 3, 5, 7, 14, 21, 30]
    assert steps[0].title == "Kickoff meeting"
    with scope(agency=w.agency):
        companies.client_update(agency=w.agency, actor=w.am.user, client=client, data={"status": "paused"})
        companies.client_update(agency=w.agency, actor=w.am.user, client=client, data={"status": "active"})
        assert OnboardingPlan.objects.filter(agency=w.agency, client=client).count() == 1
        assert OnboardingStep.objects.filter(agency=w.agency, plan__client=client).count() == 7


def test_lead_has_no_plan_until_it_becomes_active(alice_world):
    w = alice_world
    with scope(agency=w.agency):
        client = companies.client_create(agency=w.agency, actor=w.am.user, data={"name": "Лид", "status": "lead"})
        assert _plan(client) is None
        companies.client_update(agency=w.agency, actor=w.am.user, client=client, data={"status": "active"})
    assert _plan(client) is not None and _plan(client).started_on == timezone.localdate()


def test_template_page_for_directors_only_with_defaults_on_first_use(alice_world):
    w = alice_world
    assert login(w.specialist).get("/clients/onboarding-template/").status_code == 403
    assert login(w.am).post("/clients/onboarding-template/", {}).status_code == 403
    http = login(w.director)
    page = http.get("/clients/onboarding-template/").content.decode()
    assert "Kickoff meeting" in page and "Upsell ideas planted" in page and 'href="/clients/onboarding-template/"' in page
    with scopes_disabled():
        steps = list(OnboardingTemplateStep.objects.filter(agency=w.agency).order_by("due_day"))
    assert len(steps) == 7
    data = {"steps-TOTAL_FORMS": "9", "steps-INITIAL_FORMS": "7", "steps-MIN_NUM_FORMS": "0",
            "steps-MAX_NUM_FORMS": "1000"}
    for i, s in enumerate(steps):
        data.update({f"steps-{i}-id": s.pk, f"steps-{i}-title": s.title, f"steps-{i}-due_day": s.due_day,
                     f"steps-{i}-description": s.description})
    data["steps-6-DELETE"] = "on"  # drop "upsell ideas"
    data["steps-1-title"] = "Цели и KPI письменно"
    data.update({"steps-7-title": "Разбор первых результатов", "steps-7-due_day": "10", "steps-7-description": ""})
    response = http.post("/clients/onboarding-template/", data)
    assert response.status_code == 302
    with scopes_disabled():
        titles = list(OnboardingTemplateStep.objects.filter(agency=w.agency).order_by("due_day")
                      .values_list("due_day", "title"))
    assert (3, "Цели и KPI письменно") in titles and (10, "Разбор первых результатов") in titles
    assert len(titles) == 7 and all(t != "Upsell ideas planted" for _d, t in titles)
    # Bad input: a day outside 1..365 and deleting everything are refused with a message.
    bad = dict(data, **{"steps-0-due_day": "400"})
    bad_response = http.post("/clients/onboarding-template/", bad)
    assert bad_response.status_code == 422 and "less than or equal to 365" in bad_response.content.decode()
    with scopes_disabled():
        current = list(OnboardingTemplateStep.objects.filter(agency=w.agency))
    nothing = {"steps-TOTAL_FORMS": str(len(current)), "steps-INITIAL_FORMS": str(len(current)),
               "steps-MIN_NUM_FORMS": "0", "steps-MAX_NUM_FORMS": "1000"}
    for i, s in enumerate(current):
        nothing.update({f"steps-{i}-id": s.pk, f"steps-{i}-title": s.title, f"steps-{i}-due_day": s.due_day,
                        f"steps-{i}-DELETE": "on"})
    empty = http.post("/clients/onboarding-template/", nothing)
    assert empty.status_code == 422 and "Keep at least one step" in empty.content.decode()


def test_checklist_completes_with_htmx_and_shows_progress_and_overdue(alice_world):
    w = alice_world
    client = ClientFactory(agency=w.agency, owner=w.am.user, name="Онбординг")
    plan = OnboardingPlanFactory(agency=w.agency, client=client, started_on=timezone.localdate() - timedelta(days=9))
    first = OnboardingStepFactory(agency=w.agency, plan=plan, title="Kickoff", due_on=plan.started_on, order=0)
    OnboardingStepFactory(agency=w.agency, plan=plan, title="Access", due_on=plan.started_on + timedelta(days=4),
                          order=1)
    OnboardingStepFactory(agency=w.agency, plan=plan, title="First report",
                          due_on=timezone.localdate() + timedelta(days=4), order=2)
    http = login(w.am)
    page = client_page(http, client.pk)
    assert 'id="section-onboarding"' in page and "0 of 3 steps done" in page and "2 steps are overdue" in page
    response = http.post(f"/clients/{client.pk}/onboarding/{first.pk}/toggle/", HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200 and "1 of 3 steps done" in body and "33%" in body
    for step in _steps(plan):
        http.post(f"/clients/{client.pk}/onboarding/{step.pk}/toggle/") if step.done_at is None else None
    assert _plan(client).completed_at is not None
    http.post(f"/clients/{client.pk}/onboarding/{first.pk}/toggle/")  # reopen one: the plan is open again
    assert _plan(client).completed_at is None
    assert login(w.specialist).post(f"/clients/{client.pk}/onboarding/{first.pk}/toggle/").status_code in (403, 404)


def test_client_list_shows_onboarding_progress(alice_world, django_assert_max_num_queries):
    w = alice_world
    client = ClientFactory(agency=w.agency, owner=w.am.user, name="А-клиент")
    plan = OnboardingPlanFactory(agency=w.agency, client=client)
    for i in range(4):
        OnboardingStepFactory(agency=w.agency, plan=plan, order=i, done_at=timezone.now() if i == 0 else None)
    for i in range(55):
        other = ClientFactory(agency=w.agency, owner=w.am.user, name=f"Б-клиент {i:02d}")
        OnboardingStepFactory(agency=w.agency, plan=OnboardingPlanFactory(agency=w.agency, client=other))
    http = login(w.am)
    with django_assert_max_num_queries(14):
        page = http.get("/clients/").content.decode()
    assert "1/4" in page and "Onboarding" in page


def test_interaction_agreement_is_data_edited_in_the_block(alice_world):
    w = alice_world
    client = ClientFactory(agency=w.agency, owner=w.am.user)
    http = login(w.am)
    assert "No agreement yet" in client_page(http, client.pk)
    form = http.get(f"/clients/{client.pk}/agreement/", HTTP_HX_REQUEST="true")
    assert form.status_code == 200 and 'name="response_time_hours"' in form.content.decode()
    data = {"contact_every_days": "7", "channels": ["telegram", "email"], "response_time_hours": "0",
            "reporting_cadence": "monthly", "request_format": "Задачи в общий чат", "approval_rules": "Согласует CMO",
            "agreed_on": "2026-03-10"}
    bad = http.post(f"/clients/{client.pk}/agreement/", data, HTTP_HX_REQUEST="true")
    assert bad.status_code == 422 and "Between 0.5 and 240" in bad.content.decode()
    assert "Задачи в общий чат" in bad.content.decode()  # input kept
    bad_page = http.post(f"/clients/{client.pk}/agreement/", dict(data, contact_every_days="0", channels=["fax"]))
    assert bad_page.status_code == 422
    ok = http.post(f"/clients/{client.pk}/agreement/", dict(data, response_time_hours="2.5"))
    assert ok.status_code == 302
    with scopes_disabled():
        agreement = InteractionAgreement.objects.get(client=client)
    assert agreement.channels == ["telegram", "email"] and str(agreement.response_time_hours) == "2.5"
    page = client_page(http, client.pk)
    assert "Согласует CMO" in page and "2.5 business h" in page
    assert login(w.specialist).get(f"/clients/{client.pk}/agreement/").status_code in (403, 404)
