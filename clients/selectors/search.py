from dataclasses import dataclass, field

from django.db.models import Q

from mrm.tenancy.models import Agency, Membership

from ..models import Contact, Deal
from .companies import client_list


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
    visible_ids = visible.values("pk")
    results.clients = list(visible.filter(
        Q(name__icontains=query) | Q(legal_name__icontains=query) | Q(industry__icontains=query)
    ).order_by("name", "pk")[:limit])
    results.contacts = list(Contact.objects.filter(agency=agency, client_id__in=visible_ids).filter(
        Q(full_name__icontains=query) | Q(email__icontains=query) | Q(phone__icontains=query)
        | Q(telegram__icontains=query) | Q(position__icontains=query)
    ).select_related("client").order_by("full_name", "pk")[:limit])
    results.deals = list(Deal.objects.filter(agency=agency, client_id__in=visible_ids).filter(
        title__icontains=query).select_related("client").order_by("-created_at", "pk")[:limit])
    return results
