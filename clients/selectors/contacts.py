from django.db.models import QuerySet
from django.http import Http404

from mrm.tenancy.fences import refuse_client
from mrm.tenancy.models import Agency, Membership

from ..models import Client, Contact
from .companies import client_list


def contact_list(*, agency: Agency, membership: Membership, client: Client | None = None) -> QuerySet[Contact]:
    """Contacts of the clients the member may see (of one client when given)."""
    refuse_client(membership)
    qs = Contact.objects.filter(agency=agency)
    if client is not None:
        return qs.filter(client=client)
    return qs.filter(client_id__in=client_list(agency=agency, membership=membership).values("pk"))


def contact_get(*, agency: Agency, membership: Membership, contact_id, client: Client | None = None) -> Contact:
    refuse_client(membership)
    contact = contact_list(agency=agency, membership=membership, client=client).filter(pk=contact_id).first()
    if contact is None:
        raise Http404
    return contact
