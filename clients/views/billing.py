"""Invoices and acts as documents: the agency's legal details, the PDF (a job), sending it, the 1C export."""
from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mrm.core.errors import ServiceError
from mrm.core.exports import download_response
from mrm.core.forms import add_service_error
from mrm.core.htmx import render_form
from mrm.tenancy.permissions import member_required

from ..forms_workspace import InvoiceExportForm, InvoiceSendForm, LegalDetailsForm
from ..models import Contact
from ..selectors import client_get
from ..selectors.documents import invoice_get, invoice_list
from ..services import billing


@member_required("settings.change")
def legal_details_view(request):
    details = billing.legal_details_get(agency=request.agency)
    form = LegalDetailsForm(request.POST or None, instance=details)
    if request.method == "POST" and form.is_valid():
        try:
            billing.legal_details_update(agency=request.agency, actor=request.user, data=dict(form.cleaned_data))
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Legal details saved: they appear on your invoices and acts."))
            return redirect("clients:legal_details")
    return render_form(request, "clients/legal_details.html", {"form": form, "details": details},
                       invalid=bool(form.errors))


def _invoice(request, client_id, invoice_id):
    client = client_get(agency=request.agency, membership=request.membership, client_id=client_id)
    return invoice_get(agency=request.agency, membership=request.membership, invoice_id=invoice_id, client=client)


@require_POST
@member_required("invoice.edit")
def invoice_pdf_render_view(request, client_id, invoice_id):
    invoice = _invoice(request, client_id, invoice_id)
    job = billing.invoice_pdf_start(agency=request.agency, actor=request.user, invoice=invoice)
    if request.htmx:
        return render(request, "jobs/job_progress.html", {"job": job})
    messages.info(request, _("The PDF is being prepared; it appears here in a few seconds."))
    return redirect(reverse("clients:invoice_edit", args=[invoice.client_id, invoice.pk]) + "#document")


@member_required("invoice.view")
def invoice_pdf_view(request, client_id, invoice_id):
    invoice = _invoice(request, client_id, invoice_id)
    if not invoice.pdf_file:
        raise Http404
    return FileResponse(invoice.pdf_file.open("rb"), as_attachment=True,
                        filename=billing.document_filename(invoice), content_type="application/pdf")


def _send_contacts(request, invoice):
    return Contact.objects.filter(agency=request.agency, client=invoice.client).exclude(email="") \
        .order_by("-is_primary", "full_name")


@member_required("invoice.send")
def invoice_send_view(request, client_id, invoice_id):
    invoice = _invoice(request, client_id, invoice_id)
    contacts = _send_contacts(request, invoice)
    form = InvoiceSendForm(request.POST or None, contacts=contacts,
                           initial={"contacts": [c for c in contacts if c.is_primary]})
    if request.method == "POST" and form.is_valid():
        try:
            billing.invoice_send(agency=request.agency, actor=request.user, invoice=invoice,
                                 contacts=list(form.cleaned_data["contacts"]), message=form.cleaned_data["message"])
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("%(document)s is on its way to the client.") % {
                "document": billing.document_title(invoice)})
            return redirect(reverse("clients:invoice_edit", args=[invoice.client_id, invoice.pk]) + "#document")
    return render_form(request, "clients/invoice_send.html", {"invoice": invoice, "client": invoice.client,
                                                              "form": form, "has_contacts": contacts.exists()},
                       invalid=bool(form.errors))


@member_required("invoice.view")
def invoice_export_1c_view(request):
    form = InvoiceExportForm(request.GET or None)
    if not form.is_bound or not form.is_valid():
        return render_form(request, "clients/invoice_export.html", {"form": form}, invalid=bool(form.errors))
    content = billing.invoice_export_1c(
        invoices=invoice_list(agency=request.agency, membership=request.membership),
        date_from=form.cleaned_data.get("date_from"), date_to=form.cleaned_data.get("date_to"))
    return download_response(content, filename=f"invoices-1c-{timezone.localdate():%Y-%m-%d}.csv",
                             content_type="text/csv; charset=windows-1251")
