"""A proposal past its "valid until" date cannot be accepted: its prices and terms are no longer promised.
The client can instead ask for a new version from the personal link: the AM gets a task and an e-mail,
and the request is recorded on the recipient (once per link)."""
import logging
from datetime import date
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django_scopes import scope

from mrm.core.errors import ServiceError
from mrm.integrations.mail import send_templated
from mrm.tenancy.models import Agency
from mrm.tenancy.services import audit

from .. import crm
from ..models import Proposal, ProposalVersion, Recipient

logger = logging.getLogger(__name__)


def version_valid_until(*, version: ProposalVersion) -> date:
    """The date the client was promised: the one frozen in the version they saw."""
    return date.fromisoformat(version.snapshot["valid_until"])


def agency_today(*, agency: Agency) -> date:
    try:
        zone = ZoneInfo(agency.timezone)
    except (ValueError, KeyError):
        zone = timezone.get_current_timezone()
    return timezone.localdate(timezone=zone)


def version_expired(*, agency: Agency, version: ProposalVersion) -> bool:
    """True from the day after "valid until", in the agency's time zone."""
    return version_valid_until(version=version) < agency_today(agency=agency)


def check_not_expired(*, agency: Agency, version: ProposalVersion) -> None:
    """Refuse acceptance of an expired version with a message the client understands."""
    if version_expired(agency=agency, version=version):
        raise ServiceError(
            _("This proposal was valid until %(date)s and can no longer be accepted: prices and terms may have "
              "changed. Ask for a new version below.") % {
                "date": date_format(version_valid_until(version=version), "DATE_FORMAT")}, code="expired")


@transaction.atomic
def proposal_renewal_request(*, agency: Agency, recipient: Recipient, ip: str | None, user_agent: str) -> bool:
    """The client asks for a new version of an expired proposal. Returns False if this link already asked
    (compare-and-set on the recipient: repeating the click creates no second task or e-mail)."""
    proposal = Proposal.objects.select_for_update(of=("self",)).select_related("client", "owner", "deal").get(
        agency=agency, pk=recipient.proposal_id)
    version = ProposalVersion.objects.get(agency=agency, pk=recipient.version_id)
    latest = ProposalVersion.objects.filter(agency=agency, proposal=proposal).order_by("-number").first()
    if proposal.status != Proposal.Status.SENT:
        raise ServiceError(_("This proposal has already been answered."), code="answered")
    if latest is None or latest.pk != version.pk:
        raise ServiceError(_("A newer version of this proposal was sent to you; please open the latest e-mail."),
                           code="stale")
    if not version_expired(agency=agency, version=version):
        raise ServiceError(_("This proposal is still valid: you can accept it as it is."), code="valid")
    claimed = Recipient.objects.filter(agency=agency, pk=recipient.pk, renewal_requested_at__isnull=True).update(
        renewal_requested_at=timezone.now())
    if not claimed:
        return False
    crm.renewal_task(agency=agency, proposal=proposal, recipient_name=recipient.name,
                     valid_until=version_valid_until(version=version))
    audit(agency=agency, actor=None, action="proposal.renewal_requested", target=proposal,
          changes={"version": (None, version.number), "by": (None, f"{recipient.name} <{recipient.email}>"),
                   "ip": (None, ip)})
    agency_id, recipient_id = agency.pk, recipient.pk
    transaction.on_commit(lambda: _notify_owner(agency_id=agency_id, recipient_id=recipient_id))
    return True


def _notify_owner(*, agency_id: int, recipient_id) -> None:
    agency = Agency.objects.get(pk=agency_id)
    with scope(agency=agency):
        recipient = Recipient.objects.select_related("proposal__owner", "proposal__client", "version").get(
            agency=agency, pk=recipient_id)
        proposal = recipient.proposal
        if not (proposal.owner and proposal.owner.email):
            return
        try:
            send_templated(to=[proposal.owner.email], subject=_("%(client)s asks for a new version of “%(title)s”") % {
                "client": proposal.client.name, "title": proposal.title},
                template="emails/proposals/renewal_request",
                context={"recipient": recipient, "proposal": proposal,
                         "valid_until": version_valid_until(version=recipient.version)},
                language=getattr(proposal.owner, "language", None))
        except Exception:  # noqa: BLE001 - the request and the task are recorded; a mail outage must not undo them
            logger.exception("renewal request %s: owner e-mail failed", recipient_id)
