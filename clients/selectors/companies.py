from django.db.models import Q, QuerySet
from django.http import Http404

from mrm.tenancy.models import Agency, Membership, Role

from ..models import Client


def client_visibility_q(*, membership: Membership) -> Q:
    """Directors see every client; AMs their own and those they are on the team of; others their teams."""
    if membership.role == Role.DIRECTOR:
        return Q()
    if membership.role == Role.AM:
        return Q(owner_id=membership.user_id) | Q(team=membership.user_id)
    if membership.role == Role.CLIENT:
        return Q(pk=membership.client_id)
    return Q(team=membership.user_id)


def client_list(*, agency: Agency, membership: Membership) -> QuerySet[Client]:
    visible = Client.objects.filter(agency=agency).filter(client_visibility_q(membership=membership))
    # The team join can repeat rows: select ids first to keep the query plan simple.
    return Client.objects.filter(agency=agency, pk__in=visible.values("pk")).select_related("owner")


def client_get(*, agency: Agency, membership: Membership, client_id) -> Client:
    client = client_list(agency=agency, membership=membership).filter(pk=client_id).first()
    if client is None:
        raise Http404
    return client
