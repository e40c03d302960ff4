"""A specialist's week in the browser: type hours into the timesheet (each cell saves on leaving it, the totals
follow), move with the keyboard, a refused cell shows its message in place, and the timer starts and stops."""
import os
from datetime import timedelta
from decimal import Decimal

import pytest
from django_scopes import scope
from playwright.sync_api import Page, expect

from projects.models import TimeEntry
from projects.services import time as svc
from tests import factories as f
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def _login(page: Page, base: str, user) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main button[type=submit]").click()
    expect(page).to_have_url(f"{base}/today/")


def test_timesheet_cells_keyboard_and_timer(page: Page, live_server, alice_world):
    base, specialist = live_server.url, alice_world.specialist
    project = f.ProjectFactory(client=f.ClientFactory(agency=alice_world.agency), name="Сайт «Ромашки»")
    f.ProjectMemberFactory(project=project, user=specialist.user)
    first = f.ProjectTaskFactory(project=project, assignee=specialist.user, title="Макет главной")
    second = f.ProjectTaskFactory(project=project, assignee=specialist.user, title="Тексты")
    today = svc.agency_today(alice_world.agency)
    monday = today - timedelta(days=today.weekday())
    _login(page, base, specialist.user)
    page.goto(f"{base}/projects/time/week/?week={svc.week_label(monday)}")
    cell = page.locator(f"#{svc.cell_key(project_id=project.pk, task_id=first.pk, day=monday)}")
    cell.fill("2,5")
    cell.press("Enter")  # moves down a row; leaving the cell saves it
    below = page.locator(f"#{svc.cell_key(project_id=project.pk, task_id=second.pk, day=monday)}")
    expect(below).to_be_focused()
    expect(page.locator("#week-total")).to_have_text("2,5")
    below.fill("30")
    below.press("Tab")
    expect(page.locator(".invalid-feedback").first).to_be_visible()
    expect(page.locator("#week-total")).to_have_text("2,5")
    if os.environ.get("MRM_SHOTS"):
        page.screenshot(path=os.path.join(os.environ["MRM_SHOTS"], "timesheet.png"), full_page=True)
    page.select_option("#timer-target", f"{project.pk}:{first.pk}")
    page.click("#timer-start")
    expect(page.locator("#timer-stop")).to_be_visible()
    expect(page.locator("#timer-indicator")).to_be_visible()
    page.click("#timer-stop")
    expect(page.locator("#timer-start")).to_be_visible()
    with scope(agency=alice_world.agency):
        assert sorted(TimeEntry.objects.filter(user=specialist.user).values_list("hours", flat=True)) == [
            Decimal("0.05"), Decimal("2.50")]
    if os.environ.get("MRM_SHOTS"):
        page.goto(f"{base}/projects/{project.pk}/time/")
        page.screenshot(path=os.path.join(os.environ["MRM_SHOTS"], "time-tab.png"), full_page=True)
        page.goto(f"{base}/projects/capacity/")
        page.screenshot(path=os.path.join(os.environ["MRM_SHOTS"], "capacity.png"), full_page=True)
