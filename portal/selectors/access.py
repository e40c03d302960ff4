"""Reads of portal access: each contact's state (not invited / invited / expired / active), for the staff client
page and for a client's portal admin (their own company only, through `portal_fence`)."""
from clients.models import Client, Contact
from mrm.core.freshness import changes_at
from mrm.tenancy.models import Agency, Invitation, Membership, Role

from . import portal_fence

NONE, INVITED, EXPIRED, ACTIVE = "none", "invited", "expired", "active"


def portal_access_rows(*, agency: Agency, contacts: list[Contact]) -> list[dict]:
    """One row per contact with its portal state; three queries whatever the number of contacts."""
    ids = [c.pk for c in contacts]
    logins = {m.contact_id: m for m in Membership.objects.filter(
        agency=agency, contact_id__in=ids, is_active=True, role=Role.CLIENT).select_related("user")}
    invitations: dict = {}
    for invitation in Invitation.objects.filter(agency=agency, contact_id__in=ids, accepted_at__isnull=True,
                                                revoked_at__isnull=True).order_by("-created_at"):
        invitations.setdefault(invitation.contact_id, invitation)
    rows = []
    for contact in contacts:
        login, invitation = logins.get(contact.pk), invitations.get(contact.pk)
        if login is not None:
            state = ACTIVE
        elif invitation is not None:
            state = INVITED if invitation.is_pending else EXPIRED
            if state == INVITED:
                changes_at(invitation.expires_at)  # it shows as expired from then on
        else:
            state = NONE
        rows.append({"contact": contact, "state": state, "login": login, "invitation": invitation})
    return rows


def client_portal_access(*, agency: Agency, client: Client) -> list[dict]:
    """The staff client page: every contact of the company (the caller has checked it may see the client)."""
    return portal_access_rows(agency=agency, contacts=list(Contact.objects.filter(agency=agency, client=client)))


def portal_colleagues(*, agency: Agency, membership: Membership) -> list[dict]:
    """A client login's own company's contacts with their portal state (nothing for anyone else)."""
    contacts = list(portal_fence(Contact.objects.all(), agency=agency, membership=membership))
    return portal_access_rows(agency=agency, contacts=contacts)
