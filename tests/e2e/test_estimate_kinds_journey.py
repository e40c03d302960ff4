"""Journey: a КП with a monthly retainer, a media budget with 12 % commission and an optional item is accepted by
the client with the optional item switched on, and the totals in the editor, web view, PDF, API and e-mail are
equal (helper "estimates")."""
import io
import re
from decimal import Decimal

import pytest
from django.core import mail
from django_scopes import scope, scopes_disabled
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from mrm.core.templatetags.mrm import money
from proposals.models import Decision, EstimateLine, Proposal, ProposalVersion, Service
from proposals.services import documents, editor
from tests import factories as f
from tests.conftest import _world, login

pytestmark = pytest.mark.django_db(transaction=True)

# One-off: landing 90 000 (+ 4 banners × 5 000 when switched on). Monthly: community management 40 h × 2 800 =
# 112 000 for 6 months; media budget 100 000 + 12 % = 112 000 for 3 months. VAT 20 % on top.
ONE_OFF, ONE_OFF_WITH = Decimal("108000.00"), Decimal("132000.00")
MONTHLY = Decimal("268800.00")
TERM, TERM_WITH = Decimal("1317600.00"), Decimal("1341600.00")


def _digits(amount: Decimal):
    """'1 341 600 ₽' whatever the separators."""
    return re.compile(r"\D*".join(str(int(amount))))


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _has(text: str, amount: Decimal) -> bool:
    return f"{int(amount):,}".replace(",", "") in re.sub(r"[\s\u202f\u00a0]", "", text)


def _wait_estimate(page: Page, action):
    with page.expect_response(lambda r: "/lines/" in r.url and r.request.method == "POST"):
        action()
    page.wait_for_load_state("networkidle")


def test_retainer_media_and_option_accepted_with_equal_totals_everywhere(page: Page, live_server, settings):
    world = _world("Alice Agency", "alice")
    agency, am = world.agency, world.am.user
    smm = f.RateRoleFactory(agency=agency, name="SMM-менеджер", hourly_rate=Decimal("2800"), cost_rate=Decimal("1300"))
    community = f.ServiceFactory(agency=agency, discipline="smm", name="Ведение сообществ", unit=Service.Unit.MONTH,
                     hours_min=30, hours_max=50, roles=[smm])
    budget = f.ServiceFactory(agency=agency, discipline="context", name="Бюджет Яндекс Директ", unit=Service.Unit.MONTH,
                     price_kind="media", commission_percent=Decimal("12"), roles=[])
    landing = f.ServiceFactory(agency=agency, discipline="web", name="Лендинг", price_kind="fixed", price=Decimal("90000"),
                     roles=[])
    banners = f.ServiceFactory(agency=agency, discipline="creative", name="Баннеры", unit=Service.Unit.PIECE,
                     price_kind="quantity", price=Decimal("5000"), roles=[])
    client = f.ClientFactory(agency=agency, name="ООО «Зерно»", owner=am)
    f.ContactFactory(agency=agency, client=client, full_name="Анна Соколова", email="anna@zerno.example",
                     is_primary=True)
    with scope(agency=agency):
        agency.vat_rate = Decimal("20")
        agency.save(update_fields=["vat_rate"])
        proposal = editor.proposal_create(agency=agency, actor=am, client=client, title="Запуск кофейни")
        editor.section_add(agency=agency, actor=am, proposal=proposal, title="Задача", body="Больше гостей по утрам.")
    base = live_server.url

    # 1. The AM builds the estimate in the editor: each kind from the catalog, live totals from the server.
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", am.email)
    page.fill("input[name=password]", f.PASSWORD)
    page.locator("main button[type=submit]").click()
    page.goto(f"{base}/proposals/{proposal.pk}/")
    add = "form[action$='/lines/add/']"
    for service, field, value in [(community, "line-hours", "40"), (budget, "line-budget", "100000"),
                                  (landing, None, None), (banners, "line-quantity", "4")]:
        page.locator("#id_line-service").select_option(value=str(service.pk))
        if field:
            page.fill(f"{add} input[name={field}]", value)
        _wait_estimate(page, lambda: page.locator(f"{add} button").click())
    retainer = page.locator("tr[data-kind=time]")
    expect(retainer.locator("select.mrm-billing")).to_have_value("monthly")  # the catalog's "per month"
    retainer.locator("input.mrm-months").fill("6")
    _wait_estimate(page, lambda: retainer.locator("input.mrm-months").press("Tab"))
    media = page.locator("tr[data-kind=media]")
    expect(media.locator("input.mrm-commission")).to_have_value("12")
    _wait_estimate(page, lambda: page.locator("tr[data-kind=quantity] input[name=optional][type=checkbox]").check())
    expect(page.locator("#suggestions")).to_contain_text("Баннеры")
    expect(page.locator("[data-total=one-off]")).to_have_text(_digits(ONE_OFF))
    expect(page.locator("[data-total=monthly]")).to_have_text(_digits(MONTHLY))
    expect(page.locator("[data-total=total]")).to_have_text(_digits(TERM))
    with scopes_disabled():
        banner = EstimateLine.objects.get(proposal=proposal, name="Баннеры")
        assert banner.is_optional and banner.offered and banner.amount == Decimal("20000.00")

    # 2. Send it.
    page.locator("a[href$='/send/']").first.click()
    page.locator("input[name=contacts]").first.check()
    page.locator("main form button.btn-primary").click()
    expect(page.locator(".alert-success")).to_be_visible()
    sent = mail.outbox[-1]
    link = next(line for line in sent.body.splitlines() if "/p/" in line and "pdf" not in line)
    client_url = base + "/p/" + link.split("/p/")[1].strip()
    assert _has(sent.body, TERM) and _has(sent.body, ONE_OFF) and _has(sent.body, MONTHLY)
    with scopes_disabled():
        version = ProposalVersion.objects.get(proposal=proposal)
        pdf_text = _flat("".join(p.extract_text() for p in PdfReader(io.BytesIO(
            documents.version_pdf(version=version))).pages))
    for amount in (ONE_OFF, MONTHLY, TERM):
        assert _flat(money(amount)) in pdf_text

    # 3. The client opens the link, sees the same totals, switches the banners on and accepts.
    page.context.clear_cookies()
    page.goto(client_url)
    expect(page.locator("[data-total=one-off]")).to_have_text(_digits(ONE_OFF))
    expect(page.locator("[data-total=monthly]")).to_contain_text(_digits(MONTHLY))
    expect(page.locator("[data-total=term]")).to_have_text(_digits(TERM))
    expect(page.locator("[data-choice=total]")).to_have_text(_digits(TERM))
    with page.expect_response(lambda r: r.url.endswith("/options/") and r.status == 200):
        page.locator(f"input[name=options][value='{banner.pk}']").check()
    expect(page.locator("[data-choice=total]")).to_have_text(_digits(TERM_WITH))
    expect(page.locator("[data-choice=one-off]")).to_have_text(_digits(ONE_OFF_WITH))
    expect(page.locator("#accept-total")).to_contain_text(_digits(TERM_WITH))
    expect(page.locator("#accept-options")).to_have_text("Баннеры")
    expect(page.locator("#accept-button-total")).to_have_text(_digits(TERM_WITH))
    page.fill("input[name=signed_name]", "Анна Соколова")
    page.check("input[name=accept_terms]")
    page.locator("button[name=decision][value=accept]").click()
    expect(page.locator(".alert-success")).to_contain_text("Анна Соколова")
    expect(page.locator("#decision-choice")).to_contain_text("Баннеры")
    expect(page.locator("#decision-choice")).to_contain_text(_digits(TERM_WITH))

    # 4. The choice is recorded with the version; the AM, the API, the e-mails and the PDF agree.
    with scopes_disabled():
        decision = Decision.objects.select_related("version").get(proposal=proposal)
        proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.ACCEPTED and decision.version_id == version.pk
    assert [o["key"] for o in decision.options] == [str(banner.pk)]
    assert Decimal(decision.accepted_totals["total"]) == TERM_WITH
    assert Decimal(decision.accepted_totals["one_off_total"]) == ONE_OFF_WITH
    assert Decimal(decision.accepted_totals["monthly_total"]) == MONTHLY
    api = login(world.am).get(f"/api/v1/proposals/{proposal.pk}/").json()
    assert (Decimal(api["totals"]["one_off_total"]), Decimal(api["totals"]["monthly_total"]),
            Decimal(api["totals"]["term_total"])) == (ONE_OFF, MONTHLY, TERM)
    assert Decimal(api["decision"]["total"]) == TERM_WITH and api["decision"]["options"][0]["name"] == "Баннеры"
    assert [o["name"] for o in api["options"]] == ["Баннеры"]
    owner_mail = next(m for m in mail.outbox if m.to == [am.email] and "Анна Соколова" in m.body)
    confirmation = next(m for m in mail.outbox if m.to == ["anna@zerno.example"] and m.attachments)
    for body in (owner_mail.body, confirmation.body):
        assert _has(body, TERM_WITH) and _has(body, ONE_OFF_WITH) and _has(body, MONTHLY) and "Баннеры" in body
    certificate = _flat("".join(p.extract_text() for p in PdfReader(io.BytesIO(confirmation.attachments[0][1])).pages))
    for amount in (ONE_OFF_WITH, MONTHLY, TERM_WITH):
        assert _flat(money(amount)) in certificate
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", am.email)
    page.fill("input[name=password]", f.PASSWORD)
    page.locator("main button[type=submit]").click()
    page.goto(f"{base}/proposals/{proposal.pk}/")
    expect(page.locator("#decision-choice")).to_contain_text("Баннеры")
    expect(page.locator("#decision-choice")).to_contain_text(_digits(TERM_WITH))
