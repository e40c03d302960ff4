"""What the portal's home shows beyond the projects: the proposals (КП) waiting for the client's answer and the
recent activity the client may see. Built on `portal_fence`; a fixed number of queries whatever the volume."""
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Prefetch, QuerySet
from django.urls import NoReverseMatch, reverse

from mrm.tenancy.models import Agency, Membership
from projects.models import ChangeRequest, Milestone, Project, ProjectTask
from proposals.models import Proposal, Recipient
from proposals.public import link_token

from . import is_portal_login, portal_fence
from .changes import PORTAL_STATUSES

ACTIVITY_LIMIT = 10
PROPOSAL_LIMIT = 20


def proposal_portal_url(*, proposal: Proposal, recipient: Recipient | None) -> str:
    """Where the client opens a КП: the portal's proposal page when the portal has one, else the personal link
    this contact was sent (it tracks the open like the e-mail's link), else nothing."""
    for name, args in (("portal:proposal_detail", [proposal.pk]), ("portal:proposals", [])):
        try:
            return reverse(name, args=args)
        except NoReverseMatch:
            continue
    if recipient is not None:
        return reverse("proposals_public:webview", args=[link_token(recipient=recipient)])
    return ""


def portal_pending_proposals(*, agency: Agency, membership: Membership) -> list[Proposal]:
    """КП sent to the company and not answered yet (oldest first), each with `portal_url`. Two queries."""
    qs = Proposal.objects.filter(status=Proposal.Status.SENT, decided_at__isnull=True)
    links = (Recipient.objects.filter(agency=agency, contact_id=membership.contact_id, revoked_at__isnull=True)
             .order_by("-created_at") if is_portal_login(membership) else Recipient.objects.none())
    rows = list(portal_fence(qs, agency=agency, membership=membership)
                .prefetch_related(Prefetch("recipients", queryset=links, to_attr="my_links"))
                .order_by("sent_at", "pk")[:PROPOSAL_LIMIT])
    for proposal in rows:
        recipient = proposal.my_links[0] if proposal.my_links else None
        if recipient is not None:
            recipient.agency = agency  # the link is signed with the agency's uuid: no query for it
        proposal.portal_url = proposal_portal_url(proposal=proposal, recipient=recipient)
    return rows


@dataclass
class Activity:
    kind: str  # milestone | task | change | proposal
    at: datetime
    title: str
    project: Project | None = None
    url: str = ""


def portal_recent_activity(*, agency: Agency, membership: Membership, limit: int = ACTIVITY_LIMIT) -> list[Activity]:
    """The latest things the client may see happen, newest first: client-visible milestones reached and tasks
    done, change requests and КП sent. Four queries (the newest `limit` of each, merged)."""
    def fenced(qs: QuerySet, field: str = "project__client") -> QuerySet:
        return portal_fence(qs, agency=agency, membership=membership, client_field=field)

    not_cancelled = {"project__status__in": [s for s in Project.Status.values if s != Project.Status.CANCELLED]}
    items: list[Activity] = []
    for m in (fenced(Milestone.objects.filter(client_visible=True, reached_at__isnull=False, **not_cancelled))
              .select_related("project").order_by("-reached_at")[:limit]):
        items.append(Activity("milestone", m.reached_at, m.title, m.project,
                              reverse("portal:project", args=[m.project_id])))
    for t in (fenced(ProjectTask.objects.filter(client_visible=True, status=ProjectTask.Status.DONE,
                                                completed_at__isnull=False, **not_cancelled))
              .select_related("project").order_by("-completed_at")[:limit]):
        items.append(Activity("task", t.completed_at, t.title, t.project,
                              reverse("portal:project", args=[t.project_id])))
    for cr in (fenced(ChangeRequest.objects.filter(status__in=PORTAL_STATUSES, sent_at__isnull=False))
               .select_related("project").order_by("-sent_at")[:limit]):
        items.append(Activity("change", cr.sent_at, f"№{cr.number} {cr.title}", cr.project,
                              reverse("portal:change_detail", args=[cr.pk])))
    for p in (fenced(Proposal.objects.filter(sent_at__isnull=False).exclude(status=Proposal.Status.DRAFT), "client")
              .order_by("-sent_at")[:limit]):
        items.append(Activity("proposal", p.sent_at, p.title, url=proposal_portal_url(proposal=p, recipient=None)))
    items.sort(key=lambda a: a.at, reverse=True)
    return items[:limit]
