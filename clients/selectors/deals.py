"""Reads of the pipeline: deals of the clients the member may see, the kanban board and the filtered list."""
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.db.models import Count, F, Q, QuerySet, Sum, Window
from django.db.models.functions import RowNumber
from django.http import Http404
from django.utils import timezone

from mrm.tenancy.models import Agency, Membership, Role

from ..models import Deal
from .companies import client_list

BOARD_CARDS_PER_COLUMN = 60
CLOSED_RECENT_DAYS = 90
DEAL_SORTS = ("title", "-title", "amount", "-amount", "expected_close_date", "-expected_close_date", "created_at",
              "-created_at", "stage", "-stage", "client__name", "-client__name")


def visible_to(qs: QuerySet, *, agency: Agency, membership: Membership, field_name: str = "client") -> QuerySet:
    """Limit rows hanging off a client to the clients the member may see (directors: no limit)."""
    if membership.role == Role.DIRECTOR:
        return qs
    return qs.filter(**{f"{field_name}__in": client_list(agency=agency, membership=membership).values("pk")})


def deal_list(*, agency: Agency, membership: Membership) -> QuerySet[Deal]:
    qs = Deal.objects.filter(agency=agency).select_related("client", "owner")
    return visible_to(qs, agency=agency, membership=membership)


def deal_get(*, agency: Agency, membership: Membership, deal_id) -> Deal:
    deal = deal_list(agency=agency, membership=membership).filter(pk=deal_id).first()
    if deal is None:
        raise Http404
    return deal


def deal_filter(qs: QuerySet[Deal], *, filters: dict, user=None) -> QuerySet[Deal]:
    """Apply the URL filters of the board and the list (stage, type, owner, client, search)."""
    if filters.get("stage"):
        qs = qs.filter(stage=filters["stage"])
    if filters.get("kind"):
        qs = qs.filter(kind=filters["kind"])
    owner = filters.get("owner")
    if owner == "me" and user is not None:
        qs = qs.filter(owner=user)
    elif owner == "none":
        qs = qs.filter(owner=None)
    elif owner:
        qs = qs.filter(owner__uuid=owner)
    if filters.get("client"):
        qs = qs.filter(client_id=filters["client"])
    if filters.get("q"):
        qs = qs.filter(Q(title__icontains=filters["q"]) | Q(client__name__icontains=filters["q"]))
    return qs


def money_totals(qs: QuerySet[Deal], *, main_currency: str) -> list[tuple[str, Decimal]]:
    """Sum of amounts per currency in one query, the agency's own currency first."""
    rows = qs.order_by().values("currency").annotate(total=Sum("amount"))
    totals = [(r["currency"], r["total"] or Decimal("0")) for r in rows]
    return sorted(totals, key=lambda t: (t[0] != main_currency, t[0]))


@dataclass
class Column:
    stage: str
    label: str
    is_closed: bool
    deals: list = field(default_factory=list)
    count: int = 0
    totals: list = field(default_factory=list)  # [(currency, amount)], main currency first

    @property
    def more(self) -> int:
        return max(self.count - len(self.deals), 0)


def deal_board(*, agency: Agency, membership: Membership, filters: dict, user=None) -> list[Column]:
    """The kanban: one column per stage with its count and money totals (SQL sums per currency) and the
    first cards in board order. Closed columns show the last 90 days only. Two queries in all."""
    cutoff = timezone.now() - timedelta(days=CLOSED_RECENT_DAYS)
    qs = deal_filter(deal_list(agency=agency, membership=membership), filters={**filters, "stage": ""}, user=user)
    qs = qs.filter(Q(stage__in=Deal.OPEN_STAGES) | Q(closed_at__gte=cutoff) | Q(closed_at__isnull=True))
    columns = {value: Column(stage=value, label=label, is_closed=value not in Deal.OPEN_STAGES)
               for value, label in Deal.Stage.choices}
    sums = qs.order_by().values("stage", "currency").annotate(n=Count("pk"), total=Sum("amount"))
    per_stage: dict[str, list] = defaultdict(list)
    for row in sums:
        column = columns.get(row["stage"])
        if column is None:
            continue
        column.count += row["n"]
        per_stage[row["stage"]].append((row["currency"], row["total"] or Decimal("0")))
    for stage, totals in per_stage.items():
        columns[stage].totals = sorted(totals, key=lambda t: (t[0] != agency.currency, t[0]))
    cards = qs.annotate(rank=Window(RowNumber(), partition_by=[F("stage")],
                                    order_by=[F("position").asc(), F("created_at").desc()]))
    for deal in cards.filter(rank__lte=BOARD_CARDS_PER_COLUMN).order_by("stage", "rank"):
        if deal.stage in columns:
            columns[deal.stage].deals.append(deal)
    return list(columns.values())
