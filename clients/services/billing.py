"""Invoices and acts as documents: the agency's legal details, numbers per agency, kind and year, the PDF
(rendered by a job through `mrm.integrations.pdf`), sending it to the client's contacts, the 1C export."""
import logging
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from mrm.core.errors import ServiceError
from mrm.core.exports import csv_bytes  # the one formula-safe writer of every export
from mrm.integrations import pdf
from mrm.integrations.mail import send_templated
from mrm.jobs.models import Job
from mrm.jobs.services import job_create, job_progress, job_succeed
from mrm.tenancy.models import Agency
from mrm.tenancy.services import apply_changes, audit

from ..models import AgencyLegalDetails, Contact, DocumentCounter, Invoice
from ..requisites import amount_in_words

logger = logging.getLogger(__name__)

LEGAL_DETAILS_FIELDS = ("legal_name", "inn", "kpp", "ogrn", "legal_address", "bank_name", "bik",
                        "correspondent_account", "settlement_account", "signatory_name", "signatory_title",
                        "accountant_name", "vat_mode")


def legal_details_get(*, agency: Agency) -> AgencyLegalDetails:
    """The agency's legal details; an unsaved empty row when none were entered yet."""
    return AgencyLegalDetails.objects.filter(agency=agency).first() or AgencyLegalDetails(agency=agency)


@transaction.atomic
def legal_details_update(*, agency: Agency, actor, data: dict) -> AgencyLegalDetails:
    """Save the supplier's requisites printed on the agency's invoices and acts."""
    AgencyLegalDetails.objects.bulk_create([AgencyLegalDetails(agency=agency)], ignore_conflicts=True)
    details = AgencyLegalDetails.objects.select_for_update().get(agency=agency)
    changes = apply_changes(details, {k: v for k, v in data.items() if k in LEGAL_DETAILS_FIELDS})
    if changes:
        details.save()
        audit(agency=agency, actor=actor, action="agency.legal_details_updated", target=details, changes=changes)
    return details


def invoice_default_vat_rate(*, agency: Agency) -> Decimal:
    """The agency's VAT rate, or 0 when its documents carry no VAT (УСН)."""
    details = AgencyLegalDetails.objects.filter(agency=agency).only("vat_mode").first()
    if details is not None and details.vat_mode == AgencyLegalDetails.VatMode.NONE:
        return Decimal("0")
    return agency.vat_rate


def format_number(*, year: int, sequence: int) -> str:
    """`2026-0007`: the year keeps numbers unique across years (they restart each January) and sorts well."""
    return f"{year}-{sequence:04d}"


def invoice_number_next(*, agency: Agency, kind: str, year: int) -> str:
    """Take the next number of `kind` in `year` for the agency. Must run inside the transaction that saves the
    document: the counter row stays locked until it commits (a concurrent issue waits, then gets the next
    number) and a rollback gives the number back, so there are neither duplicates nor gaps. A number someone
    typed by hand is skipped."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("invoice_number_next must run inside the document's transaction")
    DocumentCounter.objects.bulk_create([DocumentCounter(agency=agency, kind=kind, year=year)],
                                        ignore_conflicts=True)
    counter = DocumentCounter.objects.select_for_update().get(agency=agency, kind=kind, year=year)
    sequence = counter.last_number
    while True:
        sequence += 1
        number = format_number(year=year, sequence=sequence)
        if not Invoice.objects.filter(agency=agency, kind=kind, number=number).exists():
            break
    DocumentCounter.objects.filter(pk=counter.pk).update(last_number=sequence)
    return number


# --- The document -------------------------------------------------------------------------------------------

def amount_text(value: Decimal) -> str:
    """878904 → "878 904,00": the way Russian primary documents print sums (no currency sign)."""
    value = Decimal(value).quantize(Decimal("0.01"))
    whole, cents = f"{value:.2f}".split(".")
    return f"{int(whole):,}".replace(",", "\u00a0") + "," + cents


def rate_text(rate: Decimal) -> str:
    """20.00 → "20", 6.50 → "6.5"."""
    return f"{Decimal(rate).normalize():f}"


@dataclass(frozen=True)
class DocumentLine:
    number: int
    description: str
    quantity: Decimal
    unit: str
    price: str
    amount: str


def _line_description(invoice: Invoice) -> str:
    if invoice.description:
        return invoice.description
    if invoice.deal_id:
        return _("Services under the deal “%(title)s”") % {"title": invoice.deal.title}
    return _("Advertising and marketing services")


def document_context(*, invoice: Invoice) -> dict:
    """What the счёт / акт template prints. One line (description × 1 service): an invoice row holds one
    amount, and the KPIs read that amount, so the document shows it rather than keeping a second truth."""
    agency = invoice.agency
    supplier = legal_details_get(agency=agency)
    mode = supplier.vat_mode
    no_vat = mode == AgencyLegalDetails.VatMode.NONE or not invoice.vat_amount
    included = mode == AgencyLegalDetails.VatMode.INCLUDED and not no_vat
    price = invoice.total if included or no_vat else invoice.amount
    line = DocumentLine(number=1, description=_line_description(invoice), quantity=Decimal("1"),
                        unit=_("service"), price=amount_text(price), amount=amount_text(price))
    return {
        "invoice": invoice, "agency": agency, "supplier": supplier, "buyer": invoice.client, "lines": [line],
        "no_vat": no_vat, "vat_included": included, "subtotal": amount_text(price),
        "vat_rate": rate_text(invoice.vat_rate), "vat_amount": amount_text(invoice.vat_amount),
        "total": amount_text(invoice.total), "total_in_words": amount_in_words(invoice.total, invoice.currency),
        "is_act": invoice.kind == Invoice.Kind.ACT,
    }


def document_title(invoice: Invoice) -> str:
    if invoice.kind == Invoice.Kind.ACT:
        return _("Act № %(number)s of %(date)s") % {"number": invoice.number, "date": f"{invoice.issued_on:%d.%m.%Y}"}
    return _("Invoice № %(number)s of %(date)s") % {"number": invoice.number,
                                                    "date": f"{invoice.issued_on:%d.%m.%Y}"}


def document_filename(invoice: Invoice) -> str:
    prefix = "act" if invoice.kind == Invoice.Kind.ACT else "invoice"
    return f"{prefix}-{invoice.number}-{invoice.issued_on:%Y%m%d}.pdf".replace("/", "-").replace(" ", "_")


def render_document_pdf(*, invoice: Invoice) -> bytes:
    """The счёт or акт as PDF bytes, in Russian (the language of Russian primary documents)."""
    with translation.override("ru"):
        html = render_to_string("clients/pdf/invoice.html", document_context(invoice=invoice))
    return pdf.render_pdf(html=html)


def _store_pdf(*, agency: Agency, invoice: Invoice, content: bytes) -> Invoice:
    with transaction.atomic():
        locked = Invoice.objects.select_for_update().get(agency=agency, pk=invoice.pk)
        if locked.pdf_file:
            locked.pdf_file.delete(save=False)
        locked.pdf_file.save(f"{agency.uuid}/{invoice.pk}.pdf", ContentFile(content), save=False)
        locked.pdf_rendered_at = timezone.now()
        locked.save(update_fields=["pdf_file", "pdf_rendered_at", "updated_at"])
    return locked


def invoice_pdf_start(*, agency: Agency, actor, invoice: Invoice) -> Job:
    """Queue the PDF of the invoice or act as it is now (after commit)."""
    job = job_create(agency=agency, actor=actor, kind="invoice.pdf", title=_("PDF of %(document)s") % {
        "document": document_title(invoice)}, params={"invoice_id": str(invoice.pk)})
    from ..tasks import invoice_render_pdf_task

    invoice_render_pdf_task.delay_on_commit(agency_id=agency.pk, job_id=str(job.pk))
    return job


def invoice_pdf_job_run(*, agency: Agency, job: Job) -> None:
    invoice = Invoice.objects.select_related("client", "deal", "agency").filter(
        agency=agency, pk=job.params.get("invoice_id")).first()
    if invoice is None:
        raise ServiceError(_("The invoice was deleted."))
    job_progress(job=job, progress=20, message=_("Laying out the pages…"))
    content = render_document_pdf(invoice=invoice)
    job_progress(job=job, progress=90, message=_("Saving…"))
    _store_pdf(agency=agency, invoice=invoice, content=content)
    job_succeed(job=job, message=_("PDF ready"), result_url=reverse("clients:invoice_pdf",
                                                                    args=[invoice.client_id, invoice.pk]))


def invoice_pdf_job_latest(*, agency: Agency, invoice: Invoice) -> Job | None:
    return Job.objects.filter(agency=agency, kind="invoice.pdf", params__invoice_id=str(invoice.pk)) \
        .order_by("-created_at").first()


# --- Sending -------------------------------------------------------------------------------------------------

@transaction.atomic
def invoice_send(*, agency: Agency, actor, invoice: Invoice, contacts: list[Contact], message: str = "") -> Invoice:
    """Mark the document sent and e-mail its PDF to the chosen contacts of its client (after commit)."""
    invoice = Invoice.objects.select_for_update().select_related("client").get(agency=agency, pk=invoice.pk)
    if invoice.status == Invoice.Status.CANCELLED:
        raise ServiceError(_("A cancelled invoice cannot be sent."))
    emails = sorted({c.email for c in contacts if c.client_id == invoice.client_id and c.agency_id == agency.pk
                     and c.email})
    if not emails:
        raise ServiceError(_("Choose at least one contact of this client with an e-mail address."), field="contacts")
    changes = {"sent_to": ("", ", ".join(emails))}
    if invoice.status == Invoice.Status.DRAFT:
        changes["status"] = (invoice.status, Invoice.Status.SENT)
        invoice.status = Invoice.Status.SENT
    invoice.sent_at = timezone.now()
    invoice.save(update_fields=["status", "sent_at", "updated_at"])
    audit(agency=agency, actor=actor, action="invoice.sent", target=invoice, changes=changes)
    from ..tasks import invoice_send_task

    invoice_send_task.delay_on_commit(agency_id=agency.pk, invoice_id=str(invoice.pk), emails=emails,
                                      message=message, sender_id=getattr(actor, "pk", None))
    return invoice


def invoice_deliver(*, agency: Agency, invoice_id: str, emails: list[str], message: str = "",
                    sender=None) -> bool:
    """Render the document as it is now, keep that PDF and e-mail it as an attachment; raises OSError on a
    transport failure so the task retries."""
    invoice = Invoice.objects.select_related("client", "deal", "agency").filter(agency=agency, pk=invoice_id).first()
    if invoice is None:
        return False
    content = render_document_pdf(invoice=invoice)
    _store_pdf(agency=agency, invoice=invoice, content=content)
    title = document_title(invoice)
    try:
        send_templated(
            to=emails, subject=f"{agency.name}: {title}", template="emails/clients/invoice_sent",
            context={"invoice": invoice, "agency": agency, "title": title, "message": message, "sender": sender,
                     "total_in_words": amount_in_words(invoice.total, invoice.currency)},
            reply_to=[sender.email] if sender is not None and sender.email else None,
            attachments=[(document_filename(invoice), content, "application/pdf")])
    except Exception as exc:
        logger.exception("invoice %s: e-mail failed", invoice.pk)
        raise OSError("mail delivery failed") from exc
    return True


# --- 1C export -----------------------------------------------------------------------------------------------

EXPORT_1C_HEADER = ("Дата", "Номер", "Вид документа", "Контрагент", "ИНН", "КПП", "Сумма без НДС", "Ставка НДС",
                    "Сумма НДС", "Сумма", "Валюта", "Статус", "Дата оплаты")
_KIND_1C = {Invoice.Kind.INVOICE: "Счёт на оплату", Invoice.Kind.ACT: "Акт выполненных работ"}
_STATUS_1C = {Invoice.Status.DRAFT: "Черновик", Invoice.Status.SENT: "Выставлен", Invoice.Status.PAID: "Оплачен",
              Invoice.Status.OVERDUE: "Просрочен", Invoice.Status.CANCELLED: "Отменён"}


def _decimal(value: Decimal) -> str:
    return f"{value:.2f}".replace(".", ",")  # 1C and a Russian Excel read a decimal comma


def invoice_export_1c(*, invoices, date_from: date | None = None, date_to: date | None = None) -> bytes:
    """Invoices and acts issued in the period as a `;`-separated CSV in Windows-1251, the encoding 1C's loaders
    and a Russian Excel open as is; dates DD.MM.YYYY, decimal comma, the Russian names of kinds and statuses."""
    if date_from:
        invoices = invoices.filter(issued_on__gte=date_from)
    if date_to:
        invoices = invoices.filter(issued_on__lte=date_to)
    rows = (
        (f"{inv.issued_on:%d.%m.%Y}", inv.number, _KIND_1C.get(inv.kind, inv.kind),
         inv.client.legal_name or inv.client.name, inv.client.inn, inv.client.kpp, _decimal(inv.amount),
         f"{rate_text(inv.vat_rate)}%" if inv.vat_rate else "Без НДС", _decimal(inv.vat_amount), _decimal(inv.total),
         inv.currency, _STATUS_1C.get(inv.status, inv.status), f"{inv.paid_on:%d.%m.%Y}" if inv.paid_on else "")
        for inv in invoices.order_by("issued_on", "kind", "number").iterator(chunk_size=1000)
    )
    return csv_bytes(header=EXPORT_1C_HEADER, rows=rows, delimiter=";", encoding="cp1251")
