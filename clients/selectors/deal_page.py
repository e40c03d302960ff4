"""Reads of the deal page: the stage history with the time spent in each stage, and what hangs off the deal
(its tasks, timeline entries and invoices). Each read is one query whatever the deal's size."""
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import F, QuerySet

from mrm.tenancy.fences import refuse_client
from mrm.tenancy.models import Agency, Membership

from ..models import Deal, DealStageChange, Interaction, Invoice, Task
from .documents import invoice_list
from .tasks import task_list
from .timeline import interaction_list

DEAL_PAGE_ROWS = 20  # tasks, interactions and invoices shown per section


@dataclass(frozen=True)
class StageSpan:
    """One stay of a deal in a stage: from `started_at` until `ended_at` (None: the stage it is in now)."""

    stage: str
    started_at: datetime
    ended_at: datetime | None
    duration: timedelta
    actor: object = None  # who moved the deal into the stage (None: a job, an import, the public page)

    @property
    def label(self) -> str:
        return Deal.Stage(self.stage).label if self.stage in Deal.Stage.values else self.stage

    @property
    def is_current(self) -> bool:
        return self.ended_at is None


@dataclass(frozen=True)
class StageTotal:
    stage: str
    label: str
    duration: timedelta
    visits: int
    share: float  # of the deal's whole life, 0..100 (for the bar)


def stage_spans(rows: Iterable, *, created_at: datetime, now: datetime, current_stage: str | None = None
                ) -> list[StageSpan]:
    """Turn stage-change rows (`to_stage`, `changed_at`, optional `actor`, oldest first) into stays.

    The first stay starts at the deal's creation (an import may have recorded its first row later), each
    stay ends when the next row starts, and the last one is open-ended until `now`. A deal without history
    rows (created before history was kept) is one stay in `current_stage` since creation. Clock skew never
    gives a negative duration."""
    rows = sorted(rows, key=lambda r: r.changed_at)
    if not rows:
        if current_stage is None:
            return []
        return [StageSpan(stage=current_stage, started_at=created_at, ended_at=None,
                          duration=max(now - created_at, timedelta(0)))]
    spans = []
    for index, row in enumerate(rows):
        start = min(created_at, row.changed_at) if index == 0 else row.changed_at
        end = rows[index + 1].changed_at if index + 1 < len(rows) else None
        duration = max((end or now) - start, timedelta(0))
        spans.append(StageSpan(stage=row.to_stage, started_at=start, ended_at=end, duration=duration,
                               actor=getattr(row, "actor", None)))
    return spans


def stage_totals(spans: list[StageSpan]) -> list[StageTotal]:
    """Time per stage over all stays (a deal may come back to a stage), in the pipeline's stage order."""
    whole = sum((s.duration for s in spans), timedelta(0))
    by_stage: dict[str, list[StageSpan]] = {}
    for span in spans:
        by_stage.setdefault(span.stage, []).append(span)
    totals = []
    for stage in (s for s in Deal.Stage.values if s in by_stage):
        duration = sum((s.duration for s in by_stage[stage]), timedelta(0))
        share = 100 * duration / whole if whole else 100 / len(by_stage)
        totals.append(StageTotal(stage=stage, label=Deal.Stage(stage).label, duration=duration,
                                 visits=len(by_stage[stage]), share=round(share, 1)))
    return totals


def deal_stage_history(*, agency: Agency, deal: Deal, now: datetime) -> list[StageSpan]:
    """The deal's stays in each stage, oldest first (one query)."""
    rows = (DealStageChange.objects.filter(agency=agency, deal=deal).select_related("actor")
            .order_by("changed_at", "created_at"))
    return stage_spans(rows, created_at=deal.created_at, now=now, current_stage=deal.stage)


def deal_task_list(*, agency: Agency, membership: Membership, deal: Deal) -> QuerySet[Task]:
    """The deal's tasks the member may see: open ones first (soonest due), then done ones (latest first)."""
    refuse_client(membership)
    return task_list(agency=agency, membership=membership).filter(deal=deal).order_by(
        F("done_at").desc(nulls_first=True), F("due_at").asc(nulls_last=True), "-created_at")


def deal_interaction_list(*, agency: Agency, membership: Membership, deal: Deal) -> QuerySet[Interaction]:
    """Timeline entries logged against the deal, newest first."""
    refuse_client(membership)
    return interaction_list(agency=agency, membership=membership, client=deal.client).filter(deal=deal)


def deal_invoice_list(*, agency: Agency, membership: Membership, deal: Deal) -> QuerySet[Invoice]:
    refuse_client(membership)
    return invoice_list(agency=agency, membership=membership, client=deal.client).filter(deal=deal)
