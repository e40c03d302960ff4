from django.db.models import Prefetch, QuerySet
from django.http import Http404

from mrm.tenancy.fences import refuse_client
from mrm.tenancy.models import Agency, Membership

from ..models import Client, Contact, Interaction
from .companies import client_list


def interaction_list(*, agency: Agency, membership: Membership, client: Client | None = None) -> QuerySet[Interaction]:
    """The timeline: newest first, with author, participants and the answered message loaded in bulk."""
    refuse_client(membership)
    qs = Interaction.objects.filter(agency=agency)
    if client is not None:
        qs = qs.filter(client=client)
    else:
        qs = qs.filter(client_id__in=client_list(agency=agency, membership=membership).values("pk"))
    return qs.select_related("author", "reply_to").prefetch_related(
        Prefetch("contacts", queryset=Contact.objects.filter(agency=agency).only("id", "full_name", "client_id"))
    ).order_by("-occurred_at", "-created_at")


def interaction_get(*, agency: Agency, membership: Membership, interaction_id,
                    client: Client | None = None) -> Interaction:
    refuse_client(membership)
    interaction = interaction_list(agency=agency, membership=membership, client=client).filter(
        pk=interaction_id).first()
    if interaction is None:
        raise Http404
    return interaction


def interaction_awaiting_reply_list(*, agency: Agency, client: Client) -> QuerySet[Interaction]:
    """The client's messages that still wait for our answer (oldest first)."""
    return Interaction.objects.filter(agency=agency, client=client, needs_reply=True,
                                      replied_at__isnull=True).order_by("occurred_at")
