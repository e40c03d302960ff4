"""Account plans and KAM: scores → averages → quadrant in the service, the client block, the edit page and the
portfolio grid."""
from decimal import Decimal

import pytest
from django_scopes import scope, scopes_disabled

from clients.models import AccountObjective, AccountPlan, Client
from clients.services import kam as services
from mrm.core.errors import ServiceError
from tests.conftest import client_page, login
from tests.factories import AccountPlanFactory, ClientFactory

pytestmark = pytest.mark.django_db

A = {"revenue_potential": 5, "margin": 4, "growth": 4, "strategic_fit": 3}
R_LOW = {"access": 2, "trust": 2, "share_of_wallet": 1, "tenure": 2}


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"  # assertions read the English source strings


@pytest.mark.parametrize(("a", "r", "quadrant"), [
    (A, {"access": 4, "trust": 3}, AccountPlan.Quadrant.STRATEGIC),
    (A, R_LOW, AccountPlan.Quadrant.STAR),
    ({"revenue_potential": 2, "margin": 2}, {"access": 5}, AccountPlan.Quadrant.STATUS),
    ({"margin": 1}, R_LOW, AccountPlan.Quadrant.STREAMLINE),
    (A, {}, ""),  # one axis unscored: no quadrant yet
])
def test_scores_give_averages_and_the_quadrant(alice_world, a, r, quadrant):
    w = alice_world
    client = ClientFactory(agency=w.agency, owner=w.am.user)
    with scope(agency=w.agency):
        plan = services.account_plan_save(agency=w.agency, actor=w.am.user, client=client,
                                          attractiveness_scores=a, relationship_scores=r)
    assert plan.quadrant == quadrant
    assert plan.attractiveness == (Decimal(sum(a.values())) / len(a)).quantize(Decimal("0.01"))


@pytest.mark.parametrize("scores", [{"margin": 0}, {"margin": 6}, {"margin": "abc"}, {"margin": 2.5},
                                    {"horoscope": 3}])
def test_invalid_scores_are_refused(alice_world, scores):
    w = alice_world
    client = ClientFactory(agency=w.agency, owner=w.am.user)
    with scope(agency=w.agency), pytest.raises(ServiceError):
        services.account_plan_save(agency=w.agency, actor=w.am.user, client=client, attractiveness_scores=scores)


def _form(**extra) -> dict:
    data = {"relationship_stage": "operational", "summary": "Растим долю бюджета",
            "objectives-TOTAL_FORMS": "1", "objectives-INITIAL_FORMS": "0", "objectives-MIN_NUM_FORMS": "0",
            "objectives-MAX_NUM_FORMS": "1000"}
    data.update({f"a_{k}": str(v) for k, v in A.items()})
    data.update({f"r_{k}": str(v) for k, v in R_LOW.items()})
    data.update(extra)
    return data


def test_account_plan_page_saves_scores_and_objectives(alice_world):
    w = alice_world
    client = ClientFactory(agency=w.agency, owner=w.am.user, name="Ключевой клиент")
    http = login(w.am)
    assert "Not scored yet" in client_page(http, client.pk)
    bad = http.post(f"/clients/{client.pk}/account-plan/", _form(a_margin="9", **{
        "objectives-0-title": "Лиды +30%", "objectives-0-status": "open"}))
    assert bad.status_code == 422 and "Лиды +30%" in bad.content.decode()  # nothing lost
    ok = http.post(f"/clients/{client.pk}/account-plan/", _form(**{
        "objectives-0-title": "Лиды +30%", "objectives-0-kpi": "Лиды в месяц", "objectives-0-target": "400",
        "objectives-0-due_on": "2026-12-31", "objectives-0-status": "open"}))
    assert ok.status_code == 302
    with scopes_disabled():
        plan = AccountPlan.objects.get(client=client)
        objectives = list(AccountObjective.objects.filter(plan=plan))
    assert plan.quadrant == AccountPlan.Quadrant.STAR and plan.relationship_stage == "operational"
    assert [(o.title, o.target) for o in objectives] == [("Лиды +30%", "400")]
    page = client_page(http, client.pk)
    assert "mrm-quadrant-star" in page and "Лиды +30%" in page and 'aria-current="step"' in page
    # Remove the objective, keep the plan.
    again = _form(**{"objectives-TOTAL_FORMS": "1", "objectives-INITIAL_FORMS": "1",
                     "objectives-0-id": str(objectives[0].pk), "objectives-0-title": "Лиды +30%",
                     "objectives-0-status": "open", "objectives-0-DELETE": "on"})
    assert http.post(f"/clients/{client.pk}/account-plan/", again).status_code == 302
    with scopes_disabled():
        assert not AccountObjective.objects.filter(plan=plan).exists()


def test_specialist_cannot_edit_the_account_plan(alice_world):
    w = alice_world
    client = ClientFactory(agency=w.agency, owner=w.am.user)
    with scopes_disabled():
        client.team.add(w.specialist.user)
    assert login(w.specialist).get(f"/clients/{client.pk}/account-plan/").status_code == 403
    assert login(w.specialist).get(f"/clients/{client.pk}/").status_code == 200


def test_portfolio_grid_places_visible_clients_and_lists_unscored(alice_world):
    w = alice_world
    star = ClientFactory(agency=w.agency, owner=w.am.user, name="Звезда")
    AccountPlanFactory(agency=w.agency, client=star, quadrant="star", attractiveness=4, relationship_strength=2)
    strategic = ClientFactory(agency=w.agency, owner=w.am.user, name="Стратег")
    AccountPlanFactory(agency=w.agency, client=strategic, quadrant="strategic", attractiveness=4,
                       relationship_strength=4)
    ClientFactory(agency=w.agency, owner=w.am.user, name="Без оценки")
    lead = ClientFactory(agency=w.agency, owner=w.am.user, name="Лид", status=Client.Status.LEAD)
    AccountPlanFactory(agency=w.agency, client=lead, quadrant="status")
    other = ClientFactory(agency=w.agency, owner=w.am2.user, name="Чужой стратег")
    AccountPlanFactory(agency=w.agency, client=other, quadrant="strategic")
    page = login(w.am).get("/clients/portfolio/").content.decode()
    strategic_cell = page[page.index('id="kam-strategic"'):page.index('id="kam-status"')]
    assert "Стратег" in strategic_cell and "Чужой стратег" not in page and "Лид" not in page
    assert "Звезда" in page[page.index('id="kam-star"'):page.index('id="kam-strategic"')]
    assert "Без оценки" in page[page.index("Not scored yet"):]
    director = login(w.director).get("/clients/portfolio/").content.decode()
    assert "Чужой стратег" in director


def test_portfolio_query_count_is_constant(alice_world, django_assert_max_num_queries):
    w = alice_world
    quadrants = ["strategic", "star", "status", "streamline"]
    for i in range(60):
        client = ClientFactory(agency=w.agency, owner=w.am.user, name=f"Клиент {i:02d}")
        if i % 5:
            AccountPlanFactory(agency=w.agency, client=client, quadrant=quadrants[i % 4],
                               attractiveness=Decimal(i % 5 + 1), relationship_strength=Decimal(3))
    for member in (w.am, w.director):
        http = login(member)
        with django_assert_max_num_queries(10):
            response = http.get("/clients/portfolio/")
        assert response.status_code == 200
    assert "Клиент 05" in response.content.decode()
