"""Reads of the stored health scores: the at-risk list (filters, search, sort), one client's row, the at-risk count.
Always through `client_visibility_q`: AMs see their own and their teams' clients, directors the agency."""
from dataclasses import dataclass

from django.db.models import F, QuerySet

from clients.models import Client, Task
from clients.selectors.companies import client_visibility_q
from mrm.tenancy.models import Agency, Membership

from . import health
from .health_rollups import health_ready
from .models import ClientHealth

BAND_FILTERS = ("at_risk", "watch", "healthy", "all")
SORTS = {  # key → (ascending ordering, descending ordering); ties by name, then id, so pages never overlap
    "revenue": (("revenue_at_stake", "client__name", "pk"), ("-revenue_at_stake", "client__name", "pk")),
    "score": (("score", "-revenue_at_stake", "pk"), ("-score", "-revenue_at_stake", "pk")),
    "name": (("client__name", "pk"), ("-client__name", "-pk")),
}


@dataclass(frozen=True)
class HealthQuery:
    band: str = "at_risk"
    owner: int | None = None
    search: str = ""
    sort: str = "revenue"
    descending: bool = True


def health_list(*, agency: Agency, membership: Membership, query: HealthQuery = HealthQuery()
                ) -> QuerySet[ClientHealth]:
    """The stored health rows of the clients `membership` sees, filtered and ordered by `query`."""
    qs = (ClientHealth.objects.filter(agency=agency).filter(client_visibility_q(membership=membership,
                                                                                prefix="client__"))
          .select_related("client", "client__owner"))
    if query.band in health.BANDS:
        qs = qs.filter(band=query.band)
    if query.owner:
        qs = qs.filter(client__owner_id=query.owner)
    if query.search:
        qs = qs.filter(client__name__icontains=query.search)
    ascending, descending = SORTS.get(query.sort, SORTS["revenue"])
    return qs.order_by(*(descending if query.descending else ascending))


def health_get(*, agency: Agency, membership: Membership, client: Client) -> ClientHealth | None:
    """`client`'s stored health (the caller already checked it may see the client); None: not a current client."""
    return ClientHealth.objects.filter(agency=agency, client=client).first()


def at_risk_count(*, agency: Agency, membership: Membership) -> int | None:
    """How many visible clients are at risk; None while the agency's health was never built."""
    if not health_ready(agency=agency):
        return None
    return (ClientHealth.objects.filter(agency=agency, band=health.AT_RISK)
            .filter(client_visibility_q(membership=membership, prefix="client__")).count())


def visible(membership: Membership):
    """The `health_queries.Where` of `membership`'s visible clients."""
    return lambda prefix: client_visibility_q(membership=membership, prefix=prefix)



def open_followups(*, agency: Agency, client_ids) -> dict:
    """The earliest open follow-up task of each of `client_ids` (one query), so the list shows what is assigned."""
    found: dict = {}
    for task in (Task.objects.filter(agency=agency, client_id__in=list(client_ids), kind=Task.Kind.FOLLOW_UP,
                                     done_at__isnull=True).select_related("assignee")
                 .order_by("client_id", F("due_at").asc(nulls_last=True), "pk")):
        found.setdefault(task.client_id, task)
    return found
