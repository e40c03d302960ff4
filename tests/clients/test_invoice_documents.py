"""Invoice and act documents: requisites validation, numbering, sum in words, the PDF, sending, the 1C export."""
import io
from datetime import date
from decimal import Decimal

import pdfplumber
import pytest
from django.core import mail
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from clients.forms_workspace import LegalDetailsForm
from clients.models import AgencyLegalDetails, Invoice
from clients.requisites import amount_in_words, validate_inn
from clients.services import billing
from clients.services import invoices as services
from mrm.tenancy.models import AuditLog
from tests.conftest import login
from tests.factories import ClientFactory, ContactFactory, InvoiceFactory

pytestmark = pytest.mark.django_db

SUPPLIER = {
    "legal_name": "ООО «Альфа Диджитал»", "inn": "7707083893", "kpp": "773601001", "ogrn": "1027700132195",
    "legal_address": "г. Москва, ул. Примерная, д. 1", "bank_name": "ПАО Сбербанк", "bik": "044525225",
    "correspondent_account": "30101810400000000225", "settlement_account": "40702810938000000001",
    "signatory_title": "Генеральный директор", "signatory_name": "Иванов И. И.", "accountant_name": "",
    "vat_mode": "excluded",
}


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def buyer(alice_world):
    return ClientFactory(agency=alice_world.agency, owner=alice_world.am.user, legal_name="ООО «Покупатель»",
                         inn="7736207543", kpp="770401001", legal_address="г. Москва, ул. Льва Толстого, 16")


def _details(agency, **overrides):
    with scopes_disabled():
        return AgencyLegalDetails.objects.create(agency=agency, **{**SUPPLIER, **overrides})


def _pdf_text(content: bytes) -> str:
    with pdfplumber.open(io.BytesIO(content)) as doc:
        return "\n".join(page.extract_text() or "" for page in doc.pages)


# --- Validation ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("inn", ["7707083893", "500100732259"])
def test_validate_inn_accepts_valid_checksums(inn):
    validate_inn(inn)


@pytest.mark.parametrize(("field", "value", "message"), [
    ("inn", "7707083894", "wrong check digit"),
    ("inn", "77070838", "10 digits"),
    ("inn", "50010073225X", "10 digits"),
    ("kpp", "77360100", "9 digits"),
    ("ogrn", "1027700132196", "wrong check digit"),
    ("ogrn", "10277001321", "13 digits"),
    ("bik", "04452522", "9 digits"),
    ("settlement_account", "4070281093800000000", "20 digits"),
    ("settlement_account", "40702810938000000002", "does not match the BIK"),
    ("correspondent_account", "30101810400000000226", "does not match the BIK"),
])
def test_legal_details_form_rejects_bad_requisites_with_a_clear_error(field, value, message):
    form = LegalDetailsForm(data={**SUPPLIER, field: value})
    assert not form.is_valid()
    assert message in " ".join(form.errors[field])


def test_legal_details_form_accepts_real_requisites_and_a_company_needs_a_kpp():
    assert LegalDetailsForm(data=SUPPLIER).is_valid()
    form = LegalDetailsForm(data={**SUPPLIER, "kpp": ""})
    assert not form.is_valid() and "KPP" in form.errors["kpp"][0]
    assert LegalDetailsForm(data={**SUPPLIER, "inn": "500100732259", "kpp": "", "ogrn": "304500116000157"}).is_valid()


def test_legal_details_page_director_saves_am_is_refused(alice_world, bob_world):
    w = alice_world
    response = login(w.director).post(reverse("clients:legal_details"), SUPPLIER)
    assert response.status_code == 302
    with scopes_disabled():
        details = AgencyLegalDetails.objects.get(agency=w.agency)
        assert details.inn == "7707083893"
        assert not AgencyLegalDetails.objects.filter(agency=bob_world.agency).exists()
        assert AuditLog.objects.filter(agency=w.agency, action="agency.legal_details_updated").exists()
    bad = login(w.director).post(reverse("clients:legal_details"), {**SUPPLIER, "inn": "123"})
    assert bad.status_code == 422 and "10 digits" in bad.content.decode()
    assert login(w.am).get(reverse("clients:legal_details")).status_code == 403


def test_client_edit_form_validates_the_clients_inn(alice_world, buyer):
    response = login(alice_world.am).post(reverse("clients:edit", args=[buyer.pk]), {
        "name": buyer.name, "status": buyer.status, "source": buyer.source, "inn": "7736207544", "kpp": "770401001",
        "legal_address": "x", "owner": alice_world.am.user.pk})
    assert response.status_code == 422 and "wrong check digit" in response.content.decode()
    response = login(alice_world.am).post(reverse("clients:edit", args=[buyer.pk]), {
        "name": buyer.name, "status": buyer.status, "source": buyer.source, "inn": "500100732259", "kpp": "",
        "legal_address": "Москва", "owner": alice_world.am.user.pk})
    assert response.status_code == 302
    buyer.refresh_from_db()
    assert buyer.inn == "500100732259" and buyer.legal_address == "Москва"


# --- Sum in words ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("amount", "words"), [
    ("878904.00", "Восемьсот семьдесят восемь тысяч девятьсот четыре рубля 00 копеек"),
    ("1.01", "Один рубль 01 копейка"),
    ("2.02", "Два рубля 02 копейки"),
    ("1000000.05", "Один миллион рублей 05 копеек"),
    ("21001.5", "Двадцать одна тысяча один рубль 50 копеек"),
])
def test_amount_in_words_russian_invoice_form(amount, words):
    assert amount_in_words(Decimal(amount)) == words


# --- Numbering -------------------------------------------------------------------------------------------------

def _create(w, client, **data):
    with scope(agency=w.agency):
        return services.invoice_create(agency=w.agency, actor=w.am.user, client=client, data={
            "issued_on": date(2026, 3, 1), "amount": Decimal("1000"), **data})


def test_invoice_number_sequence_per_agency_kind_and_year(alice_world, bob_world, buyer):
    w = alice_world
    assert _create(w, buyer).number == "2026-0001"
    assert _create(w, buyer).number == "2026-0002"
    assert _create(w, buyer, kind="act").number == "2026-0001"
    assert _create(w, buyer, issued_on=date(2027, 1, 10)).number == "2027-0001"
    bob_client = ClientFactory(agency=bob_world.agency)
    with scope(agency=bob_world.agency):
        bob_invoice = services.invoice_create(agency=bob_world.agency, actor=bob_world.am.user, client=bob_client,
                                              data={"issued_on": date(2026, 3, 1), "amount": Decimal("1")})
    assert bob_invoice.number == "2026-0001"


def test_invoice_number_skips_a_number_typed_by_hand(alice_world, buyer):
    w = alice_world
    _create(w, buyer, number="2026-0001")
    assert _create(w, buyer).number == "2026-0002"


def test_invoice_number_returns_to_the_sequence_when_the_create_fails(alice_world, buyer):
    w = alice_world
    with pytest.raises(Exception):  # noqa: B017 - the service refuses the dates, the transaction rolls back
        _create(w, buyer, due_on=date(2026, 1, 1))
    assert _create(w, buyer).number == "2026-0001"


def test_invoice_form_without_number_takes_the_next_one(alice_world, buyer):
    response = login(alice_world.am).post(reverse("clients:invoice_create", args=[buyer.pk]), {
        "kind": "invoice", "number": "", "status": "draft", "issued_on": "2026-05-04", "amount": "100"})
    assert response.status_code == 302
    with scopes_disabled():
        assert Invoice.objects.get(client=buyer).number == "2026-0001"


def test_usn_agency_invoices_default_to_no_vat(alice_world, buyer):
    _details(alice_world.agency, vat_mode="none")
    invoice = _create(alice_world, buyer)
    assert invoice.vat_rate == 0 and invoice.total == Decimal("1000.00")


# --- PDF -------------------------------------------------------------------------------------------------------

def test_invoice_pdf_prints_number_both_inns_total_and_words(alice_world, buyer):
    _details(alice_world.agency)
    invoice = _create(alice_world, buyer, amount=Decimal("732420"), description="Ведение рекламных кампаний")
    with scope(agency=alice_world.agency):
        text = _pdf_text(billing.render_document_pdf(invoice=invoice))
    assert "Счёт на оплату № 2026-0001 от 01.03.2026" in text
    assert "7707083893" in text and "7736207543" in text and "044525225" in text
    assert "878 904,00" in text.replace("\u00a0", " ")
    assert "НДС (20%)" in text and "146 484,00" in text.replace("\u00a0", " ")
    assert "Восемьсот семьдесят восемь тысяч девятьсот четыре рубля 00 копеек" in text
    assert "Ведение рекламных кампаний" in text


def test_act_pdf_without_vat_says_so(alice_world, buyer):
    _details(alice_world.agency, vat_mode="none")
    invoice = _create(alice_world, buyer, kind="act", amount=Decimal("15000"))
    with scope(agency=alice_world.agency):
        text = _pdf_text(billing.render_document_pdf(invoice=invoice))
    assert "Акт выполненных работ № 2026-0001" in text
    assert "Без НДС" in text and "Пятнадцать тысяч рублей 00 копеек" in text
    assert "Исполнитель" in text and "Заказчик" in text


def test_vat_included_mode_prints_vat_inside_the_total(alice_world, buyer):
    _details(alice_world.agency, vat_mode="included")
    invoice = _create(alice_world, buyer, amount=Decimal("1000"))
    with scope(agency=alice_world.agency):
        text = _pdf_text(billing.render_document_pdf(invoice=invoice))
    assert "В том числе НДС (20%)" in text and "1 200,00" in text.replace("\u00a0", " ")


def test_invoice_pdf_job_stores_a_private_file_and_downloads_with_permission(alice_world, bob_world, buyer,
                                                                             django_capture_on_commit_callbacks):
    w = alice_world
    _details(w.agency)
    invoice = _create(w, buyer)
    http = login(w.am)
    render_url = reverse("clients:invoice_pdf_render", args=[buyer.pk, invoice.pk])
    with django_capture_on_commit_callbacks(execute=True):  # eager Celery: the job runs on commit
        response = http.post(render_url)
    assert response.status_code == 302
    with scopes_disabled():
        invoice.refresh_from_db()
        job = billing.Job.objects.get(agency=w.agency, kind="invoice.pdf")
    assert job.status == "succeeded" and invoice.pdf_file.name.endswith(".pdf")
    with pytest.raises(AttributeError):
        invoice.pdf_file.url  # noqa: B018 - private storage: no URL
    download = http.get(reverse("clients:invoice_pdf", args=[buyer.pk, invoice.pk]))
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    assert "2026-0001" in _pdf_text(b"".join(download.streaming_content))
    # Another agency, a specialist: no.
    assert login(bob_world.am).get(reverse("clients:invoice_pdf", args=[buyer.pk, invoice.pk])).status_code == 404
    assert login(bob_world.director).post(render_url).status_code == 404
    assert login(w.specialist).get(reverse("clients:invoice_pdf", args=[buyer.pk, invoice.pk])).status_code == 403
    # The invoice page offers the download now.
    page = http.get(reverse("clients:invoice_edit", args=[buyer.pk, invoice.pk])).content.decode()
    assert reverse("clients:invoice_pdf", args=[buyer.pk, invoice.pk]) in page


def test_invoice_pdf_download_404_before_rendering(alice_world, buyer):
    invoice = InvoiceFactory(client=buyer)
    assert login(alice_world.am).get(reverse("clients:invoice_pdf", args=[buyer.pk, invoice.pk])).status_code == 404


# --- Sending ---------------------------------------------------------------------------------------------------

def test_invoice_send_emails_the_pdf_to_chosen_contacts_and_marks_it_sent(alice_world, buyer,
                                                                          django_capture_on_commit_callbacks):
    w = alice_world
    _details(w.agency)
    invoice = _create(w, buyer, amount=Decimal("732420"))
    chosen = ContactFactory(client=buyer, email="cfo@buyer.example")
    ContactFactory(client=buyer, email="other@buyer.example")
    foreign = ContactFactory(client=ClientFactory(agency=w.agency), email="stranger@else.example")
    url = reverse("clients:invoice_send", args=[buyer.pk, invoice.pk])
    http = login(w.am)
    assert "cfo@buyer.example" in http.get(url).content.decode()
    assert http.post(url, {"contacts": [str(foreign.pk)]}).status_code == 422  # not this client's contact
    assert not mail.outbox
    with django_capture_on_commit_callbacks(execute=True):
        response = http.post(url, {"contacts": [str(chosen.pk)], "message": "Добрый день!"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["cfo@buyer.example"] and "Добрый день!" in message.body
    (filename, content, mimetype), = message.attachments
    assert filename == "invoice-2026-0001-20260301.pdf" and mimetype == "application/pdf"
    assert "Восемьсот семьдесят восемь тысяч девятьсот четыре рубля 00 копеек" in _pdf_text(content)
    with scopes_disabled():
        invoice.refresh_from_db()
        log = AuditLog.objects.get(agency=w.agency, action="invoice.sent")
    assert invoice.status == Invoice.Status.SENT and invoice.sent_at is not None and invoice.pdf_file
    assert "cfo@buyer.example" in str(log.changes)


def test_invoice_send_refuses_cancelled_and_other_agencies(alice_world, bob_world, buyer):
    invoice = InvoiceFactory(client=buyer, status=Invoice.Status.CANCELLED)
    contact = ContactFactory(client=buyer)
    url = reverse("clients:invoice_send", args=[buyer.pk, invoice.pk])
    response = login(alice_world.am).post(url, {"contacts": [str(contact.pk)]})
    assert response.status_code == 422 and "cancelled" in response.content.decode()
    assert login(bob_world.director).post(url, {"contacts": [str(contact.pk)]}).status_code == 404
    assert not mail.outbox


# --- 1C export -------------------------------------------------------------------------------------------------

def test_invoice_export_1c_is_cp1251_semicolon_csv_of_the_period(alice_world, bob_world, buyer):
    w = alice_world
    _create(w, buyer, amount=Decimal("732420"), status="paid", paid_on=date(2026, 3, 5))
    _create(w, buyer, issued_on=date(2026, 5, 1))  # outside the period
    evil = ClientFactory(agency=w.agency, owner=w.am.user, name="=HYPERLINK(1)")
    _create(w, evil, kind="act", vat_rate=Decimal("0"))
    InvoiceFactory(client=ClientFactory(agency=bob_world.agency), issued_on=date(2026, 3, 2), number="BOB-1")
    response = login(w.am).get(reverse("clients:invoice_export_1c"),
                               {"date_from": "2026-03-01", "date_to": "2026-03-31"})
    assert response.status_code == 200 and "windows-1251" in response["Content-Type"]
    text = response.content.decode("cp1251")
    rows = [line.split(";") for line in text.strip().split("\r\n")]
    assert rows[0] == ["Дата", "Номер", "Вид документа", "Контрагент", "ИНН", "КПП", "Сумма без НДС", "Ставка НДС",
                       "Сумма НДС", "Сумма", "Валюта", "Статус", "Дата оплаты"]
    assert len(rows) == 3 and "BOB-1" not in text
    paid = next(r for r in rows if r[2] == "Счёт на оплату")
    assert paid == ["01.03.2026", "2026-0001", "Счёт на оплату", "ООО «Покупатель»", "7736207543", "770401001",
                    "732420,00", "20%", "146484,00", "878904,00", "RUB", "Оплачен", "05.03.2026"]
    act = next(r for r in rows if r[2] == "Акт выполненных работ")
    assert act[3] == "'=HYPERLINK(1)" and act[7] == "Без НДС"


def test_invoice_export_1c_for_directors_and_ams_only(alice_world):
    assert login(alice_world.am).get(reverse("clients:invoice_export_1c")).status_code == 200  # the period form
    assert login(alice_world.specialist).get(reverse("clients:invoice_export_1c")).status_code == 403
    bad = login(alice_world.am).get(reverse("clients:invoice_export_1c"), {"date_from": "2026-05-01",
                                                                          "date_to": "2026-04-01"})
    assert bad.status_code == 422


def test_invoice_export_1c_am_sees_only_their_clients(alice_world, buyer):
    w = alice_world
    _create(w, buyer)
    other = ClientFactory(agency=w.agency, owner=w.am2.user, name="Чужой клиент")
    InvoiceFactory(client=other, issued_on=date(2026, 3, 1), number="X-1")
    text = login(w.am).get(reverse("clients:invoice_export_1c"), {"date_from": "", "date_to": ""}).content \
        .decode("cp1251")
    assert "2026-0001" in text and "X-1" not in text


# --- API -------------------------------------------------------------------------------------------------------

def test_invoice_api_requisites_pdf_and_send(alice_world, bob_world, buyer, django_capture_on_commit_callbacks):
    w = alice_world
    _details(w.agency)
    invoice = _create(w, buyer)
    contact = ContactFactory(client=buyer, email="api@buyer.example")
    http = login(w.am)
    base = f"/api/v1/invoices/{invoice.pk}/"
    data = http.get(base).json()
    assert data["total_in_words"] == "Одна тысяча двести рублей 00 копеек" and data["has_pdf"] is False
    req = http.get(base + "requisites/").json()
    assert req["supplier"]["inn"] == "7707083893" and req["buyer"]["inn"] == "7736207543"
    assert http.get(base + "pdf/").status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        job = http.post(base + "render-pdf/")
    assert job.status_code == 202 and job.json()["status_url"].startswith("/")
    pdf = http.get(base + "pdf/")
    assert pdf.status_code == 200 and "2026-0001" in _pdf_text(b"".join(pdf.streaming_content))
    bad = http.post(base + "send/", {"contacts": [str(ContactFactory(client=ClientFactory(agency=w.agency)).pk)]},
                    content_type="application/json")
    assert bad.status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        sent = http.post(base + "send/", {"contacts": [str(contact.pk)]}, content_type="application/json")
    assert sent.status_code == 200 and sent.json()["status"] == "sent"
    assert mail.outbox[0].to == ["api@buyer.example"] and mail.outbox[0].attachments
    created = http.post("/api/v1/invoices/", {"client": str(buyer.pk), "issued_on": "2026-06-01", "amount": "10"},
                        content_type="application/json")
    assert created.status_code == 201 and created.json()["number"] == "2026-0002"
    # Another agency and a specialist: the same answers as for the plain invoice endpoints.
    for suffix, method in (("requisites/", "get"), ("pdf/", "get"), ("render-pdf/", "post"), ("send/", "post")):
        assert getattr(login(bob_world.director), method)(base + suffix).status_code == 404
        assert getattr(login(w.specialist), method)(base + suffix).status_code == 403
