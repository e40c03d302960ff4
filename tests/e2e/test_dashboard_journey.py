"""The director's KPI journey: open the dashboard from the menu, choose another period, read the NPS tile and drill
down to the detractors behind it (the hand-counted portfolio of tests/dashboards/conftest.py, Q1 2026); then open the
at-risk list and assign a follow-up to the client's AM (the health clients of tests/dashboards/health_data.py)."""
import re

import pytest
from playwright.sync_api import Page, expect

from tests.dashboards.conftest import health_world, portfolio  # noqa: F401 - the fixtures
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def _login(page: Page, base: str, member) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", member.user.email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form[novalidate] button[type=submit]").click()
    expect(page).to_have_url(f"{base}/today/")


def test_director_changes_the_period_and_drills_to_the_detractors(page: Page, live_server, portfolio):  # noqa: F811
    base = live_server.url
    _login(page, base, portfolio.world.director)
    page.locator("#sidebar-menu a[href='/dashboards/']").click()
    expect(page).to_have_url(re.compile(r"/dashboards/$"))
    expect(page.locator("#kpi-tiles section")).to_have_count(6)

    # Another period: the quarter of 15 February 2026.
    page.select_option("#period-kind", "quarter")
    page.fill("#period-on", "2026-02-15")
    page.locator("#period-apply").click()
    expect(page).to_have_url(re.compile(r"period=quarter"))
    expect(page.locator("#tile-nps-value")).to_have_text("25")
    expect(page.locator("#tile-retention-value")).to_contain_text("66,7")
    expect(page.locator("#tile-retention-status")).to_contain_text(re.compile("Ниже цели|Off target"))  # status in words, not colour only
    expect(page.locator("#tile-nps svg title").first).to_contain_text("NPS")

    # The NPS tile's detractors: B, with its comment; nobody else.
    page.locator("#tile-nps-detractors").click()
    expect(page).to_have_url(re.compile(r"/dashboards/nps/\?.*segment=detractors"))
    table = page.locator("#drill-table")
    expect(table).to_contain_text("B Бета")
    expect(table).to_contain_text("Долго отвечаете")
    expect(table).not_to_contain_text("A Альфа")
    expect(page.locator("#drill-segments a[aria-current='true']")).to_contain_text(re.compile("Критики|Detractors"))


def test_director_drills_from_the_red_nps_tile_then_assigns_a_follow_up_to_an_at_risk_client(
        page: Page, live_server, portfolio, health_world):  # noqa: F811
    from django_scopes import scopes_disabled

    from clients.models import Task

    base = live_server.url
    _login(page, base, portfolio.world.director)
    page.goto(f"{base}/dashboards/?period=quarter&on=2026-02-15")
    expect(page.locator("#tile-nps-status")).to_contain_text(re.compile("Ниже цели|Off target"))  # 25 against 50: red
    page.locator("#tile-nps-detractors").click()
    expect(page.locator("#drill-table")).to_contain_text("B Бета")

    # Back on the dashboard: the client health link leads to the at-risk list (built on the first visit).
    page.goto(f"{base}/dashboards/?period=quarter&on=2026-02-15")
    page.locator("#at-risk-link").click()
    expect(page).to_have_url(re.compile(r"/dashboards/health/"))
    row = page.locator(f"#health-{health_world.r.pk}")
    expect(row).to_contain_text("Риск")
    expect(page.locator(f"#health-{health_world.h.pk}")).to_have_count(0)  # a healthy client is not at risk

    # Assign the suggested follow-up: the form opens in the row with the action as its title, and answers in place.
    row.locator("[data-testid=assign-followup]").click()
    title = row.locator("input[name=title]")
    expect(title).not_to_have_value("")
    row.locator("button[type=submit]").click()
    done = page.locator(f"#followup-done-{health_world.r.pk}")
    am = portfolio.world.am.user
    expect(done).to_contain_text(am.full_name or am.email)
    with scopes_disabled():
        task = Task.objects.get(client=health_world.r)
    assert task.assignee_id == am.pk and task.due_at is not None
    # Now the health is computed, the dashboard's link counts the clients at risk (loaded by htmx).
    page.goto(f"{base}/dashboards/")
    expect(page.locator("#at-risk-count")).to_contain_text(re.compile(r"1 (клиент под угрозой|client at risk)"))
