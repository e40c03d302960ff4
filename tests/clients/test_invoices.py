"""Invoices and acts: VAT in kopecks, unique numbers, paid dates, overdue flip, role checks."""
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django_scopes import scope, scopes_disabled

from clients.models import Invoice
from clients.services import invoices as services
from clients.tasks import invoices_mark_overdue_all_task
from mrm.core.errors import ServiceError
from tests.conftest import login
from tests.factories import ClientFactory, InvoiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"  # assertions read the English source strings


@pytest.fixture
def client_a(alice_world):
    return ClientFactory(agency=alice_world.agency, owner=alice_world.am.user)


@pytest.mark.parametrize(("amount", "rate", "vat", "total"), [
    ("100000", "20", "20000.00", "120000.00"),
    ("0.05", "20", "0.01", "0.06"),  # 0.010 → 0.01
    ("0.025", "20", "0.01", "0.04"),  # amount 0.03 (half up), VAT 0.006 → 0.01
    ("1234.56", "5", "61.73", "1296.29"),  # 61.728 → 61.73
    ("999.99", "0", "0.00", "999.99"),
])
def test_invoice_totals_round_half_up(amount, rate, vat, total):
    assert services.invoice_totals(amount=Decimal(amount), vat_rate=Decimal(rate)) == (Decimal(vat), Decimal(total))


def test_invoice_create_uses_agency_vat_and_sets_paid_on(alice_world, client_a):
    w = alice_world
    w.agency.vat_rate = Decimal("5")
    w.agency.save()
    with scope(agency=w.agency):
        invoice = services.invoice_create(agency=w.agency, actor=w.am.user, client=client_a, data={
            "number": "2026-001", "issued_on": date(2026, 3, 1), "amount": Decimal("10000"), "status": "paid"})
    assert invoice.vat_rate == Decimal("5") and invoice.vat_amount == Decimal("500.00")
    assert invoice.total == Decimal("10500.00") and invoice.paid_on is not None
    with scope(agency=w.agency):
        invoice = services.invoice_update(agency=w.agency, actor=w.am.user, invoice=invoice,
                                          data={"status": "sent"})
    assert invoice.paid_on is None


def test_invoice_number_unique_per_agency_and_kind(alice_world, bob_world, client_a):
    w = alice_world
    InvoiceFactory(client=client_a, number="7")
    InvoiceFactory(client=ClientFactory(agency=bob_world.agency), number="8")
    with scope(agency=w.agency):
        with pytest.raises(ServiceError) as exc:
            services.invoice_create(agency=w.agency, actor=w.am.user, client=client_a,
                                    data={"number": "7", "issued_on": date.today(), "amount": Decimal(1)})
        assert exc.value.field == "number" and "already exists" in exc.value.message
        # An act may share the number with an invoice; another agency's number is free.
        services.invoice_create(agency=w.agency, actor=w.am.user, client=client_a,
                                data={"kind": "act", "number": "7", "issued_on": date.today(), "amount": Decimal(1)})
        services.invoice_create(agency=w.agency, actor=w.am.user, client=client_a,
                                data={"number": "8", "issued_on": date.today(), "amount": Decimal(1)})


def test_invoice_views_create_duplicate_and_mark_paid(alice_world, client_a):
    http = login(alice_world.am)
    url = f"/clients/{client_a.pk}/invoices/new/"
    assert http.get(url).status_code == 200
    data = {"kind": "invoice", "number": "A-1", "status": "sent", "issued_on": "2026-03-01", "due_on": "2026-03-11",
            "amount": "1234.56", "vat_rate": "", "description": "Контекст, март"}
    assert http.post(url, data).status_code == 302
    with scopes_disabled():
        invoice = Invoice.objects.get(number="A-1")
    assert invoice.vat_rate == Decimal("20.00") and invoice.total == Decimal("1481.47")
    duplicate = http.post(url, data)
    assert duplicate.status_code == 422 and "already exists" in duplicate.content.decode()
    assert "Контекст, март" in duplicate.content.decode()
    bad = http.post(url, {**data, "number": "A-2", "amount": "-5", "due_on": "2026-02-01"})
    assert bad.status_code == 422
    paid = http.post(f"/clients/{client_a.pk}/invoices/{invoice.pk}/paid/",
                     HTTP_HX_REQUEST="true", HTTP_HX_TARGET="section-invoices")
    assert paid.status_code == 200 and "Invoices and acts" in paid.content.decode()
    with scopes_disabled():
        invoice.refresh_from_db()
    assert invoice.status == "paid" and invoice.paid_on is not None
    edit = http.post(f"/clients/{client_a.pk}/invoices/{invoice.pk}/edit/", {**data, "due_on": "2026-02-01"})
    assert edit.status_code == 422 and "cannot be before" in edit.content.decode()


def test_invoice_pages_are_for_directors_and_ams(alice_world, client_a):
    client_a.team.add(alice_world.specialist.user)
    spec = login(alice_world.specialist)
    assert spec.get(f"/clients/{client_a.pk}/invoices/new/").status_code == 403
    assert "Invoices and acts" not in spec.get(f"/clients/{client_a.pk}/").content.decode()
    assert spec.get("/api/v1/invoices/").status_code == 403


def test_invoices_mark_overdue_flips_sent_past_due_only(alice_world, bob_world, client_a):
    today = date.today()
    late = InvoiceFactory(client=client_a, status="sent", due_on=today - timedelta(days=1))
    on_time = InvoiceFactory(client=client_a, status="sent", due_on=today)
    draft = InvoiceFactory(client=client_a, status="draft", due_on=today - timedelta(days=5))
    bob_late = InvoiceFactory(client=ClientFactory(agency=bob_world.agency), status="sent",
                              due_on=today - timedelta(days=3))
    assert invoices_mark_overdue_all_task.delay().get() >= 2  # eager in tests: one run per agency
    with scopes_disabled():
        statuses = {i.pk: i.status for i in Invoice.objects.all()}
    assert statuses[late.pk] == "overdue" and statuses[bob_late.pk] == "overdue"
    assert statuses[on_time.pk] == "sent" and statuses[draft.pk] == "draft"
    with scope(agency=alice_world.agency):
        assert services.invoices_mark_overdue(agency=alice_world.agency) == 0  # idempotent
