"""Journeys where an AM used to lose data in the browser: editing a client wiped its start date (the
date input got a Russian-formatted value the browser could not show, and submitted it empty)."""
from datetime import date

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from clients.models import Client
from tests.factories import PASSWORD, ClientFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _login(page: Page, base: str, member) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", member.user.email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main button[type=submit]").click()
    expect(page).to_have_url(f"{base}/today/")


def test_editing_only_the_status_keeps_the_start_date(page: Page, live_server, alice_world):
    base = live_server.url
    client = ClientFactory(agency=alice_world.agency, owner=alice_world.am.user, name="Пекарня «Колос»",
                           status=Client.Status.ONBOARDING, start_date=date(2026, 11, 15))
    _login(page, base, alice_world.am)

    page.goto(f"{base}/clients/{client.pk}/edit/")
    expect(page.locator("input[name=start_date]")).to_have_value("2026-11-15")  # the browser shows it
    page.locator("select[name=status]").select_option("active")
    page.locator("main form button[type=submit]").first.click()
    expect(page.locator("h1.page-title")).to_contain_text("Пекарня «Колос»")

    with scopes_disabled():
        client.refresh_from_db()
    assert client.status == Client.Status.ACTIVE
    assert client.start_date == date(2026, 11, 15)
