from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mrm.core.errors import ServiceError
from mrm.core.forms import add_service_error
from mrm.core.htmx import render_form
from mrm.tenancy.permissions import member_required
from mrm.tenancy.policy import can

from ..block_cache import of_client
from ..forms_workspace import InvoiceForm
from ..selectors import client_get
from ..selectors.documents import invoice_get, invoice_list
from ..services import billing
from ..services import invoices as services
from ._blocks import register_block, render_block

INVOICES_SHOWN = 12


def _invoices_context(request, client) -> dict:
    if not can(request.membership, "invoice.view"):
        return {"hidden": True}
    rows = list(invoice_list(agency=request.agency, membership=request.membership, client=client)[:INVOICES_SHOWN + 1])
    return {"invoices": rows[:INVOICES_SHOWN], "more": len(rows) > INVOICES_SHOWN}


INVOICES = register_block(key="invoices", template="clients/blocks/invoices.html", column="main", order=60,
                          context=_invoices_context, deferred=True, rows=(of_client("clients.Invoice"),))


def _back(client):
    return redirect(reverse("clients:detail", args=[client.pk]) + "#section-invoices")


def _data(form) -> dict:
    return dict(form.cleaned_data)


@member_required("invoice.edit")
def invoice_create_view(request, client_id):
    client = client_get(agency=request.agency, membership=request.membership, client_id=client_id)
    form = InvoiceForm(request.POST or None, client=client, agency=request.agency)
    if request.method == "POST" and form.is_valid():
        try:
            invoice = services.invoice_create(agency=request.agency, actor=request.user, client=client,
                                              data=_data(form))
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("%(kind)s № %(number)s saved: total %(total)s.") % {
                "kind": invoice.get_kind_display(), "number": invoice.number, "total": _money(invoice)})
            return _back(client)
    return render_form(request, "clients/invoice_form.html", {"client": client, "form": form},
                       invalid=bool(form.errors))


def _money(invoice) -> str:
    from mrm.core.templatetags.mrm import money

    return money(invoice.total, invoice.currency)


@member_required("invoice.edit")
def invoice_edit_view(request, client_id, invoice_id):
    client = client_get(agency=request.agency, membership=request.membership, client_id=client_id)
    invoice = invoice_get(agency=request.agency, membership=request.membership, invoice_id=invoice_id, client=client)
    form = InvoiceForm(request.POST or None, instance=invoice, client=client, agency=request.agency)
    if request.method == "POST" and form.is_valid():
        try:
            # The form worked on this instance: give the service a fresh copy to compare with.
            fresh = invoice_get(agency=request.agency, membership=request.membership, invoice_id=invoice_id)
            services.invoice_update(agency=request.agency, actor=request.user, invoice=fresh, data=_data(form))
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return _back(client)
    return render_form(request, "clients/invoice_form.html", {
        "client": client, "form": form, "invoice": invoice,
        "pdf_job": billing.invoice_pdf_job_latest(agency=request.agency, invoice=invoice),
        "supplier": billing.legal_details_get(agency=request.agency),
    }, invalid=bool(form.errors))


@require_POST
@member_required("invoice.mark_paid")
def invoice_paid_view(request, client_id, invoice_id):
    client = client_get(agency=request.agency, membership=request.membership, client_id=client_id)
    invoice = invoice_get(agency=request.agency, membership=request.membership, invoice_id=invoice_id, client=client)
    try:
        services.invoice_mark_paid(agency=request.agency, actor=request.user, invoice=invoice)
    except ServiceError as exc:
        if request.htmx:
            return render_block(request, INVOICES, client, error=exc.message, invalid=True)
        messages.error(request, exc.message)
        return _back(client)
    if request.htmx:
        return render_block(request, INVOICES, client)
    messages.success(request, _("Marked as paid."))
    return _back(client)


