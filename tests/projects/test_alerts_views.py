"""Alert pages (project tab, cross-project page, acknowledge by HTMX and by a plain form), the menu include
and the REST API: visibility, cross-tenant 404s, permissions, filters, constant query counts."""
from datetime import timedelta

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from mrm.accounts.services import api_token_create
from projects.models import Alert
from tests import factories as f
from tests.conftest import login

pytestmark = pytest.mark.django_db


def _project(world, **kw):
    client = f.ClientFactory(agency=world.agency, owner=world.am.user)
    kw.setdefault("manager", world.specialist.user)
    return f.ProjectFactory(client=client, account_manager=world.am.user, **kw)


def _alerts(project, n=1, **kw):
    return [f.AlertFactory(project=project, subject_key=f"task:{i}-{project.pk}", **kw) for i in range(n)]


def _reload(alert):
    with scopes_disabled():
        return Alert.objects.get(pk=alert.pk)


def test_project_tab_lists_open_alerts_with_reason_and_link(alice_world, django_assert_max_num_queries):
    project = _project(alice_world)
    [alert] = _alerts(project, url="/somewhere/", kind="waiting_on_client",
                      params={"task": "Макет", "since": "2026-03-02", "days": 5, "allowed": 3})
    resolved = f.AlertFactory(project=project, subject_key="gone", resolved_at=timezone.now())
    pm = login(alice_world.specialist)
    url = reverse("projects:alerts", args=[project.pk])
    page = pm.get(url)
    body = page.content.decode()
    assert page.status_code == 200 and f'id="alert-{alert.pk}"' in body and 'href="/somewhere/"' in body
    assert "Макет" in body and f"acknowledge-{alert.pk}" in body and 'id="tab-alerts"' in body
    assert f'id="alert-{resolved.pk}"' not in body
    assert f'id="alert-{resolved.pk}"' in pm.get(url + "?state=resolved").content.decode()
    _alerts(project, 30)
    with django_assert_max_num_queries(14):
        assert pm.get(url).status_code == 200
    assert "page=2" in pm.get(url).content.decode()


def test_acknowledge_by_htmx_returns_the_row_and_by_form_redirects(alice_world):
    project = _project(alice_world)
    first, second = _alerts(project, 2, value=12.0, severity="critical")
    pm = login(alice_world.specialist)
    answer = pm.post(reverse("projects:alert_acknowledge", args=[project.pk, first.pk]), HTTP_HX_REQUEST="true")
    assert answer.status_code == 200 and f'id="alert-{first.pk}"' in answer.content.decode()
    assert f"acknowledge-{first.pk}" not in answer.content.decode()
    first = _reload(first)
    assert first.acknowledged_by_id == alice_world.specialist.user_id
    assert (first.acknowledged_value, first.acknowledged_severity) == (12.0, "critical")
    back = reverse("projects:alerts", args=[project.pk]) + "?kind=budget_burn"
    answer = pm.post(reverse("projects:alert_acknowledge", args=[project.pk, second.pk]), {"next": back})
    assert answer.status_code == 302 and answer["Location"] == back
    assert _reload(second).acknowledged_at is not None
    evil = pm.post(reverse("projects:alert_acknowledge", args=[project.pk, second.pk]),
                   {"next": "https://evil.example/"})
    assert evil["Location"] == reverse("projects:alerts", args=[project.pk])
    with scopes_disabled():
        from mrm.tenancy.models import AuditLog

        assert AuditLog.objects.filter(action="alert.acknowledged", agency=alice_world.agency).count() == 2


def test_acknowledge_needs_a_manager_of_the_project(alice_world):
    project = _project(alice_world, manager=alice_world.director.user)
    f.ProjectMemberFactory(project=project, user=alice_world.specialist.user)
    [alert] = _alerts(project)
    url = reverse("projects:alert_acknowledge", args=[project.pk, alert.pk])
    assert login(alice_world.specialist).post(url).status_code == 403  # on the team, not its PM
    assert _reload(alert).acknowledged_at is None
    page = login(alice_world.specialist).get(reverse("projects:alerts", args=[project.pk])).content.decode()
    assert f"acknowledge-{alert.pk}" not in page
    assert login(alice_world.specialist).get(url).status_code == 405


def test_another_agencys_alerts_are_not_found(alice_world, bob_world):
    theirs = _project(bob_world)
    [alert] = _alerts(theirs)
    mine = _project(alice_world)
    director = login(alice_world.director)
    assert director.get(reverse("projects:alerts", args=[theirs.pk])).status_code == 404
    assert director.post(reverse("projects:alert_acknowledge", args=[theirs.pk, alert.pk])).status_code == 404
    # Another project's alert under my project's address: 404 too.
    assert director.post(reverse("projects:alert_acknowledge", args=[mine.pk, alert.pk])).status_code == 404
    assert f'id="alert-{alert.pk}"' not in director.get(reverse("projects:alert_list")).content.decode()
    assert _reload(alert).acknowledged_at is None


def test_cross_project_page_shows_the_members_projects_with_filters(alice_world, django_assert_max_num_queries):
    mine = _project(alice_world)
    elsewhere = f.ProjectFactory(client=f.ClientFactory(agency=alice_world.agency, owner=alice_world.am2.user))
    [my_alert] = _alerts(mine, kind="client_silent")
    [budget] = _alerts(mine, kind="budget_burn")
    [other] = _alerts(elsewhere)
    am = login(alice_world.am)
    url = reverse("projects:alert_list")
    body = am.get(url).content.decode()
    assert f'id="alert-{my_alert.pk}"' in body and f'id="alert-{other.pk}"' not in body
    assert mine.name in body
    filtered = am.get(url + "?kind=client_silent").content.decode()
    assert f'id="alert-{my_alert.pk}"' in filtered and f'id="alert-{budget.pk}"' not in filtered
    assert f'id="alert-{other.pk}"' in login(alice_world.director).get(url).content.decode()
    assert 'id="alerts-empty"' in login(alice_world.specialist).get(url + "?state=resolved").content.decode()
    for _ in range(30):
        _alerts(_project(alice_world), 1)
    with django_assert_max_num_queries(14):
        page = am.get(url)
    assert page.status_code == 200 and "page=2" in page.content.decode()
    assert login(alice_world.client_contact).get(url).status_code == 302


def test_acknowledged_alerts_are_listed_after_new_ones(alice_world):
    project = _project(alice_world)
    old, new = _alerts(project, 2)
    with scope(agency=alice_world.agency):
        Alert.objects.filter(pk=old.pk).update(acknowledged_at=timezone.now(), raised_at=timezone.now())
        Alert.objects.filter(pk=new.pk).update(raised_at=timezone.now() - timedelta(days=3))
    body = login(alice_world.director).get(reverse("projects:alerts", args=[project.pk])).content.decode()
    assert body.index(f'id="alert-{new.pk}"') < body.index(f'id="alert-{old.pk}"')
    only_ack = login(alice_world.director).get(reverse("projects:alerts", args=[project.pk]) + "?state=acknowledged")
    assert f'id="alert-{new.pk}"' not in only_ack.content.decode()


def test_menu_include_counts_open_unacknowledged_alerts_in_one_query(alice_world, django_assert_num_queries):
    project = _project(alice_world)
    _alerts(project, 3)
    f.AlertFactory(project=project, subject_key="ack", acknowledged_at=timezone.now())
    f.AlertFactory(project=project, subject_key="res", resolved_at=timezone.now())
    request = RequestFactory().get("/")
    request.agency, request.membership, request.user = alice_world.agency, alice_world.am, alice_world.am.user
    template = Template('{% include "projects/_alerts_menu.html" %}')
    with scope(agency=alice_world.agency), django_assert_num_queries(1):
        html = template.render(Context({"request": request}))
    assert 'id="nav-alerts-count"' in html and ">3</span>" in html
    request.membership = alice_world.am2
    with scope(agency=alice_world.agency):
        assert 'id="nav-alerts-count"' not in template.render(Context({"request": request}))


# --- API -------------------------------------------------------------------------------------------------
def _api(membership):
    from rest_framework.test import APIClient

    _token, key = api_token_create(user=membership.user, membership=membership, name="t")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api


def test_api_lists_alerts_with_filters_and_acknowledges(alice_world, bob_world):
    project = _project(alice_world)
    [open_alert] = _alerts(project, kind="client_silent")
    resolved = f.AlertFactory(project=project, subject_key="gone", resolved_at=timezone.now())
    other = f.AlertFactory(project=_project(alice_world), subject_key="x")
    foreign = f.AlertFactory(project=_project(bob_world), subject_key="y")
    api = _api(alice_world.am)
    ids = {row["id"] for row in api.get("/api/v1/alerts/").json()["results"]}
    assert {str(open_alert.pk), str(resolved.pk), str(other.pk)} == ids
    assert [r["id"] for r in api.get(f"/api/v1/alerts/?project={project.pk}&open=true").json()["results"]] == [
        str(open_alert.pk)]
    assert [r["id"] for r in api.get("/api/v1/alerts/?kind=client_silent").json()["results"]] == [str(open_alert.pk)]
    answer = api.post(f"/api/v1/alerts/{open_alert.pk}/acknowledge/")
    assert answer.status_code == 200 and answer.json()["acknowledged_by"] == alice_world.am.user.email
    assert api.post(f"/api/v1/alerts/{resolved.pk}/acknowledge/").status_code == 400
    assert api.post(f"/api/v1/alerts/{foreign.pk}/acknowledge/").status_code == 404
    assert api.get(f"/api/v1/alerts/{foreign.pk}/").status_code == 404


def test_api_acknowledge_refuses_a_team_member_who_is_not_the_pm(alice_world):
    project = _project(alice_world, manager=alice_world.director.user)
    f.ProjectMemberFactory(project=project, user=alice_world.specialist.user)
    [alert] = _alerts(project)
    api = _api(alice_world.specialist)
    assert api.get(f"/api/v1/alerts/{alert.pk}/").status_code == 200
    assert api.post(f"/api/v1/alerts/{alert.pk}/acknowledge/").status_code == 403
    assert _reload(alert).acknowledged_at is None
