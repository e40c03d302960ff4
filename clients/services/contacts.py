from django.db import transaction
from django.utils.translation import gettext as _

from mrm.accounts.services import user_sessions_end
from mrm.core.errors import ServiceError
from mrm.tenancy.models import Agency, Membership
from mrm.tenancy.services import apply_changes, audit

from ..models import Client, Contact
from .custom_fields import custom_values_for_write

CONTACT_FIELDS = ("full_name", "role", "position", "email", "phone", "telegram", "preferred_channel", "notes",
                  "is_primary")


def _unset_other_primary(*, agency: Agency, contact: Contact) -> None:
    # The partial unique index allows one primary per client: clear the old one before saving the new one.
    Contact.objects.filter(agency=agency, client_id=contact.client_id, is_primary=True).exclude(
        pk=contact.pk).update(is_primary=False)


@transaction.atomic
def contact_create(*, agency: Agency, actor, client: Client, data: dict) -> Contact:
    """A person at the client; the first contact becomes the primary one, a new primary replaces the old."""
    custom = custom_values_for_write(agency=agency, entity="contact", data=data)
    data = {k: v for k, v in data.items() if k in CONTACT_FIELDS}
    if custom is not None:
        data["custom"] = custom
    # Lock the client row so two concurrent "primary" saves cannot both win.
    Client.objects.select_for_update().filter(agency=agency, pk=client.pk).first()
    has_primary = Contact.objects.filter(agency=agency, client=client, is_primary=True).exists()
    contact = Contact(agency=agency, client=client, **data)
    if not has_primary:
        contact.is_primary = True
    if contact.is_primary:
        _unset_other_primary(agency=agency, contact=contact)
    contact.save()
    audit(agency=agency, actor=actor, action="contact.created", target=contact)
    return contact


@transaction.atomic
def contact_update(*, agency: Agency, actor, contact: Contact, data: dict) -> Contact:
    Client.objects.select_for_update().filter(agency=agency, pk=contact.client_id).first()
    contact = Contact.objects.get(agency=agency, pk=contact.pk)
    custom = custom_values_for_write(agency=agency, entity="contact", data=data, current=contact.custom)
    data = {k: v for k, v in data.items() if k in CONTACT_FIELDS}
    if custom is not None:
        data["custom"] = custom
    if contact.is_primary and data.get("is_primary") is False:
        raise ServiceError(_("A client always has one primary contact: mark another contact as primary instead."),
                           field="is_primary")
    changes = apply_changes(contact, data)
    if changes:
        if contact.is_primary:
            _unset_other_primary(agency=agency, contact=contact)
        contact.save()
        audit(agency=agency, actor=actor, action="contact.updated", target=contact, changes=changes)
    return contact


@transaction.atomic
def contact_for_person(*, agency: Agency, actor, client: Client, email: str, full_name: str) -> Contact:
    """The contact of `client` with this e-mail (case-insensitive), created if the company has none:
    what a portal login points at."""
    contact = (Contact.objects.filter(agency=agency, client=client, email__iexact=email.strip())
               .order_by("created_at").first())
    if contact is None:
        contact = contact_create(agency=agency, actor=actor, client=client,
                                 data={"full_name": (full_name or email)[:150], "email": email.strip().lower()})
    return contact


@transaction.atomic
def contact_delete(*, agency: Agency, actor, contact: Contact) -> None:
    """Delete a contact; when it was the primary one, the longest-known remaining contact takes over."""
    Client.objects.select_for_update().filter(agency=agency, pk=contact.client_id).first()
    was_primary = Contact.objects.filter(agency=agency, pk=contact.pk, is_primary=True).exists()
    # access: the contact's portal logins go with it (Membership.contact cascades), and so do their sessions.
    portal_users = list(Membership.objects.filter(agency=agency, contact_id=contact.pk).values_list("user_id",
                                                                                                   flat=True))
    audit(agency=agency, actor=actor, action="contact.deleted", target=contact)
    Contact.objects.filter(agency=agency, pk=contact.pk).delete()
    user_sessions_end(user_ids=portal_users)
    if was_primary:
        successor = Contact.objects.filter(agency=agency, client_id=contact.client_id).order_by("created_at").first()
        if successor is not None:
            Contact.objects.filter(agency=agency, pk=successor.pk).update(is_primary=True)
