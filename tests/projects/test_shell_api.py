"""REST API of the project shell: projects, team members, budget lines (visibility, roles, cost fields)."""
from decimal import Decimal

import pytest
from django_scopes import scopes_disabled

from projects.models import Project, ProjectMember
from tests import factories as f
from tests.conftest import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def book(alice_world, bob_world):
    client = f.ClientFactory(agency=alice_world.agency, owner=alice_world.am.user)
    mine = f.ProjectFactory(client=client, name="Мой", manager=alice_world.specialist.user, budget_cost=Decimal("9"))
    hidden = f.ProjectFactory(client=f.ClientFactory(agency=alice_world.agency, owner=alice_world.am2.user),
                              name="Чужого AM")
    foreign = f.ProjectFactory(client=f.ClientFactory(agency=bob_world.agency), name="Другого агентства")
    line = f.BudgetLineFactory(project=mine)
    return {"client": client, "mine": mine, "hidden": hidden, "foreign": foreign, "line": line}


def test_list_and_filters_follow_project_visibility(alice_world, book, django_assert_max_num_queries):
    http = login(alice_world.am)
    with django_assert_max_num_queries(12):
        listed = http.get("/api/v1/projects/").json()
    assert [p["name"] for p in listed["results"]] == ["Мой"]
    assert listed["results"][0]["budget_cost"] is None  # AMs don't see internal costs
    director = login(alice_world.director)
    assert {p["name"] for p in director.get("/api/v1/projects/").json()["results"]} == {"Мой", "Чужого AM"}
    assert director.get(f"/api/v1/projects/{book['mine'].pk}/").json()["budget_cost"] == "9.00"
    query = f"?manager={alice_world.specialist.user.email}&status=active&client={book['client'].pk}"
    assert [p["name"] for p in director.get("/api/v1/projects/" + query).json()["results"]] == ["Мой"]
    assert http.get(f"/api/v1/projects/{book['hidden'].pk}/").status_code == 404
    assert director.get(f"/api/v1/projects/{book['foreign'].pk}/").status_code == 404


def test_create_and_patch_through_the_services(alice_world, book):
    http = login(alice_world.am)
    created = http.post("/api/v1/projects/", {
        "client": str(book["client"].pk), "name": "Из API", "kind": "retainer", "retainer_hours": "30",
        "manager": alice_world.specialist.user.email, "budget_cost": "100"}, content_type="application/json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "planning" and body["budget_cost"] is None and body["currency"] == "RUB"
    with scopes_disabled():
        project = Project.objects.get(pk=body["id"])
        assert project.budget_cost == 0  # an AM cannot set the cost budget
        assert ProjectMember.objects.filter(project=project, user=alice_world.specialist.user).exists()
    patched = http.patch(f"/api/v1/projects/{project.pk}/", {"status": "done", "name": "Готово"},
                         content_type="application/json")
    assert patched.status_code == 200 and patched.json()["closed_at"] and patched.json()["name"] == "Готово"
    bad = http.patch(f"/api/v1/projects/{project.pk}/", {"start_date": "2026-05-01", "end_date": "2026-04-01"},
                     content_type="application/json")
    assert bad.status_code == 400 and "end_date" in bad.json()
    foreign_client = http.post("/api/v1/projects/", {"client": str(book["foreign"].client_id), "name": "X"},
                               content_type="application/json")
    assert foreign_client.status_code == 400


def test_roles_on_the_api(alice_world, book):
    specialist = login(alice_world.specialist)
    assert specialist.post("/api/v1/projects/", {"client": str(book["client"].pk), "name": "X"},
                           content_type="application/json").status_code == 403
    assert specialist.patch(f"/api/v1/projects/{book['mine'].pk}/", {"name": "PM правит"},
                            content_type="application/json").status_code == 200  # they are its PM
    on_team = f.ProjectFactory(client=book["client"])
    f.ProjectMemberFactory(project=on_team, user=alice_world.specialist.user)
    assert specialist.patch(f"/api/v1/projects/{on_team.pk}/", {"name": "Нет"},
                            content_type="application/json").status_code == 403


def test_members_api(alice_world, book):
    http = login(alice_world.am)
    role = f.RateRoleFactory(agency=alice_world.agency)
    added = http.post("/api/v1/project-members/", {"project": str(book["mine"].pk), "user": alice_world.am2.user.email,
                                                   "role": str(role.pk), "title": "Копирайтер"},
                      content_type="application/json")
    assert added.status_code == 201, added.content
    member_id = added.json()["id"]
    listed = http.get(f"/api/v1/project-members/?project={book['mine'].pk}").json()
    assert [m["title"] for m in listed["results"]] == ["Копирайтер"]
    assert http.patch(f"/api/v1/project-members/{member_id}/", {"title": "Редактор"},
                      content_type="application/json").json()["title"] == "Редактор"
    assert http.post("/api/v1/project-members/", {"project": str(book["hidden"].pk),
                                                  "user": alice_world.am2.user.email},
                     content_type="application/json").status_code == 400  # not a visible project
    assert http.delete(f"/api/v1/project-members/{member_id}/").status_code == 204
    foreign = f.ProjectMemberFactory(project=book["foreign"])
    assert http.get(f"/api/v1/project-members/{foreign.pk}/").status_code == 404


def test_budget_lines_hide_costs_from_those_who_may_not_see_them(alice_world, book):
    url = f"/api/v1/budget-lines/?project={book['mine'].pk}"
    (row,) = login(alice_world.am).get(url).json()["results"]
    assert row["amount"] == "30000.00" and row["cost_rate"] is None and row["cost_amount"] is None
    (row,) = login(alice_world.director).get(url).json()["results"]
    assert row["cost_rate"] == "1500.00" and row["cost_amount"] == "15000.00"
    foreign = f.BudgetLineFactory(project=book["foreign"])
    assert login(alice_world.director).get(f"/api/v1/budget-lines/{foreign.pk}/").status_code == 404
