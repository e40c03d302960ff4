"""Journey: a visitor's brief asks for two services (context ads and analytics); the built-in drafter (no AI
key) makes a КП whose estimate holds exactly those two, while a service nobody asked for (strategy) shows only
as an optional suggestion, outside the total, until the AM offers or includes it."""
import re
from decimal import Decimal

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from proposals.models import EstimateLine, Proposal, ProposalSettings
from tests import factories as f
from tests.conftest import _world

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_brief_for_two_services_drafts_exactly_those_two_and_an_optional_suggestion(page: Page, live_server,
                                                                                      settings):
    settings.OPENAI_API_KEY = ""  # the built-in drafter, which says so in the UI
    world = _world("Alice Agency", "alice")
    agency, am = world.agency, world.am.user
    ppc = f.RateRoleFactory(agency=agency, name="Директолог", hourly_rate=Decimal("3300"))
    analyst = f.RateRoleFactory(agency=agency, name="Аналитик", hourly_rate=Decimal("3000"))
    strategist = f.RateRoleFactory(agency=agency, name="Стратег", hourly_rate=Decimal("6500"))
    buyer = f.RateRoleFactory(agency=agency, name="Медиабайер", hourly_rate=Decimal("3500"))
    f.ServiceFactory(agency=agency, discipline="context", name="Настройка Яндекс Директ", hours_min=16,
                     hours_max=32, roles=[ppc])
    f.ServiceFactory(agency=agency, discipline="analytics", name="Сквозная аналитика", hours_min=10,
                     hours_max=20, roles=[analyst])
    f.ServiceFactory(agency=agency, discipline="strategy", name="Коммуникационная стратегия", hours_min=24,
                     hours_max=48, roles=[strategist])
    f.ServiceFactory(agency=agency, discipline="media", name="Медиабаинг", hours_min=20, hours_max=40,
                     roles=[buyer])
    with scopes_disabled():
        ProposalSettings.objects.create(agency=agency, brief_owner=am)
    base = live_server.url

    page.goto(f"{base}/b/{agency.slug}/")
    page.fill("input[name=company_name]", "ООО «Лютик»")
    page.fill("input[name=contact_name]", "Олег Смирнов")
    page.fill("input[name=contact_email]", "oleg@lutik.example")
    page.fill("textarea[name=goals]", "Стоимость заявки не выше 900 ₽\nРост числа заявок из поиска на 30 %")
    page.check("input[name=channels][value=context]")
    page.check("input[name=channels][value=analytics]")
    page.check("input[name=consent]")
    page.wait_for_timeout(2100)  # faster than a human is a bot
    page.locator("main form[enctype] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/b/alice/thanks/$"))

    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", am.email)
    page.fill("input[name=password]", f.PASSWORD)
    page.locator("main button[type=submit]").click()
    page.goto(f"{base}/proposals/briefs/")
    page.get_by_role("link", name="ООО «Лютик»").click()
    page.locator("#draft form button.btn-primary").click()
    expect(page.locator("#draft-job a[href^='/proposals/']").first).to_be_visible(timeout=20000)
    page.wait_for_load_state("networkidle")
    page.locator("#draft-job a[href^='/proposals/']").first.click()
    expect(page).to_have_url(re.compile(r"/proposals/[0-9a-f-]{36}/$"))

    # Exactly the two asked-for services are in the estimate; the extra is an optional suggestion with a reason.
    included = page.locator("#estimate table tr[id^=line-] td:first-child .fw-semibold")
    expect(included).to_have_text(["Настройка Яндекс Директ", "Сквозная аналитика"])
    suggestions = page.locator("#suggestions li")
    expect(suggestions).to_have_count(1)
    expect(suggestions.first).to_contain_text("Коммуникационная стратегия")
    expect(page.locator("#suggestions")).not_to_contain_text("Медиабаинг")
    # The client's own words and amount reach the КП unchanged.
    expect(page.locator("main")).to_contain_text("Стоимость заявки не выше 900 ₽")

    with scopes_disabled():
        proposal = Proposal.objects.get(agency=agency)
        lines = list(EstimateLine.objects.filter(proposal=proposal).order_by("order"))
        asked = sum(ln.amount for ln in lines if not ln.is_optional)
        assert proposal.subtotal == asked and [ln.name for ln in lines if ln.is_optional] == [
            "Коммуникационная стратегия"]
    digits = re.compile(r"\D*".join(str(int(proposal.total))))
    expect(page.locator("[data-total=total]")).to_have_text(digits)

    # Offered to the client, it stays outside the total (a switch on the client's page).
    suggestions.first.get_by_role("button", name=re.compile("Коммуникационная стратегия")).first.click()
    expect(page.locator("#suggestions [data-offered]")).to_have_count(1)
    expect(page.locator("[data-total=total]")).to_have_text(digits)
