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


def test_a_finished_draft_offers_the_draft_and_updates_the_brief_without_a_reload(page: Page, live_server,
                                                                                   alice_world, settings):
    from decimal import Decimal

    from tests import factories as f

    settings.OPENAI_API_KEY = ""  # the built-in drafter
    agency, am = alice_world.agency, alice_world.am
    smm = f.RateRoleFactory(agency=agency, name="SMM-менеджер", hourly_rate=Decimal("2800"))
    f.ServiceFactory(agency=agency, discipline="smm", name="Ведение сообществ", hours_min=40, hours_max=70,
                     roles=[smm])
    client = ClientFactory(agency=agency, owner=am.user, name="Кофейня «Зерно»")
    brief = f.BriefFactory(agency=agency, client=client, owner=am.user, company_name="Кофейня «Зерно»",
                           goals="Больше гостей по утрам", channels=["smm"])
    base = live_server.url
    _login(page, base, am)

    page.goto(f"{base}/proposals/briefs/{brief.pk}/")
    status_before = page.locator("#brief-status").inner_text()
    page.locator("#draft form button.btn-primary").click()
    next_step = page.locator("#draft-job a.mrm-job-next")
    expect(next_step).to_have_text("Открыть черновик", timeout=20000)
    expect(page.locator("#draft-job")).not_to_contain_text("Скачать")
    expect(page.locator("#brief-status")).not_to_have_text(status_before)  # swapped in, no reload
    expect(page.locator("#draft a[href^='/proposals/'] .fw-semibold").first).to_be_visible()  # the new КП listed
    next_step.click()
    expect(page.locator("h1.page-title")).to_contain_text("Кофейня «Зерно»")
    assert "/proposals/" in page.url and "/briefs/" not in page.url
