"""What the client does with the personal link: opens (with time on page), PDF downloads, and the
decision (accept / decline) on one exact version. Also "the client replied" from the AM."""
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_scopes import scope

from clients.models import Contact, Deal
from mrm.core.errors import ServiceError
from mrm.core.templatetags.mrm import money
from mrm.integrations.mail import send_templated
from mrm.tenancy.models import Agency, Membership, Role
from mrm.tenancy.services import audit

from .. import crm, handoff, public
from ..models import Decision, Proposal, ProposalVersion, Recipient, Via, ViewEvent
from . import documents, followups, renewal

logger = logging.getLogger(__name__)

MAX_SECONDS_PER_VISIT = 4 * 60 * 60


def recipient_from_token(token: str) -> tuple[Agency, Recipient] | None:
    """The recipient a personal link names, or None when the link is forged, revoked or stale. The
    caller must then answer 404; the agency is returned so the caller can enter its scope."""
    parsed = public.link_token_parse(token)
    if parsed is None:
        return None
    agency_uuid, recipient_id, nonce = parsed
    agency = Agency.objects.filter(uuid=agency_uuid).first()
    if agency is None:
        return None
    with scope(agency=agency):
        recipient = (Recipient.objects.filter(agency=agency, pk=recipient_id, revoked_at__isnull=True)
                     .select_related("proposal__client", "proposal__owner", "version", "agency").first())
    if recipient is None or not public.nonce_matches(recipient, nonce):
        return None
    return agency, recipient


def latest_version(*, recipient: Recipient) -> ProposalVersion | None:
    return ProposalVersion.objects.filter(agency_id=recipient.agency_id, proposal_id=recipient.proposal_id) \
        .defer("snapshot").order_by("-number").first()


def is_staff_viewer(*, user, agency: Agency) -> bool:
    """The agency's own staff (logged in) opening a client's link: not the client reading, so not counted."""
    if user is None or not user.is_authenticated:
        return False
    return Membership.objects.filter(agency=agency, user=user, is_active=True).exclude(role=Role.CLIENT).exists()


@transaction.atomic
def record_open(*, agency: Agency, recipient: Recipient, ip: str | None, user_agent: str,
                via: str = Via.LINK) -> ViewEvent:
    now = timezone.now()
    event = ViewEvent.objects.create(agency=agency, recipient=recipient, kind=ViewEvent.Kind.OPEN, ip_address=ip,
                                     user_agent=user_agent[:300], via=via)
    Recipient.objects.filter(agency=agency, pk=recipient.pk).update(open_count=F("open_count") + 1,
                                                                     last_opened_at=now)
    Recipient.objects.filter(agency=agency, pk=recipient.pk, first_opened_at__isnull=True).update(
        first_opened_at=now)
    if recipient.proposal.status == Proposal.Status.SENT:
        followups.followups_on_open(agency=agency, proposal=recipient.proposal, when=now)
    return event


@transaction.atomic
def record_time(*, agency: Agency, recipient: Recipient, event_id, seconds: int) -> None:
    """The page's beacon reports total seconds on this visit; keep the largest and add the growth."""
    seconds = max(0, min(int(seconds), MAX_SECONDS_PER_VISIT))
    event = ViewEvent.objects.select_for_update().filter(agency=agency, recipient=recipient, pk=event_id,
                                                          kind=ViewEvent.Kind.OPEN).first()
    if event is None or seconds <= event.seconds:
        return
    growth = seconds - event.seconds
    ViewEvent.objects.filter(agency=agency, pk=event.pk).update(seconds=Greatest(F("seconds"), seconds))
    Recipient.objects.filter(agency=agency, pk=recipient.pk).update(seconds_viewed=F("seconds_viewed") + growth)


@transaction.atomic
def record_download(*, agency: Agency, recipient: Recipient, ip: str | None, user_agent: str,
                    via: str = Via.LINK) -> None:
    ViewEvent.objects.create(agency=agency, recipient=recipient, kind=ViewEvent.Kind.DOWNLOAD, ip_address=ip,
                             user_agent=user_agent[:300], via=via)
    Recipient.objects.filter(agency=agency, pk=recipient.pk).update(download_count=F("download_count") + 1)


def can_decide(*, recipient: Recipient, latest: ProposalVersion | None) -> bool:
    return (recipient.proposal.status == Proposal.Status.SENT and latest is not None
            and latest.pk == recipient.version_id)


def proposal_decide(*, agency: Agency, recipient: Recipient, accept: bool, signed_name: str, comment: str,
                    version_hash: str, ip: str | None, user_agent: str, options=()) -> Decision:
    """The client's answer from the personal link on the exact version they saw: the hash in the form must be
    the hash of the recipient's version, which must be the latest one sent."""
    return _decide(
        agency=agency, proposal_id=recipient.proposal_id, version_id=recipient.version_id, recipient=recipient,
        contact_id=recipient.contact_id, email=recipient.email, via=Via.LINK, accept=accept,
        signed_name=signed_name, comment=comment, version_hash=version_hash, ip=ip, user_agent=user_agent,
        options=options,
        stale_message=_("A newer version of this proposal was sent to you; please open the latest e-mail."))


def proposal_decide_portal(*, agency: Agency, proposal: Proposal, contact: Contact, accept: bool, signed_name: str,
                           comment: str, version_hash: str, ip: str | None, user_agent: str,
                           options=()) -> Decision:
    """The same answer from the client portal, by the logged-in contact of the proposal's company: the version
    is the one whose hash the page showed, and it must still be the latest sent. The contact's own personal
    link to that version (when they were a recipient) is kept on the decision, as if they had used it."""
    if contact.client_id != proposal.client_id:
        raise ServiceError(_("This proposal was not sent to your company."), code="company")
    version = (ProposalVersion.objects.filter(agency=agency, proposal_id=proposal.pk, content_hash=version_hash)
               .defer("snapshot", "internal").order_by("-number").first())
    if version is None:
        raise ServiceError(_("The proposal changed while you were reading it. Reload the page and check it again."),
                           code="hash")
    recipient = (Recipient.objects.filter(agency=agency, proposal_id=proposal.pk, version=version, contact=contact,
                                          revoked_at__isnull=True).order_by("-created_at").first())
    return _decide(
        agency=agency, proposal_id=proposal.pk, version_id=version.pk, recipient=recipient, contact_id=contact.pk,
        email=recipient.email if recipient else contact.email, via=Via.PORTAL, accept=accept,
        signed_name=signed_name, comment=comment, version_hash=version_hash, ip=ip, user_agent=user_agent,
        options=options,
        stale_message=_("A newer version of this proposal was sent to you: reload the page and read it first."))


@transaction.atomic
def _decide(*, agency: Agency, proposal_id, version_id, recipient: Recipient | None, contact_id, email: str,
            via: str, accept: bool, signed_name: str, comment: str, version_hash: str, ip: str | None,
            user_agent: str, stale_message: str, options=()) -> Decision:
    """The one acceptance record, wherever the client answers: the version and its hash, the optional items
    switched on and the totals of that choice, who (typed name, contact, e-mail), when and from where. Moves
    the deal, stops the cadence, hands off to delivery (only the options switched on count)."""
    proposal = Proposal.objects.select_for_update(of=("self",)).select_related("client", "owner", "deal").get(
        agency=agency, pk=proposal_id)
    version = ProposalVersion.objects.get(agency=agency, pk=version_id)
    latest = ProposalVersion.objects.filter(agency=agency, proposal=proposal).order_by("-number").first()
    if proposal.status != Proposal.Status.SENT:
        raise ServiceError(_("This proposal has already been answered."), code="answered")
    if accept:
        renewal.check_not_expired(agency=agency, version=version)  # declining an expired one stays possible
    if latest is None or latest.pk != version.pk:
        raise ServiceError(stale_message, code="stale")
    if version_hash != version.content_hash:
        raise ServiceError(_("The proposal changed while you were reading it. Reload the page and check it again."),
                           code="hash")
    signed_name = (signed_name or "").strip()
    if len(signed_name) < 2 or (accept and len(signed_name.split()) < 2):
        raise ServiceError(_("Type your full name: first name and surname."), field="signed_name")
    chosen = documents.option_keys(snapshot=version.snapshot, chosen=options) if accept else []
    by_key = {o["key"]: o for o in version.snapshot.get("options") or []}
    totals = documents.choice_totals(snapshot=version.snapshot, chosen=chosen)
    decision = Decision.objects.create(
        agency=agency, proposal=proposal, version=version, version_hash=version.content_hash, recipient=recipient,
        contact_id=contact_id, kind=Decision.Kind.ACCEPTED if accept else Decision.Kind.DECLINED, via=via,
        signed_name=signed_name[:150], comment=(comment or "").strip()[:2000], ip_address=ip,
        user_agent=user_agent[:300],
        options=[{"key": k, "name": by_key[k]["name"], "amount": by_key[k]["amount"],
                  "billing": by_key[k].get("billing", "one_off"), "months": by_key[k].get("months", 1)}
                 for k in chosen],
        accepted_totals=totals.as_dict() if accept else {})
    proposal.status = Proposal.Status.ACCEPTED if accept else Proposal.Status.DECLINED
    proposal.decided_at = timezone.now()
    proposal.save(update_fields=["status", "decided_at", "updated_at"])
    crm.deal_move(agency=agency, actor=None, deal=proposal.deal,
                  stage=Deal.Stage.WON if accept else Deal.Stage.LOST,
                  reason="" if accept else (decision.comment or _("The client declined the proposal."))[:255])
    followups.followups_cancel(agency=agency, actor=None, proposal=proposal,
                               reason="accepted" if accept else "declined")
    changes = {"version": (None, version.number), "hash": (None, version.content_hash),
               "by": (None, f"{signed_name} <{email}>"), "ip": (None, ip)}
    if via != Via.LINK:
        changes["via"] = (None, via)
    if chosen:
        changes["options"] = (None, ", ".join(by_key[k]["name"] for k in chosen))
        changes["total"] = (None, str(totals.total))
    audit(agency=agency, actor=None, action="proposal.accepted" if accept else "proposal.declined",
          target=proposal, changes=changes)
    if accept:
        handoff.handoff_record(agency=agency, handoff=handoff.AcceptedProposal(
            agency_id=agency.pk, proposal_id=proposal.pk, version_id=version.pk, version_number=version.number,
            version_hash=version.content_hash, client_id=proposal.client_id, deal_id=proposal.deal_id,
            owner_id=proposal.owner_id, total=totals.total, currency=proposal.currency,
            snapshot=documents.accepted_snapshot(snapshot=version.snapshot, chosen=chosen)))
    agency_id, decision_id = agency.pk, decision.pk
    transaction.on_commit(lambda: _after_decision(agency_id=agency_id, decision_id=decision_id))
    return decision


def _after_decision(*, agency_id: int, decision_id) -> None:
    """E-mail the owner and, on acceptance, queue the client's confirmation with the certified PDF (the
    hand-off to delivery is the outbox row written with the decision)."""
    agency = Agency.objects.get(pk=agency_id)
    with scope(agency=agency):
        decision = Decision.objects.select_related("proposal__owner", "proposal__client", "version", "contact",
                                                   "recipient").get(agency=agency, pk=decision_id)
        proposal = decision.proposal
        if decision.kind == Decision.Kind.ACCEPTED:
            from ..tasks import decision_confirmation_task

            try:
                decision_confirmation_task.delay(agency_id=agency_id, decision_id=str(decision_id))
            except Exception:  # noqa: BLE001 - the decision is recorded; the broker's outage must not undo it
                logger.exception("decision %s: confirmation not queued", decision_id)
        if proposal.owner and proposal.owner.email:
            language = getattr(proposal.owner, "language", None)
            try:
                with translation.override(language or settings.LANGUAGE_CODE):
                    if decision.kind == Decision.Kind.ACCEPTED:
                        subject = _("%(client)s accepted the proposal: %(total)s") % {
                            "client": proposal.client.name, "total": money(decision.accepted_total, proposal.currency)}
                    else:
                        subject = _("%(client)s declined the proposal") % {"client": proposal.client.name}
                send_templated(to=[proposal.owner.email], subject=subject, template="emails/proposals/decision",
                               context={"decision": decision, "proposal": proposal}, language=language)
            except Exception:  # noqa: BLE001 - the decision is recorded; a mail outage must not undo it
                logger.exception("decision %s: owner e-mail failed", decision_id)


@transaction.atomic
def proposal_mark_replied(*, agency: Agency, actor, proposal: Proposal) -> int:
    """The client answered (by mail or phone): the cadence stops; the deal goes to negotiation."""
    if proposal.status != Proposal.Status.SENT:
        raise ServiceError(_("Only a sent proposal waits for a reply."))
    count = followups.followups_cancel(agency=agency, actor=actor, proposal=proposal, reason="replied")
    crm.deal_move(agency=agency, actor=actor, deal=proposal.deal, stage=Deal.Stage.NEGOTIATION)
    audit(agency=agency, actor=actor, action="proposal.client_replied", target=proposal)
    return count
