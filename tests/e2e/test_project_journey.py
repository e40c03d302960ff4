"""Journey (issue 10): the client accepts a КП → the project is created by the hand-off → the AM appoints the PM →
the PM assigns a task → the specialist logs time → the task slips → the AM sees the alert → the PM marks a
milestone reached and the client finds the notification in their inbox."""
import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from mrm.notifications.models import Notification
from mrm.tenancy.models import Role
from projects.alerts.signals import debounce_key
from projects.models import Alert, Milestone, Project, ProjectTask, TimeEntry
from projects.services import time as time_services
from tests import factories as f
from tests.factories import PASSWORD
from tests.proposals.conftest import catalog  # noqa: F401 - fixture
from tests.proposals.test_sending import _recipients, _send, _token, ready  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db(transaction=True)


def _login(page: Page, base: str, user) -> None:
    # about:blank first: a response still on its way from the previous page would set that session's CSRF
    # cookie again after the login form read a new one (the login then answers 403).
    page.goto("about:blank")
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main button[type=submit]").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


def test_accepted_proposal_to_project_alert_and_client_notification(page: Page, live_server, alice_world, ready,  # noqa: F811
                                                                      django_capture_on_commit_callbacks):
    base, agency = live_server.url, alice_world.agency
    am, pm = alice_world.am.user, alice_world.specialist.user
    irina = ready["irina"]
    client_login = f.MembershipFactory(agency=agency, role=Role.CLIENT, contact=irina,
                                       user=f.UserFactory(email=irina.email, full_name=irina.full_name)).user
    version = _send(alice_world, ready, django_capture_on_commit_callbacks)
    (recipient,) = [r for r in _recipients(version) if r.email == irina.email]

    # 1. The client accepts on the personal link; the hand-off creates the project.
    page.goto(f"{base}/p/{_token(recipient)}/")
    page.fill("input[name=signed_name]", "Ирина Павлова")
    page.check("input[name=accept_terms]")
    page.locator("button[name=decision][value=accept]").click()
    expect(page.locator(".alert-success")).to_be_visible()
    with scopes_disabled():
        project = Project.objects.get(agency=agency, proposal=ready["proposal"])
        task = ProjectTask.objects.filter(project=project).order_by("-estimate_hours", "position").first()
        milestone = Milestone.objects.filter(project=project, client_visible=True).order_by("order").first()
    assert project.account_manager_id == am.pk and task is not None and milestone is not None

    # 2. The AM finds it in the list and appoints the PM.
    _login(page, base, am)
    page.goto(f"{base}/projects/")
    page.locator(f"a[href='/projects/{project.pk}/']").first.click()
    expect(page).to_have_url(f"{base}/projects/{project.pk}/")
    page.goto(f"{base}/projects/{project.pk}/edit/")
    page.select_option("select[name=manager]", str(pm.pk))
    page.locator("#project-form button[type=submit]").click()
    expect(page).to_have_url(f"{base}/projects/{project.pk}/")

    # 3. The PM assigns the biggest task to themselves with dates.
    _login(page, base, pm)
    page.goto(f"{base}/projects/{project.pk}/tasks/{task.pk}/edit/")
    page.select_option("#task-form select[name=assignee]", str(pm.pk))
    today = time_services.agency_today(agency)
    page.fill("#task-form input[name=start_date]", (today - timedelta(days=6)).isoformat())
    page.fill("#task-form input[name=due_date]", (today + timedelta(days=10)).isoformat())
    page.locator("#task-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"/projects/{project.pk}/tasks/{task.pk}/"))

    # 4. The specialist (the PM here) logs time on it.
    page.goto(f"{base}/projects/{project.pk}/time/")
    page.select_option("#time-entry-form select[name=entry-task]", str(task.pk))
    page.fill("#time-entry-form input[name=entry-date]", today.isoformat())
    page.fill("#time-entry-form input[name=entry-hours]", "3")
    page.locator("#time-entry-save").click()
    expect(page.locator("#time-entries")).to_contain_text(task.title)
    with scopes_disabled():
        assert TimeEntry.objects.filter(project=project, task=task, user=pm).exists()

    # 5. The task slips: its due date moves into the past. (In production the alert evaluation runs 30 s after
    #    the first change of a burst; the test lets that window pass by dropping the debounce key.)
    cache.delete(debounce_key(project.pk))
    page.goto(f"{base}/projects/{project.pk}/tasks/{task.pk}/edit/")
    page.fill("#task-form input[name=due_date]", (today - timedelta(days=2)).isoformat())
    page.locator("#task-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"/projects/{project.pk}/tasks/{task.pk}/"))
    with scopes_disabled():
        assert Alert.objects.filter(project=project, resolved_at__isnull=True).exists()

    # 6. The AM sees the alert, with the project and a reason.
    _login(page, base, am)
    page.goto(f"{base}/projects/alerts/")
    expect(page.locator("main")).to_contain_text(project.name)
    expect(page.locator("#nav-alerts-count")).to_be_visible()

    # 7. The PM marks the client-visible milestone reached; the client gets the notification.
    _login(page, base, pm)
    page.goto(f"{base}/projects/{project.pk}/milestones/")
    with page.expect_navigation():  # the POST and its redirect back, before the next login clears the cookies
        page.locator(f"form[action='/projects/{project.pk}/milestones/{milestone.pk}/reached/'] button").click()
    with scopes_disabled():
        milestone.refresh_from_db()
        assert milestone.reached_at is not None
        assert Notification.objects.filter(recipient=client_login, kind="milestone.reached").exists()
    _login(page, base, client_login)
    page.goto(f"{base}/notifications/")
    expect(page.locator("main")).to_contain_text(milestone.title)
