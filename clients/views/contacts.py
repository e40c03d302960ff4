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
from ..forms_workspace import ContactForm
from ..selectors import client_get
from ..selectors.contacts import contact_get, contact_list
from ..selectors.custom_fields import custom_field_defs, custom_values_display
from ..services import contacts as services
from ._blocks import register_block, render_block


def _contacts_context(request, client) -> dict:
    contacts = list(contact_list(agency=request.agency, membership=request.membership, client=client))
    return {
        "contacts": contacts,
        "custom": custom_values_display(agency=request.agency, entity="contact", records=contacts),
        "can_edit": can(request.membership, "contact.edit"),
    }


CONTACTS = register_block(key="contacts", template="clients/blocks/contacts.html", column="side", order=10,
                          context=_contacts_context, rows=(of_client("clients.Contact"),))


def _done(request, client, message: str):
    if request.htmx:
        return render_block(request, CONTACTS, client)
    messages.success(request, message)
    return redirect(reverse("clients:detail", args=[client.pk]) + "#section-contacts")


def _form_page(request, client, form, contact=None):
    if request.htmx:
        # The form opens inside the contacts block; errors come back the same way.
        return render_block(request, CONTACTS, client, form=form, editing=contact,
                            invalid=bool(form.errors))
    return render_form(request, "clients/contact_form.html", {"client": client, "form": form, "contact": contact},
                       invalid=bool(form.errors))


@member_required("contact.edit")
def contact_create_view(request, client_id):
    client = client_get(agency=request.agency, membership=request.membership, client_id=client_id)
    form = ContactForm(request.POST or None, custom_defs=custom_field_defs(agency=request.agency, entity="contact"))
    if request.method == "POST" and form.is_valid():
        try:
            contact = services.contact_create(agency=request.agency, actor=request.user, client=client,
                                              data=form.cleaned_with_custom())
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            return _done(request, client, _("Contact %(name)s added.") % {"name": contact.full_name})
    return _form_page(request, client, form)


@member_required("contact.edit")
def contact_edit_view(request, client_id, contact_id):
    client = client_get(agency=request.agency, membership=request.membership, client_id=client_id)
    contact = contact_get(agency=request.agency, membership=request.membership, contact_id=contact_id, client=client)
    form = ContactForm(request.POST or None, instance=contact,
                       custom_defs=custom_field_defs(agency=request.agency, entity="contact"))
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_update(agency=request.agency, actor=request.user, contact=contact,
                                    data=form.cleaned_with_custom())
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            return _done(request, client, _("Contact saved."))
    return _form_page(request, client, form, contact)


@require_POST
@member_required("contact.edit")
def contact_delete_view(request, client_id, contact_id):
    client = client_get(agency=request.agency, membership=request.membership, client_id=client_id)
    contact = contact_get(agency=request.agency, membership=request.membership, contact_id=contact_id, client=client)
    services.contact_delete(agency=request.agency, actor=request.user, contact=contact)
    return _done(request, client, _("Contact %(name)s deleted.") % {"name": contact.full_name})
