"""Writes of the agency's pipelines and stages (settings): the default pipeline with the standard stages,
new pipelines, stages added, renamed, reordered, re-weighted, archived; a stage with deals is never deleted."""
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import translation
from django.utils.translation import gettext as _

from mrm.core.errors import ServiceError
from mrm.tenancy.models import Agency
from mrm.tenancy.services import apply_changes, audit

from ..models import Deal, Pipeline, PipelineStage

# (code, default probability): today's stages, the ones every agency starts with.
STANDARD_STAGES = (
    (Deal.Stage.NEW, 10), (Deal.Stage.BRIEF_RECEIVED, 25), (Deal.Stage.PROPOSAL_SENT, 50),
    (Deal.Stage.NEGOTIATION, 75), (Deal.Stage.WON, 100), (Deal.Stage.LOST, 0),
)
OPEN_CODES = tuple(Deal.OPEN_STAGES)
CLOSED_CODES = (Deal.Stage.WON, Deal.Stage.LOST)
STAGE_FIELDS = ("name", "code", "probability")
PIPELINE_FIELDS = ("name", "kind", "is_archived")


def standard_stage_rows(*, agency: Agency, pipeline: Pipeline) -> list[PipelineStage]:
    with translation.override(settings.LANGUAGE_CODE):
        return [PipelineStage(agency=agency, pipeline=pipeline, name=str(Deal.Stage(code).label), code=code,
                              order=index, probability=probability)
                for index, (code, probability) in enumerate(STANDARD_STAGES)]


def _create(*, agency: Agency, name: str, kind: str, is_default: bool, order: int) -> Pipeline:
    pipeline = Pipeline.objects.create(agency=agency, name=name, kind=kind, is_default=is_default, order=order)
    PipelineStage.objects.bulk_create(standard_stage_rows(agency=agency, pipeline=pipeline))
    return pipeline


def pipeline_ensure_default(*, agency: Agency) -> Pipeline:
    """The agency's default pipeline, created with the standard stages the first time it is needed (new
    agencies, imports, the bench): an agency always has one."""
    pipeline = Pipeline.objects.filter(agency=agency, is_default=True).first()
    if pipeline is not None:
        return pipeline
    try:
        with transaction.atomic():
            with translation.override(settings.LANGUAGE_CODE):
                name = _("Sales")
            return _create(agency=agency, name=name, kind=Pipeline.Kind.NEW_BUSINESS, is_default=True, order=0)
    except IntegrityError:  # created meanwhile by a concurrent request
        return Pipeline.objects.get(agency=agency, is_default=True)


def stage_for_code(*, agency: Agency, code: str, pipeline: Pipeline | None = None) -> PipelineStage:
    """The first live stage of `pipeline` (default: the agency's default one) that counts as `code`; an
    archived one if that is all there is. The КП automation and the legacy `stage` inputs come through here."""
    if code not in Deal.Stage.values:
        raise ServiceError(_("Unknown stage."), field="stage")
    pipeline = pipeline or pipeline_ensure_default(agency=agency)
    stage = (PipelineStage.objects.filter(agency=agency, pipeline=pipeline, code=code)
             .order_by("is_archived", "order", "created_at").first())
    if stage is None:
        raise ServiceError(_("This pipeline has no stage for that step."), field="stage")
    return stage


def _check_name(*, name: str, label: str = "name") -> str:
    name = (name or "").strip()
    if not name:
        raise ServiceError(_("Give it a name."), field=label)
    return name[:80]


@transaction.atomic
def pipeline_create(*, agency: Agency, actor, name: str, kind: str = Pipeline.Kind.NEW_BUSINESS) -> Pipeline:
    """A new pipeline with the standard stages (rename and re-weight them afterwards)."""
    name = _check_name(name=name)
    if kind not in Pipeline.Kind.values:
        raise ServiceError(_("Pick a pipeline type from the list."), field="kind")
    pipeline_ensure_default(agency=agency)
    if Pipeline.objects.filter(agency=agency, name__iexact=name).exists():
        raise ServiceError(_("There is already a pipeline with this name."), field="name")
    last = Pipeline.objects.filter(agency=agency).aggregate(m=Max("order"))["m"] or 0
    pipeline = _create(agency=agency, name=name, kind=kind, is_default=False, order=last + 1)
    audit(agency=agency, actor=actor, action="pipeline.created", target=pipeline)
    return pipeline


@transaction.atomic
def pipeline_update(*, agency: Agency, actor, pipeline: Pipeline, data: dict) -> Pipeline:
    pipeline = Pipeline.objects.select_for_update().get(agency=agency, pk=pipeline.pk)
    data = {k: v for k, v in data.items() if k in PIPELINE_FIELDS}
    if "name" in data:
        data["name"] = _check_name(name=data["name"])
        if Pipeline.objects.filter(agency=agency, name__iexact=data["name"]).exclude(pk=pipeline.pk).exists():
            raise ServiceError(_("There is already a pipeline with this name."), field="name")
    if data.get("kind") is not None and data["kind"] not in Pipeline.Kind.values:
        raise ServiceError(_("Pick a pipeline type from the list."), field="kind")
    if data.get("is_archived") and pipeline.is_default:
        raise ServiceError(_("The default pipeline cannot be archived."), field="is_archived")
    changes = apply_changes(pipeline, data)
    if changes:
        pipeline.save()
        audit(agency=agency, actor=actor, action="pipeline.updated", target=pipeline, changes=changes)
    return pipeline


def _check_stage(*, data: dict, stage: PipelineStage | None = None) -> None:
    if "name" in data:
        data["name"] = _check_name(name=data["name"])
    probability = data.get("probability")
    if probability is not None and not (isinstance(probability, int) and 0 <= probability <= 100):
        raise ServiceError(_("The probability is a whole number from 0 to 100."), field="probability")
    code = data.get("code")
    if code is None:
        return
    if stage is not None and stage.code in CLOSED_CODES and code != stage.code:
        raise ServiceError(_("The won and lost stages keep their meaning; rename them if you like."), field="code")
    if (stage is None or stage.code not in CLOSED_CODES) and code not in OPEN_CODES:
        raise ServiceError(_("A new stage is an open one: pick which step it counts as in the reports."),
                           field="code")


@transaction.atomic
def stage_create(*, agency: Agency, actor, pipeline: Pipeline, data: dict) -> PipelineStage:
    """A new open stage, placed before the won and lost columns."""
    pipeline = Pipeline.objects.select_for_update().get(agency=agency, pk=pipeline.pk)
    data = {k: v for k, v in data.items() if k in STAGE_FIELDS}
    data.setdefault("code", Deal.Stage.NEGOTIATION)
    data.setdefault("probability", 50)
    data.setdefault("name", "")
    _check_stage(data=data)
    stages = list(PipelineStage.objects.filter(agency=agency, pipeline=pipeline).order_by("order", "created_at"))
    open_count = sum(1 for s in stages if s.code not in CLOSED_CODES)
    stage = PipelineStage(agency=agency, pipeline=pipeline, **data)
    stages.insert(open_count, stage)
    for index, row in enumerate(stages):
        row.order = index
    stage.save()
    PipelineStage.objects.bulk_update([s for s in stages if s is not stage], ["order"])
    audit(agency=agency, actor=actor, action="pipeline_stage.created", target=stage)
    return stage


@transaction.atomic
def stage_update(*, agency: Agency, actor, stage: PipelineStage, data: dict) -> PipelineStage:
    """Rename, re-weight, change the step it counts as (open stages) or archive/restore. Deals keep their
    stage; a changed code is copied to their `stage` so the reports follow."""
    stage = PipelineStage.objects.select_for_update().get(agency=agency, pk=stage.pk)
    data = {k: v for k, v in data.items() if k in (*STAGE_FIELDS, "is_archived")}
    _check_stage(data=data, stage=stage)
    if data.get("is_archived") and stage.code in CLOSED_CODES:
        raise ServiceError(_("The won and lost stages cannot be archived."), field="is_archived")
    if data.get("is_archived") and not PipelineStage.objects.filter(
            agency=agency, pipeline_id=stage.pipeline_id, is_archived=False, code__in=OPEN_CODES).exclude(
            pk=stage.pk).exists():
        raise ServiceError(_("A pipeline needs at least one open stage."), field="is_archived")
    changes = apply_changes(stage, data)
    if changes:
        stage.save()
        if "code" in changes:
            Deal.objects.filter(agency=agency, pipeline_stage=stage).update(stage=stage.code)
        audit(agency=agency, actor=actor, action="pipeline_stage.updated", target=stage, changes=changes)
    return stage


@transaction.atomic
def stage_move(*, agency: Agency, actor, stage: PipelineStage, direction: int) -> PipelineStage:
    """Move an open stage one place left (-1) or right (+1) among the open stages (won/lost stay last)."""
    stage = PipelineStage.objects.select_for_update().get(agency=agency, pk=stage.pk)
    stages = list(PipelineStage.objects.filter(agency=agency, pipeline_id=stage.pipeline_id)
                  .order_by("order", "created_at"))
    opened = [s for s in stages if s.code not in CLOSED_CODES]
    closed = [s for s in stages if s.code in CLOSED_CODES]
    if stage.code in CLOSED_CODES:
        raise ServiceError(_("The won and lost stages stay at the end of the board."), field="order")
    index = next(i for i, s in enumerate(opened) if s.pk == stage.pk)
    target = index + (1 if direction > 0 else -1)
    if not 0 <= target < len(opened):
        return stage
    opened[index], opened[target] = opened[target], opened[index]
    for position, row in enumerate(opened + closed):
        row.order = position
    PipelineStage.objects.bulk_update(opened + closed, ["order"])
    audit(agency=agency, actor=actor, action="pipeline_stage.updated", target=stage,
          changes={"order": (index, target)})
    return stage


@transaction.atomic
def stage_delete(*, agency: Agency, actor, stage: PipelineStage) -> None:
    """Delete an empty open stage; one that still has deals is refused (move them, or archive it)."""
    stage = PipelineStage.objects.select_for_update().get(agency=agency, pk=stage.pk)
    if stage.code in CLOSED_CODES:
        raise ServiceError(_("The won and lost stages cannot be deleted."))
    count = Deal.objects.filter(agency=agency, pipeline_stage=stage).count()
    if count:
        raise ServiceError(_("“%(stage)s” still has %(count)s deal(s): move them to another stage first, or "
                             "archive the stage.") % {"stage": stage.name, "count": count})
    if not PipelineStage.objects.filter(agency=agency, pipeline_id=stage.pipeline_id, is_archived=False,
                                        code__in=OPEN_CODES).exclude(pk=stage.pk).exists():
        raise ServiceError(_("A pipeline needs at least one open stage."))
    audit(agency=agency, actor=actor, action="pipeline_stage.deleted", target=stage,
          changes={"name": (stage.name, None)})
    stage.delete()
