"""Journey: the AM opens a client's invoice, generates its PDF and downloads it; the PDF says the total in words."""
from datetime import date
from decimal import Decimal

import pdfplumber
import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from clients.models import AgencyLegalDetails
from tests import factories as f
from tests.conftest import _world

pytestmark = pytest.mark.django_db(transaction=True)


def test_am_generates_and_downloads_the_invoice_pdf(page: Page, live_server):
    world = _world("Alice Agency", "alice")
    agency, am = world.agency, world.am.user
    with scopes_disabled():
        AgencyLegalDetails.objects.create(agency=agency, legal_name="ООО «Альфа»", inn="7707083893", kpp="773601001",
                                          bank_name="ПАО Сбербанк", bik="044525225",
                                          correspondent_account="30101810400000000225",
                                          settlement_account="40702810938000000001")
    client = f.ClientFactory(agency=agency, owner=am, name="Кофейня «Зерно»", legal_name="ООО «Зерно»",
                             inn="7736207543", kpp="770401001")
    invoice = f.InvoiceFactory(client=client, number="2026-0042", issued_on=date(2026, 3, 2),
                               amount=Decimal("732420"), vat_amount=Decimal("146484"), total=Decimal("878904"))
    base = live_server.url

    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", am.email)
    page.fill("input[name=password]", f.PASSWORD)
    page.locator("main button[type=submit]").click()
    page.goto(f"{base}/clients/{client.pk}/")
    page.locator(f"a[href$='/invoices/{invoice.pk}/edit/']").first.click()
    expect(page.locator("h1.page-title")).to_contain_text("2026-0042")

    page.locator("form[action$='/pdf/render/'] button").click()
    link = page.locator("#invoice-pdf-job a[href$='/pdf/']")
    expect(link).to_be_visible(timeout=30000)
    with page.expect_download() as download_info:
        link.click()
    path = download_info.value.path()
    with pdfplumber.open(path) as doc:
        text = "\n".join(p.extract_text() or "" for p in doc.pages)
    assert "Счёт на оплату № 2026-0042 от 02.03.2026" in text
    assert "Восемьсот семьдесят восемь тысяч девятьсот четыре рубля 00 копеек" in text
