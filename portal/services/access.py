"""Who may log in to the client portal.

A portal login is a Membership(role=CLIENT, contact=<Contact>) made by accepting an invitation (the staff
invitation of `mrm.tenancy`, extended with the contact): the AM invites a contact from the client page, and a
client's portal admin may invite colleagues of their own company (if the agency allows it). Revoking access
or deleting the contact ends every session of that person at once (`mrm.accounts.services.user_sessions_end`).
"""
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clients.models import Contact
from clients.services.contacts import contact_for_person
from mrm.accounts.services import user_sessions_end
from mrm.core.errors import ServiceError
from mrm.tenancy.models import Agency, Invitation, Membership, Role
from mrm.tenancy.services import audit, invitation_create

from ..selectors import is_portal_login, portal_company


def _pending(*, agency: Agency, contact: Contact):
    return Invitation.objects.filter(agency=agency, contact=contact, accepted_at__isnull=True,
                                     revoked_at__isnull=True)


@transaction.atomic
def portal_invite(*, agency: Agency, actor, contact: Contact, portal_admin: bool = False) -> Invitation:
    """E-mail the contact a single-use, 7-day link to the portal; a new one replaces a pending one (resend)."""
    contact = Contact.objects.select_for_update().get(agency=agency, pk=contact.pk)
    if not contact.email:
        raise ServiceError(_("Add an e-mail address to %(name)s first: the invitation is sent there.")
                           % {"name": contact.full_name}, field="email")
    if Membership.objects.filter(agency=agency, contact=contact, is_active=True).exists():
        raise ServiceError(_("%(name)s already has access to the portal.") % {"name": contact.full_name})
    _pending(agency=agency, contact=contact).update(revoked_at=timezone.now())
    invitation, _token = invitation_create(agency=agency, actor=actor, email=contact.email, role=Role.CLIENT,
                                           contact=contact, portal_admin=portal_admin)
    return invitation


@transaction.atomic
def portal_access_revoke(*, agency: Agency, actor, contact: Contact) -> int:
    """Withdraw the contact's pending invitation and end their portal access and every session of theirs.
    Returns how many logins lost access (0 when only an invitation was withdrawn)."""
    withdrawn = _pending(agency=agency, contact=contact).update(revoked_at=timezone.now())
    memberships = list(Membership.objects.select_for_update().filter(agency=agency, contact=contact, is_active=True,
                                                                     role=Role.CLIENT))
    if not memberships and not withdrawn:
        raise ServiceError(_("%(name)s has no portal access to revoke.") % {"name": contact.full_name})
    Membership.objects.filter(agency=agency, pk__in=[m.pk for m in memberships]).update(is_active=False,
                                                                                       is_portal_admin=False)
    user_sessions_end(user_ids=[m.user_id for m in memberships])
    audit(agency=agency, actor=actor, action="portal.access_revoked", target=contact,
          changes={"logins": (len(memberships), 0), "invitations_withdrawn": (withdrawn, 0)})
    return len(memberships)


@transaction.atomic
def portal_admin_set(*, agency: Agency, actor, contact: Contact, is_admin: bool) -> Membership:
    """Let a contact with portal access invite colleagues (or stop them)."""
    membership = (Membership.objects.select_for_update()
                  .filter(agency=agency, contact=contact, is_active=True, role=Role.CLIENT).first())
    if membership is None:
        raise ServiceError(_("%(name)s has no portal access yet: invite them first.") % {"name": contact.full_name})
    if membership.is_portal_admin != is_admin:
        Membership.objects.filter(agency=agency, pk=membership.pk).update(is_portal_admin=is_admin)
        audit(agency=agency, actor=actor, action="portal.admin_changed", target=contact,
              changes={"portal_admin": (membership.is_portal_admin, is_admin)})
        membership.is_portal_admin = is_admin
    return membership


def portal_can_invite(*, agency: Agency, membership: Membership) -> bool:
    """May this client login invite colleagues: a portal admin, and the agency allows it."""
    return bool(is_portal_login(membership) and membership.is_active and membership.is_portal_admin
                and agency.portal_client_invites)


@transaction.atomic
def portal_colleague_invite(*, agency: Agency, membership: Membership, full_name: str, email: str) -> Invitation:
    """A client's portal admin invites a colleague: a contact of their own company (found by e-mail or added)
    gets a portal invitation."""
    if not portal_can_invite(agency=agency, membership=membership):
        raise ServiceError(_("Your agency has not allowed you to invite colleagues."), code="forbidden")
    company = portal_company(agency=agency, membership=membership)
    actor = membership.user
    contact = contact_for_person(agency=agency, actor=actor, client=company, email=email, full_name=full_name)
    return portal_invite(agency=agency, actor=actor, contact=contact)
