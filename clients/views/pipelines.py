"""Pipeline settings (directors: `settings.change`): pipelines and their stages — add, rename, re-weight,
reorder, archive; a stage that still has deals is never deleted."""
import uuid

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mrm.core.errors import ServiceError
from mrm.core.htmx import render_form
from mrm.tenancy.permissions import member_required

from ..forms_pipelines import PipelineForm, StageForm
from ..selectors.pipelines import pipeline_get, pipeline_list, stage_deal_counts, stage_get, stage_list
from ..services import pipelines as services


def _page(request, *, pipeline=None, error: str = "", error_stage=None, forms_: dict | None = None):
    """The settings page of one pipeline (the default one unless chosen); `error` shows in place (422)."""
    pipelines = pipeline_list(agency=request.agency, archived=True)
    pipeline = pipeline or pipelines[0]
    counts = stage_deal_counts(agency=request.agency, pipeline=pipeline)
    forms_ = forms_ or {}
    rows = []
    for stage in stage_list(agency=request.agency, pipeline=pipeline):
        form = forms_.get(stage.pk) or StageForm(initial={"name": stage.name, "probability": stage.probability,
                                                          "code": stage.code},
                                                 closed=stage.is_closed, prefix=str(stage.pk))
        rows.append({"stage": stage, "form": form, "deals": counts.get(stage.pk, 0),
                     "error": error if error_stage == stage.pk else ""})
    context = {"pipelines": pipelines, "pipeline": pipeline, "rows": rows, "nav": "settings",
               "new_stage": forms_.get("new_stage") or StageForm(prefix="new", initial={"probability": 50,
                                                                                       "code": "negotiation"}),
               "new_pipeline": forms_.get("new_pipeline") or PipelineForm(prefix="pipeline"),
               "edit_pipeline": forms_.get("edit_pipeline") or PipelineForm(
                   prefix="edit", initial={"name": pipeline.name, "kind": pipeline.kind}),
               "error": error if error_stage is None else ""}
    return render_form(request, "clients/pipeline_settings.html", context, invalid=bool(error or forms_))


def _back(pipeline):
    return redirect(reverse("clients:pipeline_settings") + f"?pipeline={pipeline.pk}")


@member_required("settings.change")
def pipeline_settings_view(request):
    pipeline = None
    if request.GET.get("pipeline"):
        try:
            pipeline_id = uuid.UUID(request.GET["pipeline"])
        except ValueError:
            raise Http404 from None
        pipeline = pipeline_get(agency=request.agency, pipeline_id=pipeline_id)
    return _page(request, pipeline=pipeline)


@require_POST
@member_required("settings.change")
def pipeline_create_view(request):
    form = PipelineForm(request.POST, prefix="pipeline")
    if form.is_valid():
        try:
            pipeline = services.pipeline_create(agency=request.agency, actor=request.user, **form.cleaned_data)
        except ServiceError as exc:
            return _page(request, error=exc.message, forms_={"new_pipeline": form})
        messages.success(request, _("Pipeline “%(name)s” added with the standard stages.") % {"name": pipeline.name})
        return _back(pipeline)
    return _page(request, forms_={"new_pipeline": form})


@require_POST
@member_required("settings.change")
def pipeline_update_view(request, pipeline_id):
    pipeline = pipeline_get(agency=request.agency, pipeline_id=pipeline_id)
    action = request.POST.get("action", "save")
    try:
        if action in ("archive", "restore"):
            services.pipeline_update(agency=request.agency, actor=request.user, pipeline=pipeline,
                                     data={"is_archived": action == "archive"})
        else:
            form = PipelineForm(request.POST, prefix="edit")
            if not form.is_valid():
                return _page(request, pipeline=pipeline, forms_={"edit_pipeline": form})
            services.pipeline_update(agency=request.agency, actor=request.user, pipeline=pipeline,
                                     data=form.cleaned_data)
    except ServiceError as exc:
        return _page(request, pipeline=pipeline, error=exc.message)
    messages.success(request, _("Pipeline saved."))
    return _back(pipeline)


@require_POST
@member_required("settings.change")
def stage_create_view(request, pipeline_id):
    pipeline = pipeline_get(agency=request.agency, pipeline_id=pipeline_id)
    form = StageForm(request.POST, prefix="new")
    if form.is_valid():
        try:
            services.stage_create(agency=request.agency, actor=request.user, pipeline=pipeline,
                                  data=form.cleaned_data)
        except ServiceError as exc:
            return _page(request, pipeline=pipeline, error=exc.message, forms_={"new_stage": form})
        messages.success(request, _("Stage added."))
        return _back(pipeline)
    return _page(request, pipeline=pipeline, forms_={"new_stage": form})


@require_POST
@member_required("settings.change")
def stage_update_view(request, stage_id):
    """One stage's buttons: save (name, probability, step), up/down, archive/restore, delete."""
    stage = stage_get(agency=request.agency, stage_id=stage_id)
    pipeline, action = stage.pipeline, request.POST.get("action", "save")
    try:
        if action in ("up", "down"):
            services.stage_move(agency=request.agency, actor=request.user, stage=stage,
                                direction=-1 if action == "up" else 1)
        elif action in ("archive", "restore"):
            services.stage_update(agency=request.agency, actor=request.user, stage=stage,
                                  data={"is_archived": action == "archive"})
        elif action == "delete":
            services.stage_delete(agency=request.agency, actor=request.user, stage=stage)
            messages.success(request, _("Stage deleted."))
            return _back(pipeline)
        else:
            form = StageForm(request.POST, closed=stage.is_closed, prefix=str(stage.pk))
            if not form.is_valid():
                return _page(request, pipeline=pipeline, forms_={stage.pk: form})
            data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
            services.stage_update(agency=request.agency, actor=request.user, stage=stage, data=data)
    except ServiceError as exc:
        return _page(request, pipeline=pipeline, error=exc.message, error_stage=stage.pk)
    messages.success(request, _("Stage saved."))
    return _back(pipeline)
