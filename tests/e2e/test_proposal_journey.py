"""Journey: a visitor sends the public brief; the AM drafts the КП with the (fake) AI, edits a line, makes
the PDF and sends it; the client opens the personal link and accepts; the deal is won."""
import re
from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from clients.models import Deal
from proposals.models import Decision, Proposal, ProposalSettings
from tests import factories as f
from tests.conftest import _world
from tests.fakes.openai_server import FakeOpenAIServer

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def fake_ai(settings):
    server = FakeOpenAIServer().start()
    settings.OPENAI_API_KEY = "test-key"
    settings.OPENAI_BASE_URL = server.base_url
    settings.OPENAI_MODEL = "fake-model"
    yield server
    server.stop()


def test_brief_to_accepted_proposal(page: Page, live_server, fake_ai, settings):
    world = _world("Alice Agency", "alice")
    agency, am = world.agency, world.am.user
    strategist = f.RateRoleFactory(agency=agency, name="Стратег", hourly_rate=Decimal("6500"))
    smm = f.RateRoleFactory(agency=agency, name="SMM-менеджер", hourly_rate=Decimal("2800"))
    f.ServiceFactory(agency=agency, discipline="strategy", name="Коммуникационная стратегия", hours_min=24,
                     hours_max=48, roles=[strategist])
    f.ServiceFactory(agency=agency, discipline="smm", name="Ведение сообществ", hours_min=40, hours_max=70,
                     roles=[smm])
    with scopes_disabled():
        ProposalSettings.objects.create(agency=agency, brief_owner=am)
    base = live_server.url

    # 1. A visitor sends the public brief.
    page.goto(f"{base}/b/{agency.slug}/")
    page.fill("input[name=company_name]", "Кофейня «Зерно»")
    page.fill("input[name=contact_name]", "Анна Соколова")
    page.fill("input[name=contact_email]", "anna@zerno.example")
    page.fill("textarea[name=goals]", "Больше гостей по утрам и заказов навынос")
    page.check("input[name=channels][value=smm]")
    page.check("input[name=consent]")
    page.wait_for_timeout(2100)  # faster than a human is a bot
    page.locator("main form[enctype] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/b/alice/thanks/$"))

    # 2. The AM logs in, opens the brief and drafts the proposal with AI.
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", am.email)
    page.fill("input[name=password]", f.PASSWORD)
    page.locator("main button[type=submit]").click()
    page.goto(f"{base}/proposals/briefs/")
    page.get_by_role("link", name="Кофейня «Зерно»").click()
    page.locator("#draft form button.btn-primary").click()
    draft_link = page.locator("#draft-job a[href^='/proposals/']").first
    expect(draft_link).to_be_visible(timeout=20000)
    # The finished job also refreshes the brief's draft block: click once the page has settled, so the click
    # does not land on a link that is being swapped out.
    page.wait_for_load_state("networkidle")
    page.locator("#draft-job a[href^='/proposals/']").first.click()
    expect(page).to_have_url(re.compile(r"/proposals/[0-9a-f-]{36}/$"))
    expect(page.locator("h1.page-title")).to_contain_text("Кофейня «Зерно»")
    assert len(fake_ai.requests) == 1

    # 3. Edit a line's hours: the totals update live.
    hours = page.locator("input.mrm-hours").first
    hours.fill("10")
    with page.expect_response(lambda r: "/lines/" in r.url and r.request.method == "POST"):
        hours.press("Tab")
    with scopes_disabled():
        proposal = Proposal.objects.get(agency=agency)
        first_line = proposal.lines.order_by("order").first()
    assert first_line.hours == Decimal("10")
    digits = str(int(proposal.total))
    grouped = re.compile(r"\D*".join(digits))  # "408 000 ₽" with any separators
    expect(page.locator("[data-total=total]")).to_have_text(grouped)

    # 4. Make the PDF.
    page.locator("form[action$='/pdf/render/'] button").click()
    expect(page.locator("#pdf-job a[href$='/pdf/']")).to_be_visible(timeout=30000)

    # 5. Send it to the contact that came with the brief.
    page.locator("a[href$='/send/']").first.click()
    page.locator("input[name=contacts]").first.check()
    page.locator("main form button.btn-primary").click()
    expect(page.locator(".alert-success")).to_be_visible()
    link = next(line for line in mail.outbox[-1].body.splitlines() if "/p/" in line and "pdf" not in line)
    client_url = base + "/p/" + link.split("/p/")[1].strip()
    assert client_url.startswith(base) and django_settings.SITE_URL not in client_url

    # 6. The client opens the personal link and accepts.
    page.context.clear_cookies()
    page.goto(client_url)
    expect(page.locator(".mrm-wv-title")).to_contain_text("Кофейня «Зерно»")
    expect(page.locator("#accept-hash")).not_to_be_empty()
    expect(page.locator("input[name=signed_name]")).to_have_value("")  # typed by the client, never prefilled
    page.fill("input[name=signed_name]", "Анна Соколова")
    page.locator("button[name=decision][value=accept]").click()  # the "I accept" box is not ticked yet
    expect(page.locator("input[name=accept_terms] ~ .invalid-feedback")).to_be_visible()
    expect(page.locator("input[name=signed_name]")).to_have_value("Анна Соколова")
    page.check("input[name=accept_terms]")
    page.locator("button[name=decision][value=accept]").click()
    expect(page.locator(".alert-success")).to_contain_text("Анна Соколова")
    confirmation = next(m for m in mail.outbox if m.to == ["anna@zerno.example"] and m.attachments)
    assert confirmation.attachments[0][2] == "application/pdf"

    with scopes_disabled():
        proposal.refresh_from_db()
        decision = Decision.objects.get(proposal=proposal)
        deal = Deal.objects.get(pk=proposal.deal_id)
        version_hash = proposal.versions.get().content_hash
    assert proposal.status == Proposal.Status.ACCEPTED and deal.stage == Deal.Stage.WON
    assert decision.version_hash == version_hash
