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

from ..models import Client, Deal
from .companies import client_update
from .custom_fields import custom_values_for_write
from .history import deal_history_record

DEAL_FIELDS = ("client", "title", "stage", "lost_reason", "kind", "service_lines", "amount", "currency",
               "expected_close_date", "owner")
CLOSED_STAGES = (Deal.Stage.WON, Deal.Stage.LOST)


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


def _end_of_column(*, agency: Agency, stage: str) -> int:
    last = Deal.objects.filter(agency=agency, stage=stage).aggregate(m=Max("position"))["m"]
    return 0 if last is None else last + 1


def _enter_stage(deal: Deal, stage: str, lost_reason: str, changes: dict) -> None:
    """Apply the stage rules to `deal` (not saved) and record what changed."""
    old_stage, old_closed, old_reason = deal.stage, deal.closed_at, deal.lost_reason
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
    _check(agency=agency, data=data)
    stage = data.pop("stage", Deal.Stage.NEW) or Deal.Stage.NEW
    reason = data.pop("lost_reason", "") or ""
    deal = Deal(agency=agency, **data)
    _enter_stage(deal, stage, reason, {})
    deal.position = _end_of_column(agency=agency, stage=stage)
    deal.save()
    deal_history_record(agency=agency, actor=actor, deal=deal, old_stage=None)
    audit(agency=agency, actor=actor, action="deal.created", target=deal)
    _client_won(agency=agency, actor=actor, deal=deal, old_stage=None)
    return deal


@transaction.atomic
def deal_update(*, agency: Agency, actor, deal: Deal, data: dict) -> Deal:
    """Edit a deal; a new stage goes through the same rules as a kanban move (end of the new column)."""
    deal = Deal.objects.select_for_update().get(agency=agency, pk=deal.pk)
    custom = custom_values_for_write(agency=agency, entity="deal", data=data, current=deal.custom)
    data = {k: v for k, v in data.items() if k in DEAL_FIELDS}
    if custom is not None:
        data["custom"] = custom
    _check(agency=agency, data=data, deal=deal)
    stage = data.pop("stage", deal.stage)
    reason = data.pop("lost_reason", deal.lost_reason) or ""
    changes = apply_changes(deal, data)
    old_stage = deal.stage
    if stage != deal.stage:
        deal.position = _end_of_column(agency=agency, stage=stage)
    _enter_stage(deal, stage, reason, changes)
    if changes:
        deal.save()
        deal_history_record(agency=agency, actor=actor, deal=deal, old_stage=old_stage)
        audit(agency=agency, actor=actor, action="deal.updated", target=deal, changes=changes)
        _client_won(agency=agency, actor=actor, deal=deal, old_stage=old_stage)
    return deal


def _normalise_column(*, agency: Agency, stage: str) -> None:
    """Renumber a column 0..n-1 in board order if positions repeat (imports create ties at 0)."""
    stats = Deal.objects.filter(agency=agency, stage=stage).aggregate(n=Count("pk"),
                                                                     distinct=Count("position", distinct=True))
    if stats["n"] == stats["distinct"]:
        return
    rows = list(Deal.objects.filter(agency=agency, stage=stage).order_by("position", "-created_at").only("pk"))
    for index, row in enumerate(rows):
        row.position = index
    Deal.objects.bulk_update(rows, ["position"], batch_size=500)


@transaction.atomic
def deal_move(*, agency: Agency, actor, deal: Deal, stage: str, before: Deal | None = None,
              lost_reason: str = "") -> Deal:
    """Move a deal to `stage`, just above the card `before` (or to the end of the column).
    Invariant: inside a column positions are unique after a move, so one UPDATE makes room."""
    if stage not in Deal.Stage.values:
        raise ServiceError(_("Unknown stage."), field="stage")
    deal = Deal.objects.select_for_update().get(agency=agency, pk=deal.pk)
    reason = lost_reason or (deal.lost_reason if stage == Deal.Stage.LOST else "")
    if stage == Deal.Stage.LOST and not reason.strip():
        raise ServiceError(_("Say why the deal was lost: it feeds the win/loss analysis."), field="lost_reason")
    if before is not None and (before.agency_id != agency.pk or before.stage != stage or before.pk == deal.pk):
        before = None
    changes: dict = {}
    old_stage = deal.stage
    _normalise_column(agency=agency, stage=stage)
    deal.refresh_from_db(fields=["position"])
    old_position = deal.position
    if before is not None:
        before.refresh_from_db(fields=["position"])
        Deal.objects.filter(agency=agency, stage=stage, position__gte=before.position).exclude(pk=deal.pk).update(
            position=F("position") + 1)
        deal.position = before.position
    elif stage != deal.stage:
        deal.position = _end_of_column(agency=agency, stage=stage)
    else:
        deal.position = max(_end_of_column(agency=agency, stage=stage) - 1, 0)
        Deal.objects.filter(agency=agency, stage=stage, position__gt=old_position).exclude(pk=deal.pk).update(
            position=F("position") - 1)
    _enter_stage(deal, stage, reason, changes)
    deal.save(update_fields=["stage", "closed_at", "lost_reason", "position", "updated_at"])
    deal_history_record(agency=agency, actor=actor, deal=deal, old_stage=old_stage)
    _client_won(agency=agency, actor=actor, deal=deal, old_stage=old_stage)
    if changes:
        audit(agency=agency, actor=actor, action="deal.moved", target=deal, changes=changes)
    elif deal.position != old_position:
        audit(agency=agency, actor=actor, action="deal.reordered", target=deal,
              changes={"position": (old_position, deal.position)})
    return deal
