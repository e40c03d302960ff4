"""Who sees which project (projects.selectors), the rule every project page and API route reads."""
import pytest
from django.http import Http404
from django_scopes import scope

from mrm.tenancy.fences import ClientMembershipRefused
from projects.selectors import can_manage_project, project_get, project_list
from tests import factories as f

pytestmark = pytest.mark.django_db


def _projects(world):
    agency = world.agency
    own_client = f.ClientFactory(agency=agency, owner=world.am.user)
    other_client = f.ClientFactory(agency=agency, owner=world.am2.user)
    mine = f.ProjectFactory(client=own_client, name="AM's client")
    managed = f.ProjectFactory(client=other_client, manager=world.specialist.user, name="PM's project")
    on_team = f.ProjectFactory(client=other_client, name="On the team")
    f.ProjectMemberFactory(project=on_team, user=world.specialist.user)
    elsewhere = f.ProjectFactory(client=other_client, name="Elsewhere")
    return mine, managed, on_team, elsewhere


@pytest.mark.parametrize(("role", "expected"), [
    ("director", {"AM's client", "PM's project", "On the team", "Elsewhere"}),
    ("am", {"AM's client"}),
    ("specialist", {"PM's project", "On the team"}),
])
def test_each_role_sees_its_projects(alice_world, bob_world, role, expected):
    _projects(alice_world)
    _projects(bob_world)
    membership = getattr(alice_world, role)
    with scope(agency=alice_world.agency):
        names = set(project_list(agency=alice_world.agency, membership=membership).values_list("name", flat=True))
    assert names == expected


def test_a_client_login_is_refused_by_the_staff_selector(alice_world):
    """The portal reads a client's projects through portal/selectors; the staff selector refuses outright."""
    _projects(alice_world)
    with scope(agency=alice_world.agency), pytest.raises(ClientMembershipRefused):
        project_list(agency=alice_world.agency, membership=alice_world.client_contact)


def test_another_agencys_project_is_not_found(alice_world, bob_world):
    foreign = f.ProjectFactory(client=f.ClientFactory(agency=bob_world.agency))
    with scope(agency=alice_world.agency), pytest.raises(Http404):
        project_get(agency=alice_world.agency, membership=alice_world.director, project_id=foreign.pk)


def test_a_specialist_manages_only_the_project_they_are_pm_of(alice_world):
    mine, managed, on_team, _ = _projects(alice_world)
    assert can_manage_project(membership=alice_world.specialist, project=managed)
    assert not can_manage_project(membership=alice_world.specialist, project=on_team)
    assert can_manage_project(membership=alice_world.am, project=mine)


def test_project_pages_answer_only_visible_projects(alice_world, bob_world, django_assert_max_num_queries):
    from django.urls import reverse

    from tests.conftest import login

    mine, managed, _, elsewhere = _projects(alice_world)
    specialist = login(alice_world.specialist)
    assert specialist.get(reverse("projects:detail", args=[managed.pk])).status_code == 200
    assert specialist.get(reverse("projects:detail", args=[elsewhere.pk])).status_code == 404
    foreign = f.ProjectFactory(client=f.ClientFactory(agency=bob_world.agency))
    director = login(alice_world.director)
    assert director.get(reverse("projects:detail", args=[foreign.pk])).status_code == 404
    newest = [f.ProjectFactory(client=mine.client) for _ in range(30)][-1]
    with django_assert_max_num_queries(12):
        page = director.get(reverse("projects:list"))
    assert page.status_code == 200 and str(newest.pk) in page.content.decode()
    assert str(mine.pk) in director.get(reverse("projects:list") + "?page=2").content.decode()
    assert login(alice_world.client_contact).get(reverse("projects:list")).status_code == 302


def test_an_am_sees_the_projects_of_a_client_whose_team_they_are_on_without_a_join(alice_world):
    """The AM's client condition is a subquery of client ids, so the list's date order can walk the projects'
    index and stop after a page (joined to the client, it sorted every visible project: 55 ms at 15,000)."""
    w = alice_world
    _mine, _managed, on_team, _elsewhere = _projects(w)
    with scope(agency=w.agency):
        on_team.client.team.add(w.am.user)
        qs = project_list(agency=w.agency, membership=w.am)
        assert set(qs.values_list("name", flat=True)) == {"AM's client", "On the team", "PM's project", "Elsewhere"}
        assert "JOIN" not in str(qs.select_related(None).order_by("-created_at").query)
