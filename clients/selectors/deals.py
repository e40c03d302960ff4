"""Reads of the pipeline: deals of the clients the member may see, the kanban board and the filtered list."""
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from functools import reduce
from operator import or_

from django.db import connection
from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from mrm.tenancy.fences import refuse_client
from mrm.tenancy.models import Agency, Membership, Role

from ..caches import cached_board_sums
from ..models import Deal, Pipeline, PipelineStage
from .companies import client_visibility_q
from .pipelines import WEIGHTED

BOARD_CARDS_PER_COLUMN = 12  # first cards per column (a screen and a half); the rest load as the column scrolls (HTMX)
CLOSED_RECENT_DAYS = 90
DEAL_SORTS = ("title", "-title", "amount", "-amount", "expected_close_date", "-expected_close_date", "created_at",
              "-created_at", "stage", "-stage", "client__name", "-client__name")


def visible_to(qs: QuerySet, *, agency: Agency, membership: Membership, field_name: str = "client") -> QuerySet:
    """Limit rows hanging off a client to the clients the member may see (directors: no limit). The
    visibility condition applies to the row's client directly (`client.owner_id = … OR client_id IN team`),
    not as `client_id IN (SELECT id FROM client WHERE …)`, which scanned every client of the agency."""
    refuse_client(membership)
    if membership.role == Role.DIRECTOR:
        return qs
    prefix = "" if field_name == "pk" else f"{field_name}__"
    return qs.filter(client_visibility_q(membership=membership, prefix=prefix))


def deal_list(*, agency: Agency, membership: Membership) -> QuerySet[Deal]:
    refuse_client(membership)
    qs = Deal.objects.filter(agency=agency).select_related("client", "owner", "pipeline_stage")
    return visible_to(qs, agency=agency, membership=membership)


def deal_get(*, agency: Agency, membership: Membership, deal_id) -> Deal:
    refuse_client(membership)
    deal = deal_list(agency=agency, membership=membership).filter(pk=deal_id).first()
    if deal is None:
        raise Http404
    return deal


def deal_filter(qs: QuerySet[Deal], *, filters: dict, user=None) -> QuerySet[Deal]:
    """Apply the URL filters of the board and the list (stage, type, owner, client, search)."""
    if filters.get("stage"):
        qs = qs.filter(stage=filters["stage"])
    if filters.get("pipeline"):
        qs = qs.filter(pipeline_stage__pipeline_id=filters["pipeline"])
    if filters.get("stage_id"):
        qs = qs.filter(pipeline_stage_id=filters["stage_id"])
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
    stage: str  # the pipeline stage's id (the drop zone and the lazy chunk's `column`)
    label: str
    is_closed: bool
    code: str = ""
    probability: int = 0
    deals: list = field(default_factory=list)
    count: int = 0
    totals: list = field(default_factory=list)  # [(currency, amount)], main currency first
    weighted: list = field(default_factory=list)  # [(currency, amount × probability)], main currency first
    pipeline: object = None  # set by the view for a lazy chunk
    is_archived: bool = False

    offset: int = 0  # where `deals` start in the column (lazy "load more" chunks start past 0)
    has_more: bool | None = None  # None: derived from `count`

    @property
    def more(self) -> int:
        return max(self.count - len(self.deals), 0)

    @property
    def next_offset(self) -> int:
        return self.offset + len(self.deals)

    def __post_init__(self) -> None:
        if self.has_more is None:
            self.has_more = False


def _board_qs(*, agency: Agency, membership: Membership, filters: dict, user=None) -> QuerySet[Deal]:
    cutoff = timezone.now() - timedelta(days=CLOSED_RECENT_DAYS)
    qs = deal_filter(deal_list(agency=agency, membership=membership),
                     filters={**filters, "stage": "", "stage_id": "", "pipeline": ""}, user=user)
    return qs.filter(Q(stage__in=Deal.OPEN_STAGES) | Q(closed_at__gte=cutoff) | Q(closed_at__isnull=True))


def deal_board_cards(*, agency: Agency, membership: Membership, filters: dict, stage: PipelineStage,
                     offset: int = 0, limit: int = BOARD_CARDS_PER_COLUMN, user=None) -> list[Deal]:
    """One column's cards in board order, `limit` of them from `offset`: an index range scan on
    (agency, pipeline_stage, position, created_at DESC) that stops after `offset + limit` rows."""
    refuse_client(membership)
    qs = _board_qs(agency=agency, membership=membership, filters=filters, user=user).filter(pipeline_stage=stage)
    return list(_cards(qs).order_by(*BOARD_ORDER)[offset:offset + limit])


def deal_board_column(*, agency: Agency, membership: Membership, filters: dict, stage: PipelineStage, offset: int,
                      user=None, limit: int = BOARD_CARDS_PER_COLUMN) -> Column:
    """The next chunk of one column for the lazy "load more" (one query: `limit + 1` rows tell whether
    another chunk follows, so no COUNT)."""
    refuse_client(membership)
    deals = deal_board_cards(agency=agency, membership=membership, filters=filters, stage=stage, offset=offset,
                             limit=limit + 1, user=user)
    return Column(stage=str(stage.pk), label=stage.name, is_closed=stage.is_closed, code=stage.code,
                  probability=stage.probability, deals=deals[:limit], offset=offset, has_more=len(deals) > limit)


BOARD_ORDER = ("position", "-created_at", "pk")
# The columns a card shows (deal_board.html#cards) and sorts by: every other column of the deal, its client (the
# notes, the custom fields' JSON) and its stage cost a third of the board's ORM time (issue 15). A card that
# shows another field adds it here.
CARD_FIELDS = ("title", "kind", "amount", "currency", "expected_close_date", "lost_reason", "position", "created_at",
               "pipeline_stage_id", "client_id", "owner_id", "client__name", "owner__full_name", "owner__email",
               "owner__photo")


def _cards(qs: QuerySet[Deal]) -> QuerySet[Deal]:
    return qs.select_related(None).select_related("client", "owner").only(*CARD_FIELDS)


def first_per_group(qs: QuerySet, *, field_name: str, values: list, order: tuple, limit: int, key) -> list[list]:
    """The first `limit` rows (in `order`) of each `field_name` value, in one query whatever the number of
    groups. PostgreSQL: a `UNION ALL` of per-group `ORDER BY … LIMIT` queries, each an index range scan that
    stops after `limit` rows (no window function numbering every row). SQLite refuses LIMIT inside a compound
    query: there `pk IN (… LIMIT n) OR pk IN (…)`. `key` re-applies `order` in Python to each group."""
    parts = [qs.filter(**{field_name: value}).order_by(*order)[:limit] for value in values]
    if not parts:
        return []
    if len(parts) == 1:
        rows = list(parts[0])
    elif connection.features.supports_slicing_ordering_in_compound:
        rows = list(parts[0].union(*parts[1:], all=True))
    else:
        rows = list(qs.filter(reduce(or_, (Q(pk__in=part.values("pk")) for part in parts))))
    groups: dict = {value: [] for value in values}
    for row in rows:
        groups[getattr(row, field_name)].append(row)
    return [sorted(groups[value], key=key) for value in values]


def _card_order(deal: Deal) -> tuple:
    return (deal.position, -deal.created_at.timestamp(), str(deal.pk))


def _by_currency(pairs: list, main: str) -> list:
    return sorted(pairs, key=lambda t: (t[0] != main, t[0]))


def deal_board(*, agency: Agency, membership: Membership, filters: dict, pipeline: Pipeline, user=None,
               limit: int = BOARD_CARDS_PER_COLUMN) -> list[Column]:
    """The kanban of one pipeline: one column per live stage (and per archived stage still holding deals)
    with its count, money totals and weighted totals (amount × probability, SQL sums per currency) and the
    first `limit` cards in board order. Closed columns show the last 90 days only. One query for the
    stages, one for the sums and one `UNION ALL` of `LIMIT` queries for the cards."""
    refuse_client(membership)
    qs = _board_qs(agency=agency, membership=membership, filters=filters, user=user).filter(
        pipeline_stage__pipeline=pipeline)
    stages = list(PipelineStage.objects.filter(agency=agency, pipeline=pipeline).order_by("order", "created_at"))
    columns = {stage.pk: Column(stage=str(stage.pk), label=stage.name, is_closed=stage.is_closed, code=stage.code,
                                probability=stage.probability, is_archived=stage.is_archived) for stage in stages}
    sums = cached_board_sums(membership=membership, pipeline_id=pipeline.pk, filters=filters, user=user, compute=lambda: list(
        qs.order_by().values("pipeline_stage", "currency").annotate(n=Count("pk"), total=Sum("amount"),
                                                                    weighted=Sum(WEIGHTED))))
    per_stage: dict = defaultdict(list)
    per_stage_weighted: dict = defaultdict(list)
    for row in sums:
        column = columns.get(row["pipeline_stage"])
        if column is None:
            continue
        column.count += row["n"]
        per_stage[row["pipeline_stage"]].append((row["currency"], row["total"] or Decimal("0")))
        per_stage_weighted[row["pipeline_stage"]].append((row["currency"], row["weighted"] or Decimal("0")))
    for key, totals in per_stage.items():
        columns[key].totals = _by_currency(totals, agency.currency)
        columns[key].weighted = _by_currency(per_stage_weighted[key], agency.currency)
    shown = [stage for stage in stages if not stage.is_archived or columns[stage.pk].count]
    filled = [stage for stage in shown if columns[stage.pk].count]
    cards = first_per_group(_cards(qs), field_name="pipeline_stage_id", values=[s.pk for s in filled], order=BOARD_ORDER,
                            limit=limit, key=_card_order)
    for stage, deals in zip(filled, cards, strict=True):
        columns[stage.pk].deals = deals
        columns[stage.pk].has_more = columns[stage.pk].count > len(deals)
    return [columns[stage.pk] for stage in shown]
