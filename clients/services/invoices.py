from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mrm.core.errors import ServiceError
from mrm.tenancy.models import Agency
from mrm.tenancy.services import apply_changes, audit

from ..models import Client, Deal, Invoice
from .billing import invoice_default_vat_rate, invoice_number_next

INVOICE_FIELDS = ("kind", "number", "issued_on", "due_on", "paid_on", "amount", "vat_rate", "currency", "status",
                  "description", "deal")
KOPECK = Decimal("0.01")


def invoice_totals(*, amount: Decimal, vat_rate: Decimal) -> tuple[Decimal, Decimal]:
    """(VAT, total) in kopecks, rounded half up as in Russian accounting."""
    amount = Decimal(amount).quantize(KOPECK, rounding=ROUND_HALF_UP)
    vat = (amount * Decimal(vat_rate) / Decimal(100)).quantize(KOPECK, rounding=ROUND_HALF_UP)
    return vat, amount + vat


def _prepare(*, agency: Agency, client: Client, invoice: Invoice, today: date) -> None:
    if invoice.deal_id and not Deal.objects.filter(agency=agency, client=client, pk=invoice.deal_id).exists():
        raise ServiceError(_("The deal must belong to this client."), field="deal")
    if invoice.due_on and invoice.issued_on and invoice.due_on < invoice.issued_on:
        raise ServiceError(_("The due date cannot be before the issue date."), field="due_on")
    if invoice.paid_on and invoice.status not in (Invoice.Status.PAID, Invoice.Status.CANCELLED):
        invoice.status = Invoice.Status.PAID  # a payment date means the money came in
    if invoice.status == Invoice.Status.PAID and not invoice.paid_on:
        invoice.paid_on = today
    if invoice.status != Invoice.Status.PAID:
        invoice.paid_on = None
    if invoice.paid_on and invoice.issued_on and invoice.paid_on < invoice.issued_on:
        raise ServiceError(_("The payment date cannot be before the issue date."), field="paid_on")
    invoice.vat_amount, invoice.total = invoice_totals(amount=invoice.amount, vat_rate=invoice.vat_rate)
    if Invoice.objects.filter(agency=agency, kind=invoice.kind, number=invoice.number).exclude(pk=invoice.pk).exists():
        raise _duplicate(invoice)


def _duplicate(invoice: Invoice) -> ServiceError:
    return ServiceError(_("%(kind)s № %(number)s already exists in your agency: use the next number.")
                        % {"kind": invoice.get_kind_display(), "number": invoice.number}, field="number",
                        code="duplicate")


def _rollup_schedule(*, agency: Agency) -> None:
    """The director's revenue tile reads the daily KPI rollup: rebuild it soon (debounced; h-dashbench)."""
    from dashboards.health_rollups import health_rollup_schedule
    from dashboards.portfolio_rollup import client_economics_schedule
    from dashboards.rollups import kpi_rollup_schedule

    kpi_rollup_schedule(agency=agency)
    client_economics_schedule(agency=agency)  # and the portfolio page's per-client rollup
    health_rollup_schedule(agency=agency)  # overdue invoices, spend and revenue at stake are health signals


def _save(invoice: Invoice) -> None:
    try:
        with transaction.atomic():
            invoice.save()
    except IntegrityError as exc:  # a concurrent save took the number between the check and the insert
        raise _duplicate(invoice) from exc


@transaction.atomic
def invoice_create(*, agency: Agency, actor, client: Client, data: dict) -> Invoice:
    """An invoice or act; VAT and total are computed here (the agency's VAT rate unless another is given); with
    no number given, the next one of the agency's sequence for the kind and year is taken."""
    data = {k: v for k, v in data.items() if k in INVOICE_FIELDS and v is not None}
    data.setdefault("vat_rate", invoice_default_vat_rate(agency=agency))
    data.setdefault("currency", agency.currency)
    invoice = Invoice(agency=agency, client=client, **data)
    if not invoice.number:  # no number typed: the next one of this kind in the issue year
        invoice.number = invoice_number_next(agency=agency, kind=invoice.kind,
                                             year=(invoice.issued_on or timezone.localdate()).year)
    _prepare(agency=agency, client=client, invoice=invoice, today=timezone.localdate())
    _save(invoice)
    _rollup_schedule(agency=agency)
    audit(agency=agency, actor=actor, action="invoice.created", target=invoice,
          changes={"total": (None, str(invoice.total)), "status": (None, invoice.status)})
    return invoice


@transaction.atomic
def invoice_update(*, agency: Agency, actor, invoice: Invoice, data: dict) -> Invoice:
    invoice = Invoice.objects.select_for_update().select_related("client").get(agency=agency, pk=invoice.pk)
    data = {k: v for k, v in data.items() if k in INVOICE_FIELDS}
    if data.get("vat_rate") is None:
        data.pop("vat_rate", None)
    if data.get("status") not in (None, Invoice.Status.PAID) and data["status"] != invoice.status:
        data["paid_on"] = None  # an explicit move away from "paid" wins over the old payment date
    before = {f: getattr(invoice, f) for f in ("status", "paid_on", "vat_amount", "total")}
    changes = apply_changes(invoice, data)
    _prepare(agency=agency, client=invoice.client, invoice=invoice, today=timezone.localdate())
    for field, old in before.items():
        new = getattr(invoice, field)
        if new != old:
            changes[field] = (old, new)
        elif field in changes:  # set by the user, then put back by the rules
            changes.pop(field)
    if changes:
        _save(invoice)
        _rollup_schedule(agency=agency)
        audit(agency=agency, actor=actor, action="invoice.updated", target=invoice, changes=changes)
    return invoice


@transaction.atomic
def invoice_mark_paid(*, agency: Agency, actor, invoice: Invoice, paid_on: date | None = None) -> Invoice:
    if invoice.status == Invoice.Status.CANCELLED:
        raise ServiceError(_("A cancelled invoice cannot be paid."))
    return invoice_update(agency=agency, actor=actor, invoice=invoice,
                          data={"status": Invoice.Status.PAID, "paid_on": paid_on or timezone.localdate()})


@transaction.atomic
def invoices_mark_overdue(*, agency: Agency, today: date | None = None) -> int:
    """Sent invoices past their due date become overdue; idempotent (only 'sent' rows are touched)."""
    today = today or timezone.localdate()
    due = list(Invoice.objects.filter(agency=agency, status=Invoice.Status.SENT, due_on__lt=today))
    flipped = 0
    for invoice in due:
        # Compare-and-set: a payment recorded meanwhile wins.
        if Invoice.objects.filter(agency=agency, pk=invoice.pk, status=Invoice.Status.SENT).update(
                status=Invoice.Status.OVERDUE, updated_at=timezone.now()):
            flipped += 1
            audit(agency=agency, actor=None, action="invoice.overdue", target=invoice,
                  changes={"status": (Invoice.Status.SENT, Invoice.Status.OVERDUE)})
    return flipped
