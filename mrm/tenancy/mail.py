from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from mrm.integrations.mail import send_templated

from .models import Invitation


def send_invitation(*, invitation: Invitation, token: str) -> None:
    inviter = invitation.invited_by.full_name if invitation.invited_by else invitation.agency.name
    if invitation.contact_id is not None:  # a client contact: the invitation is to the agency's client portal
        send_templated(
            to=[invitation.email],
            subject=_("%(name)s invites you to the client portal of %(agency)s") % {
                "name": inviter, "agency": invitation.agency.name},
            template="emails/portal_invitation",
            context={"invitation": invitation, "inviter": inviter,
                     "url": settings.SITE_URL + reverse("accounts:invitation_accept", args=[token])},
        )
        return
    send_templated(
        to=[invitation.email],
        subject=_("%(name)s invites you to %(agency)s in MRM") % {"name": inviter, "agency": invitation.agency.name},
        template="emails/invitation",
        context={
            "invitation": invitation,
            "inviter": inviter,
            "url": settings.SITE_URL + reverse("accounts:invitation_accept", args=[token]),
        },
    )
