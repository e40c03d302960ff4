"""The top-bar search: clients (by name or website domain), contacts, deals, proposals (КП), briefs, invoices
and tasks, each group within the member's visibility (the same selectors as the lists) and their role's policy.
One query counts the matches of every group (a COUNT subquery each), then one query per group that matched reads its
first rows: a search that finds one client runs two queries, not seven (issue 15)."""
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.db.models import F, Func, IntegerField, Q, QuerySet, Subquery

from mrm.tenancy.fences import refuse_client
from mrm.tenancy.models import Agency, Membership
from mrm.tenancy.policy import can

from ..models import Contact, Deal
from .companies import client_list, client_visibility_q
from .documents import invoice_list
from .tasks import task_list

# The groups in display order: (kind, policy action that lets a member see that kind).
KINDS = (
    ("clients", "client.view"),
    ("contacts", "contact.view"),
    ("deals", "deal.view"),
    ("proposals", "proposal.view"),
    ("briefs", "brief.view"),
    ("invoices", "invoice.view"),
    ("tasks", "task.view"),
)
# The columns a result row shows (clients/search.html#item) and the relation it reads them through: a row of all
# columns (a proposal's terms, a client's custom JSON) cost more to build than the whole query took (issue 15).
SHOWN = {
    "clients": ((), ("name", "status")),
    "contacts": (("client",), ("full_name", "client_id", "client__name")),
    "deals": ((), ("title", "amount", "currency", "client_id")),
    "proposals": (("client",), ("title", "status", "client_id", "client__name")),
    "briefs": ((), ("company_name", "contact_name", "created_at")),
    "invoices": (("client",), ("kind", "number", "issued_on", "client_id", "client__name")),
    "tasks": (("client",), ("title", "done_at", "due_at", "client_id", "client__name")),
}
_HOST = re.compile(r"[a-z0-9а-яё-]+(\.[a-z0-9а-яё-]+)+")


@dataclass
class SearchGroup:
    kind: str
    items: list
    count: int  # all matches, not only the ones in `items`

    @property
    def has_more(self) -> bool:
        return self.count > len(self.items)


@dataclass
class SearchResults:
    query: str
    groups: list[SearchGroup] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(group.count for group in self.groups)

    def group(self, kind: str) -> SearchGroup | None:
        return next((g for g in self.groups if g.kind == kind), None)

    def __getattr__(self, kind: str) -> list:
        """`results.clients` etc.: the items of that group (empty when the member may not see that kind)."""
        if kind in dict(KINDS):
            found = self.group(kind)
            return found.items if found else []
        raise AttributeError(kind)


def website_host(query: str) -> str:
    """The host a query names when it looks like a domain or a URL ("velomir.ru", "https://www.velomir.ru/x"),
    without "www."; empty otherwise."""
    text = query.strip().lower()
    if not text or " " in text or "." not in text:
        return ""
    try:
        host = urlsplit(text if "://" in text else f"//{text}").hostname or ""
    except ValueError:
        return ""
    host = host.removeprefix("www.")
    return host if _HOST.fullmatch(host) else ""


def _website_q(host: str) -> Q:
    """The website's host is `host` or a subdomain of it (not merely contains it: "notvelomir.ru" is another
    site). A regular expression both PostgreSQL and SQLite (Django's REGEXP) understand."""
    return Q(website__iregex=rf"^([a-z][a-z0-9+.-]*://)?([^/?#]*\.)?{re.escape(host)}(:[0-9]+)?([/?#]|$)")


def _count(qs: QuerySet) -> Subquery:
    """`SELECT COUNT(pk) FROM (the queryset's tables and filters)` as a scalar subquery."""
    return Subquery(qs.order_by().annotate(search_total=Func(F("pk"), function="COUNT")).values("search_total"),
                    output_field=IntegerField())


def _groups(querysets: dict[str, QuerySet], *, agency: Agency, limit: int) -> list[SearchGroup]:
    if not querysets:
        return []
    counts = Agency.objects.filter(pk=agency.pk).values(**{kind: _count(qs) for kind, qs in querysets.items()})[0]
    groups = []
    for kind, qs in querysets.items():
        related, columns = SHOWN[kind]
        shown = qs.select_related(None)
        if related:  # `select_related()` with no names would join every foreign key
            shown = shown.select_related(*related)
        items = list(shown.only(*columns)[:limit]) if counts[kind] else []
        if items:  # a row deleted between the two queries leaves no empty group behind
            groups.append(SearchGroup(kind=kind, items=items, count=max(counts[kind], len(items))))
    return groups


def global_search(*, agency: Agency, membership: Membership, query: str, limit: int = 5) -> SearchResults:
    """Every kind the member may see that matches `query`, capped at `limit` per group (see the module's note)."""
    refuse_client(membership)
    from proposals.selectors import brief_search, proposal_search  # proposals' selectors build on this app's

    query = " ".join((query or "").split())[:100]
    results = SearchResults(query=query)
    if len(query) < 2:
        return results
    # Contacts and deals: the visibility condition on their client directly (not `client_id IN (SELECT …)`),
    # and the GIN trigram indexes (PostgreSQL) answer the `icontains` without a scan.
    on_visible_client = client_visibility_q(membership=membership, prefix="client__")
    host = website_host(query)

    def clients() -> QuerySet:
        match = Q(name__icontains=query) | Q(legal_name__icontains=query) | Q(industry__icontains=query)
        return client_list(agency=agency, membership=membership).filter(
            match | _website_q(host) if host else match).order_by("name", "pk")

    builders = {
        "clients": clients,
        "contacts": lambda: Contact.objects.filter(on_visible_client, agency=agency).filter(
            Q(full_name__icontains=query) | Q(email__icontains=query) | Q(phone__icontains=query)
            | Q(telegram__icontains=query) | Q(position__icontains=query)
        ).select_related("client").order_by("full_name", "pk"),
        "deals": lambda: Deal.objects.filter(on_visible_client, agency=agency).filter(
            title__icontains=query).select_related("client").order_by("-created_at", "pk"),
        "proposals": lambda: proposal_search(agency=agency, membership=membership, query=query),
        "briefs": lambda: brief_search(agency=agency, membership=membership, query=query),
        "invoices": lambda: invoice_list(agency=agency, membership=membership).filter(
            number__icontains=query).order_by("-issued_on", "pk"),
        "tasks": lambda: task_list(agency=agency, membership=membership).filter(title__icontains=query).order_by(
            F("done_at").asc(nulls_first=True), F("due_at").asc(nulls_last=True), "pk"),
    }
    results.groups = _groups({kind: builders[kind]() for kind, action in KINDS if can(membership, action)},
                             agency=agency, limit=limit)
    return results


def client_pick(*, agency: Agency, membership: Membership, query: str, limit: int = 20) -> tuple[list, bool]:
    """The client picker's options: up to `limit` visible clients by name, legal name or website domain, and
    whether more match. An empty query lists the first ones by name."""
    refuse_client(membership)
    query = " ".join((query or "").split())[:100]
    qs = client_list(agency=agency, membership=membership)
    if query:
        match = Q(name__icontains=query) | Q(legal_name__icontains=query)
        host = website_host(query)
        qs = qs.filter(match | _website_q(host) if host else match)
    rows = list(qs.select_related(None).only("pk", "name", "legal_name").order_by("name", "pk")[:limit + 1])
    return rows[:limit], len(rows) > limit
