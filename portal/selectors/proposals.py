"""Proposals (КП) in the client portal: those sent to the client login's company, as they were sent.

Only a proposal with at least one frozen version (`ProposalVersion`, made by sending) shows; a draft never
sent does not exist for the client. What the portal shows of a proposal always comes from its latest sent
version (title, total, validity), never from the draft the AM may be editing since.
"""
from dataclasses import dataclass
from datetime import date

from django.db.models import DateField, Exists, OuterRef, QuerySet, Subquery
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from clients.models import Contact
from mrm.tenancy.models import Agency, Membership
from projects.models import ChangeRequest
from proposals.models import Decision, Proposal, ProposalVersion, Recipient
from proposals.services.renewal import agency_today

from . import portal_fence
from .changes import portal_change_request_list

SHOWN_STATUSES = (Proposal.Status.SENT, Proposal.Status.ACCEPTED, Proposal.Status.DECLINED)

# The client's view of a proposal's state: key → label and badge colour.
PORTAL_STATUSES = {
    "sent": (_("Sent"), "bg-blue-lt"),
    "opened": (_("Opened"), "bg-azure-lt"),
    "accepted": (_("Accepted"), "bg-green-lt"),
    "declined": (_("Declined"), "bg-secondary-lt"),
    "expired": (_("Expired"), "bg-orange-lt"),
}


def portal_proposal_list(*, agency: Agency, membership: Membership) -> QuerySet[Proposal]:
    """The proposals sent to the login's company, newest sending first, each annotated with its latest
    version (`latest_*`) and whether anyone of the company opened it (`opened`). Constant queries."""
    versions = ProposalVersion.objects.filter(agency=agency, proposal=OuterRef("pk"))
    latest = versions.order_by("-number")
    qs = portal_fence(Proposal.objects.all(), agency=agency, membership=membership)
    return (qs.filter(status__in=SHOWN_STATUSES).filter(Exists(versions))
            .annotate(latest_version_id=Subquery(latest.values("pk")[:1]),
                      latest_number=Subquery(latest.values("number")[:1]),
                      latest_total=Subquery(latest.values("total")[:1]),
                      latest_sent_at=Subquery(latest.values("created_at")[:1]),
                      latest_title=Subquery(latest.annotate(t=KT("snapshot__title")).values("t")[:1]),
                      latest_currency=Subquery(latest.annotate(c=KT("snapshot__currency")).values("c")[:1]),
                      latest_valid_until=Subquery(latest.annotate(
                          v=Cast(KT("snapshot__valid_until"), DateField())).values("v")[:1]),
                      opened=Exists(Recipient.objects.filter(agency=agency, proposal=OuterRef("pk"),
                                                             first_opened_at__isnull=False)))
            .only("pk", "status", "currency", "client_id", "agency_id", "sent_at", "decided_at")
            .order_by("-latest_sent_at", "-created_at"))


def portal_proposal_get(*, agency: Agency, membership: Membership, proposal_id) -> Proposal:
    """One proposal of the list (same annotations); 404 for a draft, another company's or another agency's."""
    proposal = portal_proposal_list(agency=agency, membership=membership).filter(pk=proposal_id).first()
    if proposal is None:
        raise Http404
    return proposal


def portal_status(*, proposal: Proposal, today: date) -> str:
    """sent / opened / accepted / declined / expired, from the list's annotations."""
    if proposal.status == Proposal.Status.ACCEPTED:
        return "accepted"
    if proposal.status == Proposal.Status.DECLINED:
        return "declined"
    if proposal.latest_valid_until is not None and proposal.latest_valid_until < today:
        return "expired"
    return "opened" if proposal.opened else "sent"


@dataclass(frozen=True)
class PortalProposalRow:
    proposal: Proposal
    status: str

    @property
    def status_label(self):
        return PORTAL_STATUSES[self.status][0]

    @property
    def status_badge(self) -> str:
        return PORTAL_STATUSES[self.status][1]


def portal_proposal_rows(*, agency: Agency, proposals) -> list[PortalProposalRow]:
    today = agency_today(agency=agency)
    return [PortalProposalRow(proposal=p, status=portal_status(proposal=p, today=today)) for p in proposals]


def portal_proposal_versions(*, agency: Agency, proposal: Proposal) -> list[ProposalVersion]:
    """The history of what was sent: every version, newest first (without the heavy snapshot)."""
    return list(ProposalVersion.objects.filter(agency=agency, proposal_id=proposal.pk)
                .only("pk", "number", "created_at", "total", "content_hash", "proposal_id", "agency_id")
                .order_by("-number"))


def portal_version_get(*, agency: Agency, proposal: Proposal, version_id=None) -> ProposalVersion:
    """The latest sent version (or the one named, of this proposal only), with its snapshot."""
    qs = (ProposalVersion.objects.filter(agency=agency, proposal_id=proposal.pk).select_related("agency")
          .defer("internal"))  # the staff-only cost side of the version never leaves the database here
    version = qs.filter(pk=version_id).first() if version_id else qs.order_by("-number").first()
    if version is None:
        raise Http404
    return version


def portal_recipient(*, agency: Agency, membership: Membership, version: ProposalVersion) -> Recipient | None:
    """The login's own personal link to this version, if the version was e-mailed to them (not revoked)."""
    if not membership.contact_id:
        return None
    return (Recipient.objects.filter(agency=agency, proposal_id=version.proposal_id, version=version,
                                     contact_id=membership.contact_id, revoked_at__isnull=True)
            .select_related("proposal").order_by("-created_at").first())


def portal_decision(*, agency: Agency, proposal: Proposal) -> Decision | None:
    return Decision.objects.filter(agency=agency, proposal_id=proposal.pk).select_related("version").first()


def portal_contact(*, agency: Agency, membership: Membership) -> Contact:
    contact = Contact.objects.filter(agency=agency, pk=membership.contact_id).first()
    if contact is None:
        raise Http404
    return contact


def portal_changes_waiting(*, agency: Agency, membership: Membership, limit: int = 5) -> list[ChangeRequest]:
    """The change requests waiting for the company's answer, for the proposals page (the full list is
    portal:changes)."""
    return list(portal_change_request_list(agency=agency, membership=membership)
                .filter(status=ChangeRequest.Status.SENT)[:limit])
