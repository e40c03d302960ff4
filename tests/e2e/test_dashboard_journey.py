"""The director's KPI journey: open the dashboard from the menu, choose another period, read the NPS tile and drill
down to the detractors behind it (the hand-counted portfolio of tests/dashboards/conftest.py, Q1 2026)."""
import re

import pytest
from playwright.sync_api import Page, expect

from tests.dashboards.conftest import portfolio  # noqa: F401 - the fixture
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
