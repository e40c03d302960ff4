"""Writes of key-account management: relationship stage, scores (→ averages and the KAM quadrant), objectives."""
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from mrm.core.errors import ServiceError
from mrm.tenancy.models import Agency
from mrm.tenancy.services import apply_changes, audit

from ..models import AccountObjective, AccountPlan, Client
from ..models.kam import ATTRACTIVENESS_CRITERIA, RELATIONSHIP_CRITERIA

OBJECTIVE_FIELDS = ("title", "kpi", "target", "due_on", "status")


def _clean_scores(scores: dict | None, criteria: dict, field: str) -> dict[str, int]:
    """Keep scored criteria only; each score an integer 1–5 on a known criterion."""
    cleaned = {}
    for key, value in (scores or {}).items():
        if value in (None, ""):
            continue
        if key not in criteria:
            raise ServiceError(_("Unknown criterion “%(key)s”.") % {"key": key}, field=field)
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = 0
        if str(value).strip() != str(number) or not 1 <= number <= 5:
            raise ServiceError(_("Scores are whole numbers from 1 to 5."), field=field)
        cleaned[key] = number
    return cleaned


def _average(scores: dict[str, int]) -> Decimal:
    if not scores:
        return Decimal("0")
    return (Decimal(sum(scores.values())) / len(scores)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def scores_summary(attractiveness_scores: dict, relationship_scores: dict) -> tuple[Decimal, Decimal, str]:
    """Averages of both axes and the KAM quadrant ("" until each axis has at least one score)."""
    attractiveness, strength = _average(attractiveness_scores), _average(relationship_scores)
    quadrant = AccountPlan.quadrant_for(attractiveness, strength) if attractiveness_scores and relationship_scores \
        else ""
    return attractiveness, strength, quadrant


@transaction.atomic
def account_plan_save(*, agency: Agency, actor, client: Client, relationship_stage: str | None = None,
                      attractiveness_scores: dict | None = None, relationship_scores: dict | None = None,
                      summary: str | None = None) -> AccountPlan:
    """Create or update the client's account plan; the averages and the quadrant are derived here only."""
    plan = AccountPlan.objects.select_for_update().filter(agency=agency, client=client).first()
    created = plan is None
    if created:
        plan = AccountPlan(agency=agency, client=client)
    data = {}
    if relationship_stage is not None:
        if relationship_stage not in AccountPlan.Stage.values:
            raise ServiceError(_("Pick a relationship stage from the list."), field="relationship_stage")
        data["relationship_stage"] = relationship_stage
    if summary is not None:
        data["summary"] = summary.strip()
    if attractiveness_scores is not None:
        data["attractiveness_scores"] = _clean_scores(attractiveness_scores, ATTRACTIVENESS_CRITERIA,
                                                      "attractiveness_scores")
    if relationship_scores is not None:
        data["relationship_scores"] = _clean_scores(relationship_scores, RELATIONSHIP_CRITERIA, "relationship_scores")
    a_scores = data.get("attractiveness_scores", plan.attractiveness_scores or {})
    r_scores = data.get("relationship_scores", plan.relationship_scores or {})
    data["attractiveness"], data["relationship_strength"], data["quadrant"] = scores_summary(a_scores, r_scores)
    changes = apply_changes(plan, data)
    if created or changes:
        plan.save()
        audit(agency=agency, actor=actor, action="account_plan.created" if created else "account_plan.updated",
              target=client, changes=changes)
    return plan


@transaction.atomic
def account_objectives_save(*, agency: Agency, actor, plan: AccountPlan, objectives: list[dict]) -> None:
    """Apply an edited list of objectives ([{id?, title, kpi, target, due_on, status, delete?}])."""
    existing = {str(o.pk): o for o in AccountObjective.objects.filter(agency=agency, plan=plan)}
    for data in objectives:
        objective = existing.get(str(data.get("id") or ""))
        if data.get("delete"):
            if objective is not None:
                audit(agency=agency, actor=actor, action="account_objective.deleted", target=objective)
                objective.delete()
            continue
        values = {k: v for k, v in data.items() if k in OBJECTIVE_FIELDS}
        if values.get("status", AccountObjective.Status.OPEN) not in AccountObjective.Status.values:
            raise ServiceError(_("Pick a status from the list."), field="status")
        if not (values.get("title") or "").strip():
            raise ServiceError(_("Name the objective."), field="title")
        if objective is None:
            objective = AccountObjective.objects.create(agency=agency, plan=plan, **values)
            audit(agency=agency, actor=actor, action="account_objective.created", target=objective)
        else:
            changes = apply_changes(objective, values)
            if changes:
                objective.save()
                audit(agency=agency, actor=actor, action="account_objective.updated", target=objective,
                      changes=changes)
