"""The portal's change requests: those sent to the client login's company (drafts and withdrawn requests are the
agency's business). Built on `portal_fence`, so another company's or another agency's request is never found."""
from django.db.models import QuerySet
from django.http import Http404

from mrm.tenancy.models import Agency, Membership
from projects.models import ChangeRequest

from . import portal_fence

# What a client contact may open in the portal.
PORTAL_STATUSES = (ChangeRequest.Status.SENT, ChangeRequest.Status.APPROVED, ChangeRequest.Status.DECLINED)


def portal_change_request_list(*, agency: Agency, membership: Membership) -> QuerySet[ChangeRequest]:
    """The change requests sent to the company of a client login; nothing for anyone else."""
    qs = ChangeRequest.objects.filter(status__in=PORTAL_STATUSES)
    return (portal_fence(qs, agency=agency, membership=membership, client_field="project__client")
            .select_related("project", "decided_by").order_by("-sent_at", "-number"))


def portal_change_request_get(*, agency: Agency, membership: Membership, change_request_id) -> ChangeRequest:
    change_request = portal_change_request_list(agency=agency, membership=membership).filter(
        pk=change_request_id).first()
    if change_request is None:
        raise Http404
    return change_request


def portal_pending_change_requests(*, agency: Agency, membership: Membership) -> QuerySet[ChangeRequest]:
    """Sent and not decided yet: the client's answer is awaited (oldest first)."""
    return (portal_fence(ChangeRequest.objects.filter(status=ChangeRequest.Status.SENT), agency=agency,
                         membership=membership, client_field="project__client")
            .select_related("project").order_by("sent_at", "number"))
