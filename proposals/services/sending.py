"""Sending a proposal: freeze a version (snapshot + SHA-256), one personal link per contact, e-mail after
commit (PDF rendered once per version), the deal moves to "proposal sent", the follow-up cadence starts."""
import logging
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from clients.models import Contact, Deal
from mrm.core.errors import ServiceError
from mrm.integrations.mail import send_templated
from mrm.tenancy.models import Agency
from mrm.tenancy.services import audit

from .. import crm, public
from ..models import EstimateLine, Proposal, ProposalSection, ProposalVersion, Recipient
from . import documents, editor, followups

logger = logging.getLogger(__name__)


def webview_url(*, recipient: Recipient) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("proposals_public:webview",
                                                   args=[public.link_token(recipient=recipient)])


@transaction.atomic
def version_freeze(*, agency: Agency, actor, proposal: Proposal) -> ProposalVersion:
    """Store the proposal as it is now; the hash is over the canonical JSON of the snapshot. When nothing
    changed since the latest version (same hash), that version is reused: re-sending an unchanged КП to
    someone else must not make "version 2" of the same text."""
    snapshot = documents.proposal_snapshot(proposal=proposal)
    content_hash = documents.snapshot_hash(snapshot)
    last = ProposalVersion.objects.filter(agency=agency, proposal=proposal).order_by("-number").first()
    if last is not None and last.content_hash == content_hash:
        return last
    version = ProposalVersion.objects.create(
        agency=agency, proposal=proposal, number=(last.number + 1) if last else 1, snapshot=snapshot,
        content_hash=content_hash, total=Decimal(snapshot["totals"]["total"]), sent_by=actor,
        internal=documents.proposal_internal_snapshot(proposal=proposal))
    audit(agency=agency, actor=actor, action="proposal.version_frozen", target=proposal,
          changes={"version": (None, version.number), "hash": (None, version.content_hash)})
    return version


@transaction.atomic
def proposal_send(*, agency: Agency, actor, proposal: Proposal, contacts, message: str = "") -> ProposalVersion:
    """Send to the chosen contacts of the proposal's client; returns the frozen version."""
    proposal = Proposal.objects.select_for_update(of=("self",)).select_related("client", "owner", "agency").get(
        agency=agency, pk=proposal.pk)
    if not proposal.is_editable:
        raise ServiceError(_("This proposal was already answered by the client."))
    if not EstimateLine.objects.filter(agency=agency, proposal=proposal, is_optional=False).exists():
        raise ServiceError(_("Add at least one estimate line before sending: money is never vague."))
    if not ProposalSection.objects.filter(agency=agency, proposal=proposal).exclude(body="").exists():
        raise ServiceError(_("The proposal has no text yet: add at least one section (for example, your "
                             "understanding of the task) before sending. The client would get only a price list."))
    contacts = list(contacts)
    if not contacts:
        raise ServiceError(_("Choose at least one contact to send to."), field="contacts")
    valid = set(Contact.objects.filter(agency=agency, client=proposal.client, pk__in=[c.pk for c in contacts])
                .exclude(email="").values_list("pk", flat=True))
    bad = [c for c in contacts if c.pk not in valid]
    if bad:
        raise ServiceError(_("%(name)s has no e-mail or is not a contact of this client.") % {
            "name": bad[0].full_name}, field="contacts")
    editor.recalculate(proposal=proposal)
    version = version_freeze(agency=agency, actor=actor, proposal=proposal)
    for contact in contacts:
        Recipient.objects.create(agency=agency, proposal=proposal, version=version, contact=contact,
                                 name=contact.full_name, email=contact.email.strip().lower())
    now = timezone.now()
    proposal.status, proposal.sent_at = Proposal.Status.SENT, now
    proposal.save(update_fields=["status", "sent_at", "updated_at"])
    crm.deal_move(agency=agency, actor=actor, deal=proposal.deal, stage=Deal.Stage.PROPOSAL_SENT,
                  amount=proposal.subtotal - proposal.discount_amount)
    followups.followups_schedule(agency=agency, actor=actor, proposal=proposal)
    audit(agency=agency, actor=actor, action="proposal.sent", target=proposal,
          changes={"version": (None, version.number), "to": (None, ", ".join(c.email for c in contacts))})
    from ..tasks import proposal_send_task

    proposal_send_task.delay_on_commit(agency_id=agency.pk, version_id=str(version.pk), message=message[:2000])
    return version


def deliver(*, agency_id: int, version_id: str, message: str = "") -> int:
    """E-mail each recipient of a version: claimed with a compare-and-set on `email_claimed_at`, marked
    `emailed_at` once the mail server took it. A claim of a worker that died before that point is taken
    again after a job lease, so an e-mail is never lost; only a crash in the instant between the server's
    answer and the marker can send it twice."""
    from datetime import timedelta

    from django.db.models import Q
    version = ProposalVersion.objects.select_related("proposal__owner", "proposal__agency").filter(
        agency_id=agency_id, pk=version_id).first()
    if version is None:
        return 0
    documents.version_pdf(version=version)  # rendered once; the e-mail links to it
    proposal = version.proposal
    owner = proposal.owner
    sent = 0
    for recipient in Recipient.objects.filter(agency_id=agency_id, version=version, emailed_at__isnull=True,
                                              revoked_at__isnull=True).select_related("agency"):
        now = timezone.now()
        abandoned = now - timedelta(seconds=settings.JOB_LEASE_SECONDS)
        claimed = Recipient.objects.filter(
            Q(email_claimed_at__isnull=True) | Q(email_claimed_at__lt=abandoned),
            agency_id=agency_id, pk=recipient.pk, emailed_at__isnull=True).update(email_claimed_at=now)
        if not claimed:
            continue
        link = webview_url(recipient=recipient)
        try:
            send_templated(
                to=[recipient.email], subject=_("%(agency)s: %(title)s") % {
                    "agency": proposal.agency.name, "title": proposal.title},
                template="emails/proposals/proposal_sent",
                context={"recipient": recipient, "proposal": proposal, "agency": proposal.agency, "owner": owner,
                         "link": link, "pdf_link": link + "pdf/", "message": message,
                         "total": version.total, "totals": version.snapshot.get("totals") or {},
                         "options": version.snapshot.get("options") or [],
                         "valid_until": version.snapshot.get("valid_until")},
                reply_to=[owner.email] if owner and owner.email else None)
        except Exception:
            Recipient.objects.filter(agency_id=agency_id, pk=recipient.pk).update(email_claimed_at=None)
            logger.exception("proposal %s: e-mail to recipient %s failed", proposal.pk, recipient.pk)
            raise OSError("mail delivery failed") from None
        Recipient.objects.filter(agency_id=agency_id, pk=recipient.pk).update(emailed_at=timezone.now())
        sent += 1
    return sent


@transaction.atomic
def recipient_revoke(*, agency: Agency, actor, proposal: Proposal, recipient: Recipient) -> None:
    """The personal link stops working at once (and a new nonce makes any copy of it useless)."""
    Recipient.objects.filter(agency=agency, pk=recipient.pk).update(revoked_at=timezone.now(),
                                                                    nonce=Recipient._meta.get_field("nonce")
                                                                    .get_default())
    audit(agency=agency, actor=actor, action="proposal.link_revoked", target=proposal,
          changes={"recipient": (recipient.email, None)})
