"""The project shell pages: create by hand, edit, status, delete while empty, team, budget by role, the list's
filters and the projects shown on the client, deal and proposal pages."""
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from mrm.tenancy.models import AuditLog
from projects.models import Project, ProjectMember
from tests import factories as f
from tests.conftest import client_page, login

pytestmark = pytest.mark.django_db


def _get(pk) -> Project:
    with scopes_disabled():
        return Project.objects.get(pk=pk)


def _codes(project) -> list[str]:
    with scopes_disabled():
        return list(AuditLog.objects.filter(target_id=str(project.pk)).order_by("created_at")
                    .values_list("action", flat=True))


@pytest.fixture
def own(alice_world):
    """A client of alice's AM with an active project managed by the specialist."""
    client = f.ClientFactory(agency=alice_world.agency, owner=alice_world.am.user, name="Вело-Мир")
    project = f.ProjectFactory(client=client, name="Весенняя кампания", manager=alice_world.specialist.user,
                               account_manager=alice_world.am.user, budget_amount=Decimal("500000"))
    f.ProjectMemberFactory(project=project, user=alice_world.specialist.user, title="PM")
    return {"client": client, "project": project}


def test_am_creates_a_retainer_by_hand_and_the_pm_and_am_join_the_team(alice_world, own):
    http = login(alice_world.am)
    assert http.get(reverse("projects:create") + f"?client={own['client'].pk}").status_code == 200
    response = http.post(reverse("projects:create"), {
        "name": "Ведение соцсетей", "client": str(own["client"].pk), "kind": "retainer", "start_date": "2026-01-12",
        "end_date": "", "manager": alice_world.specialist.user.pk, "account_manager": alice_world.am.user.pk,
        "budget_amount": "0", "currency": "RUB", "budget_hours": "0", "retainer_hours": "40",
        "retainer_amount": "120000", "rollover": "carry_capped", "rollover_cap_hours": "10", "approval_days": "3"})
    assert response.status_code == 302, response.content.decode()[:2000]
    with scopes_disabled():
        project = Project.objects.get(name="Ведение соцсетей")
        team = set(ProjectMember.objects.filter(project=project).values_list("user_id", flat=True))
    assert response["Location"] == reverse("projects:detail", args=[project.pk])
    assert (project.kind, project.status, project.retainer_hours, project.rollover_cap_hours) == (
        "retainer", "planning", 40, 10)
    assert project.created_by_id == alice_world.am.user_id and project.budget_cost == 0  # AMs don't set costs
    assert team == {alice_world.am.user_id, alice_world.specialist.user_id}
    assert _codes(project) == ["project.created"]
    page = http.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert 'id="project-retainer"' in page and 'id="retainer-allowed"' in page


def test_a_refused_form_answers_422_and_creates_nothing(alice_world, own):
    http = login(alice_world.am)
    base = {"name": "X", "client": str(own["client"].pk), "kind": "retainer", "budget_amount": "0",
            "currency": "RUB", "budget_hours": "0", "retainer_hours": "0", "retainer_amount": "0",
            "rollover": "none", "rollover_cap_hours": "0", "approval_days": "3"}
    assert http.post(reverse("projects:create"), base).status_code == 422  # a retainer without hours
    assert http.post(reverse("projects:create"), {**base, "kind": "one_off", "start_date": "2026-03-01",
                                                  "end_date": "2026-02-01"}).status_code == 422
    foreign = f.ClientFactory(agency=f.AgencyFactory())
    assert http.post(reverse("projects:create"), {**base, "kind": "one_off",
                                                  "client": str(foreign.pk)}).status_code == 422
    with scopes_disabled():
        assert not Project.objects.filter(name="X").exists()


def test_a_specialist_may_not_create_and_may_change_only_the_project_they_manage(alice_world, own):
    http = login(alice_world.specialist)
    assert http.get(reverse("projects:create")).status_code == 403
    assert http.get(reverse("projects:edit", args=[own["project"].pk])).status_code == 200  # they are its PM
    other = f.ProjectFactory(client=own["client"])
    f.ProjectMemberFactory(project=other, user=alice_world.specialist.user)
    assert http.get(reverse("projects:detail", args=[other.pk])).status_code == 200
    assert http.get(reverse("projects:edit", args=[other.pk])).status_code == 403
    assert http.post(reverse("projects:status", args=[other.pk]), {"status": "done"}).status_code == 403
    assert 'id="project-actions"' not in http.get(reverse("projects:detail", args=[other.pk])).content.decode()


def test_edit_records_the_changes(alice_world, own):
    project = own["project"]
    http = login(alice_world.am)
    response = http.post(reverse("projects:edit", args=[project.pk]), {
        "name": "Весенняя кампания 2.0", "client": str(own["client"].pk), "kind": "one_off",
        "start_date": "2026-02-02", "end_date": "2026-04-30", "manager": alice_world.am2.user.pk,
        "account_manager": alice_world.am.user.pk, "budget_amount": "600000", "currency": "RUB",
        "budget_hours": "200", "retainer_hours": "0", "retainer_amount": "0", "rollover": "none",
        "rollover_cap_hours": "0", "approval_days": "5"})
    assert response.status_code == 302
    project = _get(project.pk)
    assert (project.name, project.end_date, project.approval_days) == ("Весенняя кампания 2.0", date(2026, 4, 30), 5)
    with scopes_disabled():
        row = AuditLog.objects.get(target_id=str(project.pk), action="project.updated")
        assert ProjectMember.objects.filter(project=project, user=alice_world.am2.user).exists()  # the new PM
    assert {"name", "budget_amount", "manager"} <= set(row.changes)


def test_status_done_closes_and_reopening_clears_closed_at(alice_world, own):
    project = own["project"]
    http = login(alice_world.am)
    assert http.post(reverse("projects:status", args=[project.pk]), {"status": "done"}).status_code == 302
    assert _get(project.pk).status == "done" and _get(project.pk).closed_at is not None
    http.post(reverse("projects:status", args=[project.pk]), {"status": "cancelled"})
    assert _get(project.pk).closed_at is not None
    http.post(reverse("projects:status", args=[project.pk]), {"status": "paused"})
    assert _get(project.pk).status == "paused" and _get(project.pk).closed_at is None
    assert _codes(project).count("project.updated") == 3


def test_only_an_empty_project_is_deleted(alice_world, own):
    project = own["project"]
    f.ProjectTaskFactory(project=project)
    http = login(alice_world.am)
    assert http.post(reverse("projects:delete", args=[project.pk])).status_code == 302
    assert _get(project.pk)  # kept: it has a task
    empty = f.ProjectFactory(client=own["client"])
    assert http.post(reverse("projects:delete", args=[empty.pk])).status_code == 302
    with scopes_disabled():
        assert not Project.objects.filter(pk=empty.pk).exists()
        assert AuditLog.objects.filter(action="project.deleted", target_id=str(empty.pk)).exists()
    assert login(alice_world.specialist).post(reverse("projects:delete", args=[project.pk])).status_code == 403


def test_team_add_change_and_remove(alice_world, own):
    project = own["project"]
    role = f.RateRoleFactory(agency=alice_world.agency, name="Дизайнер")
    http = login(alice_world.am)
    url = reverse("projects:member_add", args=[project.pk])
    assert http.post(url, {"member-user": alice_world.am2.user.pk, "member-role": str(role.pk),
                           "member-title": "Арт-директор"}).status_code == 302
    with scopes_disabled():
        member = ProjectMember.objects.get(project=project, user=alice_world.am2.user)
    assert (member.role_id, member.title) == (role.pk, "Арт-директор")
    assert http.post(url, {"member-user": alice_world.am2.user.pk}).status_code == 422  # already on the team
    client_user = alice_world.client_contact.user
    assert http.post(url, {"member-user": client_user.pk}).status_code == 422  # not staff
    http.post(reverse("projects:member_edit", args=[project.pk, member.pk]), {"role": "", "title": "Дизайнер"})
    with scopes_disabled():
        member.refresh_from_db()
        pm = ProjectMember.objects.get(project=project, user=alice_world.specialist.user)
    assert member.role_id is None and member.title == "Дизайнер"
    http.post(reverse("projects:member_remove", args=[project.pk, member.pk]))
    http.post(reverse("projects:member_remove", args=[project.pk, pm.pk]))  # the PM stays
    with scopes_disabled():
        assert set(ProjectMember.objects.filter(project=project).values_list("user_id", flat=True)) == {
            alice_world.specialist.user_id}
        codes = set(AuditLog.objects.filter(action__startswith="project_member.").values_list("action", flat=True))
    assert codes == {"project_member.added", "project_member.updated", "project_member.removed"}
    foreign = f.ProjectMemberFactory(project=f.ProjectFactory(client=f.ClientFactory(agency=f.AgencyFactory())))
    assert http.post(reverse("projects:member_remove", args=[project.pk, foreign.pk])).status_code == 404


def test_budget_by_role_shows_cost_and_margin_only_to_directors(alice_world, own, django_assert_max_num_queries):
    project = own["project"]
    for name in ("Дизайнер", "Копирайтер", "Стратег"):
        f.BudgetLineFactory(project=project, role_name=name)
    url = reverse("projects:detail", args=[project.pk])
    am_page = login(alice_world.am).get(url).content.decode()
    assert 'id="project-budget-roles"' in am_page and "mrm-cost" not in am_page and "mrm-margin" not in am_page
    director = login(alice_world.director)
    with django_assert_max_num_queries(40) as first:
        page = director.get(url).content.decode()
    assert "mrm-cost" in page and "mrm-margin" in page
    for i in range(5):
        f.BudgetLineFactory(project=project, role_name=f"Роль {i}")
        f.ProjectMemberFactory(project=project)
    with django_assert_max_num_queries(len(first.captured_queries)):
        director.get(url)


def test_list_filters_sorting_and_the_new_button(alice_world, own, django_assert_max_num_queries):
    project = own["project"]
    other_client = f.ClientFactory(agency=alice_world.agency, owner=alice_world.am.user)
    retainer = f.ProjectFactory(client=other_client, kind="retainer", name="Абонемент", budget_amount=1)
    f.ProjectFactory(client=f.ClientFactory(agency=f.AgencyFactory()), name="Чужой")
    http = login(alice_world.am)

    def names(query):
        with django_assert_max_num_queries(20):
            response = http.get(reverse("projects:list") + query)
        assert response.status_code == 200
        return [p.name for p in response.context["page"].object_list]

    assert set(names("")) == {project.name, retainer.name}
    assert names("?kind=retainer") == [retainer.name]
    assert names(f"?manager={alice_world.specialist.user.pk}") == [project.name]
    assert names(f"?client={other_client.pk}") == [retainer.name]
    assert names("?sort=budget_amount") == [retainer.name, project.name]
    assert names("?sort=-budget_amount") == [project.name, retainer.name]
    assert set(names("?sort=bogus&kind=nope")) == {project.name, retainer.name}  # invalid filters are ignored
    assert 'id="project-new"' in http.get(reverse("projects:list")).content.decode()
    assert 'id="project-new"' not in login(alice_world.specialist).get(reverse("projects:list")).content.decode()


def test_client_deal_and_proposal_pages_show_their_projects(alice_world, own):
    deal = f.DealFactory(agency=alice_world.agency, client=own["client"], owner=alice_world.am.user)
    proposal = f.ProposalFactory(agency=alice_world.agency, client=own["client"], owner=alice_world.am.user,
                                 status="accepted")
    with scopes_disabled():
        Project.objects.filter(pk=own["project"].pk).update(deal=deal, proposal=proposal)
    from django.utils import timezone

    f.ProjectFactory(client=own["client"], name="Закрытый", status="done", closed_at=timezone.now())
    http = login(alice_world.am)
    html = client_page(http, own["client"].pk)
    assert 'id="client-projects"' in html
    assert html.index("Весенняя кампания") < html.index("Закрытый")  # open projects first
    deal_page = http.get(reverse("clients:deal_detail", args=[deal.pk])).content.decode()
    assert 'id="section-projects"' in deal_page and reverse("projects:detail", args=[own["project"].pk]) in deal_page
    proposal_page = http.get(reverse("proposals:detail", args=[proposal.pk]))
    assert proposal_page.status_code == 200
    assert proposal_page.context["project_made"].pk == own["project"].pk


def test_another_agencys_project_answers_404_everywhere(alice_world, bob_world):
    foreign = f.ProjectFactory(client=f.ClientFactory(agency=bob_world.agency))
    member = f.ProjectMemberFactory(project=foreign)
    http = login(alice_world.director)
    for name in ("detail", "edit"):
        assert http.get(reverse(f"projects:{name}", args=[foreign.pk])).status_code == 404
    for name in ("status", "delete", "member_add"):
        assert http.post(reverse(f"projects:{name}", args=[foreign.pk]), {"status": "done"}).status_code == 404
    assert http.post(reverse("projects:member_remove", args=[foreign.pk, member.pk])).status_code == 404
    assert _get(foreign.pk).status == "active"
