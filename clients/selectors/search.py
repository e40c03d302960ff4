from dataclasses import dataclass, field

from django.db.models import Q

from mrm.tenancy.models import Agency, Membership

from ..models import Contact, Deal
from .companies import client_list, client_visibility_q


@dataclass
class SearchResults:
    query: str
    clients: list = field(default_factory=list)
    contacts: list = field(default_factory=list)
    deals: list = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.clients) + len(self.contacts) + len(self.deals)


def global_search(*, agency: Agency, membership: Membership, query: str, limit: int = 5) -> SearchResults:
    """Clients, contacts and deals matching `query` among the clients the member may see; three queries."""
    query = " ".join((query or "").split())[:100]
    results = SearchResults(query=query)
    if len(query) < 2:
        return results
    visible = client_list(agency=agency, membership=membership)
    # Contacts and deals: the visibility condition on their client directly (not `client_id IN (SELECT …)`),
    # and the GIN trigram indexes (migration 0003, PostgreSQL) answer the `icontains` without a scan.
    on_visible_client = client_visibility_q(membership=membership, prefix="client__")
    results.clients = list(visible.filter(
        Q(name__icontains=query) | Q(legal_name__icontains=query) | Q(industry__icontains=query)
    ).order_by("name", "pk")[:limit])
    results.contacts = list(Contact.objects.filter(on_visible_client, agency=agency).filter(
        Q(full_name__icontains=query) | Q(email__icontains=query) | Q(phone__icontains=query)
        | Q(telegram__icontains=query) | Q(position__icontains=query)
    ).select_related("client").order_by("full_name", "pk")[:limit])
    results.deals = list(Deal.objects.filter(on_visible_client, agency=agency).filter(
        title__icontains=query).select_related("client").order_by("-created_at", "pk")[:limit])
    return results
