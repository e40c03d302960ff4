"""Journey: a client contact opens the portal home, follows a project to its timeline and downloads a
deliverable; both pages fit a phone's width (no sideways scrolling of the page, the timeline scrolls inside)."""
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from projects.models import ProjectTask
from tests import factories as f
from tests.conftest import _world, login

pytestmark = pytest.mark.django_db(transaction=True)


def _overflow(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def _widest(page: Page) -> list:
    """The elements that stick out past the viewport's right edge (for the failure message)."""
    return page.evaluate("""[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right
        > window.innerWidth + 0.5).slice(0, 8).map(e => e.tagName + '.' + e.className + '#' + e.id + ' '
        + Math.round(e.getBoundingClientRect().right))""")


def test_client_follows_a_project_and_downloads_a_deliverable(page: Page, live_server):
    world = _world("Alice Agency", "alice")
    company = world.client_contact.contact.client
    today = timezone.localdate()
    project = f.ProjectFactory(agency=world.agency, client=company, name="Редизайн корпоративного сайта компании",
                               start_date=today - timedelta(days=20), end_date=today + timedelta(days=60))
    concept = f.MilestoneFactory(project=project, title="Дизайн-концепция", due_date=today + timedelta(days=6))
    task = f.ProjectTaskFactory(project=project, milestone=concept, client_visible=True, title="Макет главной",
                                status=ProjectTask.Status.CLIENT_APPROVAL, start_date=today - timedelta(days=5),
                                due_date=today + timedelta(days=4))
    f.ProjectTaskFactory(project=project, client_visible=True, status=ProjectTask.Status.DONE,
                         completed_at=timezone.now(), start_date=today - timedelta(days=20),
                         due_date=today - timedelta(days=8))
    f.TaskAttachmentFactory(task=task, name="Макет главной v2", client_visible=True)
    cookie = login(world.client_contact).cookies["sessionid"].value
    page.context.add_cookies([{"name": "sessionid", "value": cookie, "url": live_server.url}])

    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/portal/")
        expect(page.locator(f"#portal-project-{project.pk}")).to_contain_text("Дизайн-концепция")
        expect(page.locator(f"#portal-approval-{task.pk}")).to_be_visible()
        page.screenshot(path=f"/tmp/portal-home-{width}.png", full_page=True)
        assert _overflow(page) <= 0, f"the home scrolls sideways at {width}px: {_widest(page)}"
        page.locator(f"#portal-project-{project.pk} a").click()
        expect(page.locator("#timeline")).to_be_visible()
        expect(page.locator("#portal-deliverables")).to_contain_text("Макет главной v2")
        page.screenshot(path=f"/tmp/portal-project-{width}.png", full_page=True)
        assert _overflow(page) <= 0, f"the project page scrolls sideways at {width}px: {_widest(page)}"

    with page.expect_download() as download:
        page.locator("#portal-deliverables a").first.click()
    assert download.value.suggested_filename.endswith(".pdf")
