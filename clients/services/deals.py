"""Writes of the pipeline: create and edit deals, move them between stages (kanban) with the stage rules:
a lost deal needs a reason; won/lost set `closed_at`; reopening clears it; winning a lead's deal moves the
client to onboarding."""
import re
from datetime import date

from django.db import transaction
from django.db.models import Count, F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from mrm.core.errors import ServiceError
from mrm.tenancy.models import Agency, Membership, Role
from mrm.tenancy.services import apply_changes, audit

from ..models import Client, Deal, Pipeline, PipelineStage
from .companies import client_update
from .custom_fields import custom_values_for_write
from .history import deal_history_record
from .pipelines import stage_for_code

DEAL_FIELDS = ("client", "title", "stage", "pipeline", "pipeline_stage", "lost_reason", "kind", "service_lines",
               "amount", "currency", "expected_close_date", "owner")
PIPELINE_KINDS = {Pipeline.Kind.UPSELL: Deal.Kind.UPSELL}  # a deal of an upsell pipeline is an upsell by default
CLOSED_STAGES = (Deal.Stage.WON, Deal.Stage.LOST)


def _resolve_stage(*, agency: Agency, data: dict, deal: Deal | None = None) -> PipelineStage | None:
    """The column the deal goes to, from `pipeline_stage` (which must belong to `pipeline` when both are
    given), or a `stage` code in `pipeline` (default: the deal's pipeline, or the agency's default one).
    None: the deal stays where it is. Pops `pipeline`/`pipeline_stage`; sets `stage` to the column's code."""
    pipeline = data.pop("pipeline", None)
    column = data.pop("pipeline_stage", None)
    if pipeline is not None and pipeline.agency_id != agency.pk:
        raise ServiceError(_("Choose a pipeline of this agency."), field="pipeline")
    if column is not None:
        if column.agency_id != agency.pk:
            raise ServiceError(_("Choose a stage of this agency."), field="pipeline_stage")
        if pipeline is not None and column.pipeline_id != pipeline.pk:
            raise ServiceError(_("The stage belongs to another pipeline: pick one of “%(pipeline)s”.")
                               % {"pipeline": pipeline.name}, field="pipeline_stage")
    else:
        code = data.get("stage")
        if deal is not None and not code and pipeline is None:
            return None
        code = code or (deal.stage if deal else Deal.Stage.NEW)
        current = deal.pipeline_stage.pipeline_id if deal is not None else None
        target = pipeline or (Pipeline(pk=current, agency=agency) if current else None)
        if deal is not None and target.pk == current and code == deal.stage:
            data.pop("stage", None)
            return None
        column = stage_for_code(agency=agency, code=code, pipeline=target)
    if column is None or (deal is not None and column.pk == deal.pipeline_stage_id):
        data.pop("stage", None)
        return None
    if column.is_archived:
        raise ServiceError(_("“%(stage)s” is archived: pick a live stage.") % {"stage": column.name},
                           field="pipeline_stage")
    data["stage"] = column.code
    return column


def _check(*, agency: Agency, data: dict, deal: Deal | None = None) -> None:
    client = data.get("client")
    if client is not None and client.agency_id != agency.pk:
        raise ServiceError(_("Choose a client of this agency."), field="client")
    owner = data.get("owner")
    if owner is not None and not Membership.objects.filter(agency=agency, user=owner, is_active=True,
                                                           role__in=[Role.DIRECTOR, Role.AM]).exists():
        raise ServiceError(_("The owner must be an active director or account manager of this agency."),
                           field="owner")
    lines = data.get("service_lines")
    if lines is not None and (not isinstance(lines, list) or not set(lines) <= set(Deal.ServiceLine.values)):
        raise ServiceError(_("Pick service lines from the list."), field="service_lines")
    currency = data.get("currency")
    if currency is not None and not re.fullmatch(r"[A-Z]{3}", currency):
        raise ServiceError(_("Use a three-letter currency code such as RUB."), field="currency")
    stage = data.get("stage", deal.stage if deal else Deal.Stage.NEW)
    reason = data.get("lost_reason", deal.lost_reason if deal else "") or ""
    if stage == Deal.Stage.LOST and not reason.strip():
        raise ServiceError(_("Say why the deal was lost: it feeds the win/loss analysis."), field="lost_reason")
    close = data.get("expected_close_date")
    changed_close = close is not None and (deal is None or close != deal.expected_close_date)
    if changed_close and stage not in CLOSED_STAGES and close < timezone.localdate():
        raise ServiceError(_("The expected close date is in the past: pick a future date or close the deal."),
                           field="expected_close_date")
    if changed_close and close > date(timezone.localdate().year + 10, 1, 1):
        raise ServiceError(_("The expected close date is more than ten years away."), field="expected_close_date")


def _client_won(*, agency: Agency, actor, deal: Deal, old_stage: str | None) -> None:
    """A deal that has just become won turns a lead client into an onboarding one, through the client
    service (status history row, audit, the onboarding plan hook). Other statuses are left alone."""
    if deal.stage != Deal.Stage.WON or old_stage == Deal.Stage.WON:
        return
    client = Client.objects.filter(agency=agency, pk=deal.client_id).only("pk", "status").first()
    if client is not None and client.status == Client.Status.LEAD:
        client_update(agency=agency, actor=actor, client=client, data={"status": Client.Status.ONBOARDING})


def _end_of_column(*, agency: Agency, column: PipelineStage) -> int:
    last = Deal.objects.filter(agency=agency, pipeline_stage=column).aggregate(m=Max("position"))["m"]
    return 0 if last is None else last + 1


def _enter_stage(deal: Deal, column: PipelineStage, lost_reason: str, changes: dict) -> None:
    """Apply the stage rules to `deal` (not saved) and record what changed."""
    old_stage, old_closed, old_reason = deal.stage, deal.closed_at, deal.lost_reason
    old_column = deal.pipeline_stage_id
    stage = column.code
    deal.pipeline_stage = column
    if old_column != column.pk:
        changes["pipeline_stage"] = (old_column, column.pk)
    deal.stage = stage
    if stage in CLOSED_STAGES:
        if old_stage != stage or deal.closed_at is None:
            deal.closed_at = timezone.now()
    else:
        deal.closed_at = None
    deal.lost_reason = lost_reason.strip() if stage == Deal.Stage.LOST else ""
    for name, old in (("stage", old_stage), ("closed_at", old_closed), ("lost_reason", old_reason)):
        if getattr(deal, name) != old:
            changes[name] = (old, getattr(deal, name))


@transaction.atomic
def deal_create(*, agency: Agency, actor, data: dict) -> Deal:
    """A new deal at the end of its stage's column; the currency defaults to the agency's."""
    custom = custom_values_for_write(agency=agency, entity="deal", data=data)
    data = {k: v for k, v in data.items() if k in DEAL_FIELDS}
    if custom is not None:
        data["custom"] = custom
    data.setdefault("currency", agency.currency)
    data["currency"] = data["currency"] or agency.currency
    column = _resolve_stage(agency=agency, data=data)
    if "kind" not in data or not data["kind"]:
        kind = Pipeline.objects.filter(agency=agency, pk=column.pipeline_id).values_list("kind", flat=True).first()
        data["kind"] = PIPELINE_KINDS.get(kind, Deal.Kind.NEW_BUSINESS)
    _check(agency=agency, data=data)
    data.pop("stage", None)
    reason = data.pop("lost_reason", "") or ""
    deal = Deal(agency=agency, **data)
    _enter_stage(deal, column, reason, {})
    deal.position = _end_of_column(agency=agency, column=column)
    deal.save()
    deal_history_record(agency=agency, actor=actor, deal=deal, old_stage=None)
    audit(agency=agency, actor=actor, action="deal.created", target=deal)
    _client_won(agency=agency, actor=actor, deal=deal, old_stage=None)
    return deal


@transaction.atomic
def deal_update(*, agency: Agency, actor, deal: Deal, data: dict) -> Deal:
    """Edit a deal; a new stage goes through the same rules as a kanban move (end of the new column)."""
    deal = Deal.objects.select_for_update().select_related("pipeline_stage").get(agency=agency, pk=deal.pk)
    custom = custom_values_for_write(agency=agency, entity="deal", data=data, current=deal.custom)
    data = {k: v for k, v in data.items() if k in DEAL_FIELDS}
    if custom is not None:
        data["custom"] = custom
    column = _resolve_stage(agency=agency, data=data, deal=deal)
    _check(agency=agency, data=data, deal=deal)
    data.pop("stage", None)
    reason = data.pop("lost_reason", deal.lost_reason) or ""
    changes = apply_changes(deal, data)
    old_stage = deal.stage
    if column is None:
        column = deal.pipeline_stage
    else:
        deal.position = _end_of_column(agency=agency, column=column)
    _enter_stage(deal, column, reason, changes)
    if changes:
        deal.save()
        deal_history_record(agency=agency, actor=actor, deal=deal, old_stage=old_stage)
        audit(agency=agency, actor=actor, action="deal.updated", target=deal, changes=changes)
        _client_won(agency=agency, actor=actor, deal=deal, old_stage=old_stage)
    return deal


def _normalise_column(*, agency: Agency, column: PipelineStage) -> None:
    """Renumber a column 0..n-1 in board order if positions repeat (imports create ties at 0)."""
    in_column = Deal.objects.filter(agency=agency, pipeline_stage=column)
    stats = in_column.aggregate(n=Count("pk"), distinct=Count("position", distinct=True))
    if stats["n"] == stats["distinct"]:
        return
    rows = list(in_column.order_by("position", "-created_at").only("pk"))
    for index, row in enumerate(rows):
        row.position = index
    Deal.objects.bulk_update(rows, ["position"], batch_size=500)


@transaction.atomic
def deal_move(*, agency: Agency, actor, deal: Deal, stage: "str | PipelineStage", before: Deal | None = None,
              lost_reason: str = "") -> Deal:
    """Move a deal to a column (a stage of its pipeline, or a stage code: that step in the deal's pipeline),
    just above the card `before` (or to the end of the column).
    Invariant: inside a column positions are unique after a move, so one UPDATE makes room."""
    deal = Deal.objects.select_for_update().select_related("pipeline_stage").get(agency=agency, pk=deal.pk)
    if isinstance(stage, PipelineStage):
        column = PipelineStage.objects.filter(agency=agency, pk=stage.pk).first()  # as it is now (archived?)
        if column is None or column.pipeline_id != deal.pipeline_stage.pipeline_id:
            raise ServiceError(_("Pick a stage of the deal's pipeline."), field="stage")
    elif stage == deal.stage:
        column = deal.pipeline_stage
    else:
        if stage not in Deal.Stage.values:
            raise ServiceError(_("Unknown stage."), field="stage")
        column = PipelineStage.objects.filter(agency=agency, pipeline_id=deal.pipeline_stage.pipeline_id, code=stage,
                                              is_archived=False).order_by("order", "created_at").first()
        if column is None:  # a step this pipeline does not have (the КП automation): the deal stays put
            return deal
    if column.is_archived and column.pk != deal.pipeline_stage_id:
        raise ServiceError(_("“%(stage)s” is archived: pick a live stage.") % {"stage": column.name}, field="stage")
    code = column.code
    reason = lost_reason or (deal.lost_reason if code == Deal.Stage.LOST else "")
    if code == Deal.Stage.LOST and not reason.strip():
        raise ServiceError(_("Say why the deal was lost: it feeds the win/loss analysis."), field="lost_reason")
    if before is not None and (before.agency_id != agency.pk or before.pipeline_stage_id != column.pk
                               or before.pk == deal.pk):
        before = None
    changes: dict = {}
    old_stage, old_column = deal.stage, deal.pipeline_stage_id
    _normalise_column(agency=agency, column=column)
    deal.refresh_from_db(fields=["position"])
    old_position = deal.position
    in_column = Deal.objects.filter(agency=agency, pipeline_stage=column)
    if before is not None:
        before.refresh_from_db(fields=["position"])
        in_column.filter(position__gte=before.position).exclude(pk=deal.pk).update(position=F("position") + 1)
        deal.position = before.position
    elif column.pk != old_column:
        deal.position = _end_of_column(agency=agency, column=column)
    else:
        deal.position = max(_end_of_column(agency=agency, column=column) - 1, 0)
        in_column.filter(position__gt=old_position).exclude(pk=deal.pk).update(position=F("position") - 1)
    _enter_stage(deal, column, reason, changes)
    deal.save(update_fields=["stage", "pipeline_stage", "closed_at", "lost_reason", "position", "updated_at"])
    deal_history_record(agency=agency, actor=actor, deal=deal, old_stage=old_stage)
    _client_won(agency=agency, actor=actor, deal=deal, old_stage=old_stage)
    if changes:
        audit(agency=agency, actor=actor, action="deal.moved", target=deal, changes=changes)
    elif deal.position != old_position:
        audit(agency=agency, actor=actor, action="deal.reordered", target=deal,
              changes={"position": (old_position, deal.position)})
    return deal
