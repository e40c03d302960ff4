from django.db.models import Q, QuerySet
from django.http import Http404

from mrm.tenancy.fences import refuse_client
from mrm.tenancy.models import Agency, Membership, Role

from ..models import Client


def client_visibility_q(*, membership: Membership, prefix: str = "") -> Q:
    """Directors see every client; AMs their own and those they are on the team of; others their teams.
    Team membership is a subquery, not a join, so rows never repeat and no DISTINCT or id re-select is
    needed: at 10,000 clients that keeps COUNT and ORDER BY … LIMIT on the (agency, …) indexes.
    `prefix` ("client__") applies the same condition to rows hanging off a client (deals, plans…), so those
    queries filter on the client directly instead of `client_id IN (SELECT id FROM client WHERE …)`.
    A client login is refused (mrm.tenancy.fences): the portal reads its company through portal/selectors."""
    refuse_client(membership)
    if membership.role == Role.DIRECTOR:
        return Q()
    on_team = Q(**{f"{prefix}pk__in": Client.team.through.objects.filter(user_id=membership.user_id)
                   .values("client_id")})
    if membership.role == Role.AM:
        return Q(**{f"{prefix}owner_id": membership.user_id}) | on_team
    return on_team


def client_list(*, agency: Agency, membership: Membership) -> QuerySet[Client]:
    refuse_client(membership)
    return Client.objects.filter(agency=agency).filter(client_visibility_q(membership=membership)).select_related(
        "owner")


def client_get(*, agency: Agency, membership: Membership, client_id) -> Client:
    refuse_client(membership)
    client = client_list(agency=agency, membership=membership).filter(pk=client_id).first()
    if client is None:
        raise Http404
    return client
