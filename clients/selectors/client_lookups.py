from django.db.models import Q, QuerySet

from mrm.tenancy.fences import refuse_client
from mrm.tenancy.models import Agency, Membership

from ..models import Client, Contact, Tag
from .companies import client_list


def _name_variants(name: str) -> set[str]:
    # SQLite compares Cyrillic case-sensitively; the usual spellings of one name cover real duplicates.
    name = " ".join(name.split())
    return {name, name.lower(), name.upper(), name.capitalize(), name.title()}


def client_duplicates(*, agency: Agency, membership: Membership, name: str) -> list[dict]:
    """Clients of the agency with the same name (any case); `visible` says whether the member may open it."""
    refuse_client(membership)
    name = " ".join((name or "").split())
    if not name:
        return []
    rows = list(Client.objects.filter(agency=agency).filter(Q(name__iexact=name) | Q(name__in=_name_variants(name)))
                .values("pk", "name", "status")[:5])
    visible = set(client_list(agency=agency, membership=membership).filter(
        pk__in=[r["pk"] for r in rows]).values_list("pk", flat=True))
    return [{**r, "visible": r["pk"] in visible} for r in rows]


def industry_list(*, agency: Agency) -> list[str]:
    """Industries in use, for the list filter (a DISTINCT over every client, cached until a client changes)."""
    from ..caches import cached_lookup

    return cached_lookup(agency_id=agency.pk, name="industries", compute=lambda: list(
        Client.objects.filter(agency=agency).exclude(industry="").order_by("industry")
        .values_list("industry", flat=True).distinct()))


def tag_list(*, agency: Agency) -> list[Tag]:
    """The agency's tags, for the list filter (cached until a tag changes)."""
    from ..caches import cached_lookup

    return cached_lookup(agency_id=agency.pk, name="tags",
                         compute=lambda: list(Tag.objects.filter(agency=agency).order_by("name")))


def client_search_ids(*, agency: Agency, query: str) -> QuerySet:
    """The ids of the agency's clients whose name, legal name or a contact's name contains `query`, or with a tag
    of that name: the client list's search, as a subquery (the list applies the member's visibility).

    A UNION of one index scan each (the trigram indexes of clients/0007): an OR of the conditions makes PostgreSQL
    filter every client of the agency instead. The tag names come from the cached tag list and the tag part is
    left out when none matches: its estimate (every client of a tag) made PostgreSQL join the few matches against
    all the member's clients (20 ms at 30,000 clients, against 0.3 ms)."""
    parts = [Client.objects.filter(agency=agency, name__icontains=query).order_by().values("pk"),
             Client.objects.filter(agency=agency, legal_name__icontains=query).order_by().values("pk"),
             Contact.objects.filter(agency=agency, full_name__icontains=query).order_by().values("client_id")]
    wanted = query.strip().upper()
    tags = [tag.pk for tag in tag_list(agency=agency) if tag.name.upper() == wanted]
    if tags:
        parts.append(Client.tags.through.objects.filter(tag_id__in=tags).order_by().values("client_id"))
    return parts[0].union(*parts[1:])
