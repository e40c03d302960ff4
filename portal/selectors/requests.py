"""The portal's requests: the threads of the client login's own company (portal_fence), newest activity first.
Another company's or another agency's thread answers 404, as does an attachment of another thread."""
from django.db.models import QuerySet
from django.http import Http404

from comms.models import Attachment, ClientRequest
from comms.selectors import with_last_message
from mrm.tenancy.models import Agency, Membership

from . import portal_fence


def portal_request_list(*, agency: Agency, membership: Membership) -> QuerySet[ClientRequest]:
    return with_last_message(portal_fence(ClientRequest.objects.all(), agency=agency, membership=membership))


def portal_request_get(*, agency: Agency, membership: Membership, request_id) -> ClientRequest:
    thread = portal_fence(ClientRequest.objects.all(), agency=agency, membership=membership).select_related(
        "client").filter(pk=request_id).first()
    if thread is None:
        raise Http404
    return thread


def portal_attachment_get(*, agency: Agency, thread: ClientRequest, attachment_id) -> Attachment:
    attachment = Attachment.objects.filter(agency=agency, message__thread=thread, pk=attachment_id).first()
    if attachment is None:
        raise Http404
    return attachment
