"""Import wizard: 1 upload → 2 a job reads the file, then map columns and preview → 3 the import job's
progress and its report. No view parses the file: the upload view runs the cheap checks, the jobs read it."""
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django_htmx.http import HttpResponseClientRefresh

from mrm.core.errors import ServiceError
from mrm.core.forms import add_service_error
from mrm.core.htmx import render_form
from mrm.jobs.models import Job
from mrm.tenancy.permissions import member_required

from ..importing.forms import ImportMappingForm, ImportUploadForm
from ..importing.resolve import import_custom_fields
from ..importing.schema import fields_for, mapping_problems
from ..selectors.importing import import_file_get, import_file_list
from ..services import importing as services


@member_required("client.import")
def import_upload_view(request):
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            import_file = services.import_file_upload(agency=request.agency, actor=request.user,
                                                      entity=form.cleaned_data["entity"],
                                                      upload=form.cleaned_data["file"])
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            return redirect("clients:import_detail", import_id=import_file.pk)
    return render_form(request, "clients/import_upload.html", {
        "form": form, "step": 1,
        "imports": import_file_list(agency=request.agency, membership=request.membership)[:8],
    }, invalid=bool(form.errors))


@member_required("client.import")
def import_detail_view(request, import_id):
    import_file = import_file_get(agency=request.agency, membership=request.membership, import_id=import_id)
    inspection = import_file.inspection
    if inspection is not None and (inspection.status != Job.Status.SUCCEEDED or _polled(request, "import-read")):
        return _reading_page(request, import_file, inspection)
    job = import_file.job
    running = job is not None and not job.is_finished
    mapping_step = request.GET.get("step") == "map" or request.method == "POST" or job is None
    if running or not mapping_step:
        return _run_page(request, import_file)
    form = ImportMappingForm(request.POST or None, import_file=import_file)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                import_file = services.import_file_configure(
                    agency=request.agency, import_file=import_file, mapping=form.mapping,
                    match_key=form.cleaned_data["match_key"], skip_bad_rows=form.cleaned_data["skip_bad_rows"])
                if request.POST.get("action") == "start":
                    services.import_start(agency=request.agency, actor=request.user, import_file=import_file)
                    return redirect("clients:import_detail", import_id=import_file.pk)
            except ServiceError as exc:
                add_service_error(form, exc)
                status = 422
            else:
                if not request.htmx:
                    return redirect(reverse("clients:import_detail", args=[import_file.pk]) + "?step=map")
        else:
            status = 422
    return _mapping_page(request, import_file, form, status)


def _polled(request, target: str) -> bool:
    return bool(request.htmx) and request.htmx.target == target


def _reading_page(request, import_file, inspection) -> HttpResponse:
    """While the job reads the file: its progress, polled; when it has failed: why, and the way back."""
    polled = _polled(request, "import-read")
    if polled and inspection.is_finished:
        return HttpResponseClientRefresh()  # the whole page changes: the mapping form or the error
    context = {"import_file": import_file, "inspection": inspection, "reading": True, "step": 2,
               **_file_context(import_file)}
    if polled:
        return render(request, "clients/import_detail.html#read", context)
    return render(request, "clients/import_detail.html", context)


def _mapping_page(request, import_file, form, status: int) -> HttpResponse:
    preview, preview_error = [], ""
    if not services.import_file_available(import_file):
        preview_error = _("The uploaded file is no longer available. Upload it again.")
    preview = services.import_preview(agency=request.agency, membership=request.membership, import_file=import_file)
    custom = import_custom_fields(agency=request.agency, entity=import_file.entity)
    fields = fields_for(import_file.entity, custom)
    mapped = list(dict.fromkeys(k for _i, k in sorted((int(i), k) for i, k in import_file.mapping.items())))
    if "full_name" not in mapped and {"first_name", "last_name"} & set(mapped):
        mapped = ["full_name"] + [k for k in mapped if k not in ("first_name", "last_name", "middle_name")]
    samples = {i: [] for i in range(len(import_file.headers))}
    for row in services.sample_rows(import_file)[:10]:
        for i in samples:
            value = row.values[i].strip() if i < len(row.values) else ""
            if value and len(samples[i]) < 3:
                samples[i].append(value)
    keys = [k for k in mapped if k in fields]
    rows = [{"line": r.line, "errors": r.errors, "is_update": r.existing_id is not None,
             "cells": [r.raw.get(k) or _shown(r.data.get(k)) for k in keys]} for r in preview]
    context = {
        "import_file": import_file, "form": form, "step": 2, "preview": rows, "preview_error": preview_error,
        "columns": [(i, bf, samples.get(i, [])) for i, bf in form.column_fields()],
        "preview_fields": [fields[k].label for k in keys],
        "problems": [m for _f, m in mapping_problems(import_file.entity, import_file.mapping, import_file.match_key,
                                                     custom)],
        "bad_in_preview": sum(1 for r in preview if r.errors), "merged": import_file.report.get("merged", []),
        "required": [f.label for f in fields.values() if f.required], **_file_context(import_file),
        "last_run": _last_run(import_file),
    }
    if request.htmx and request.method == "POST":
        # The preview block answers 200 even when the choice is incomplete: it shows what to fix in place.
        return render(request, "clients/import_detail.html#preview", context)
    return render_form(request, "clients/import_detail.html", context, invalid=status != 200)


def _file_context(import_file) -> dict:
    names = {";": _("semicolons"), ",": _("commas"), "\t": _("tabs")}
    return {"delimiter_label": names.get(import_file.delimiter, import_file.delimiter)}


def _shown(value) -> str:
    if value in (None, ""):
        return ""
    return ", ".join(value) if isinstance(value, list) else str(value)


def _last_run(import_file) -> dict | None:
    """A finished run that imported nothing, shown above the mapping it is being fixed in."""
    job, report = import_file.job, import_file.report or {}
    if job is None or not job.is_finished or report.get("outcome") == "done":
        return None
    return {"job": job, "rejected": report.get("outcome") == "rejected", "error_count": report.get("error_count", 0),
            "has_errors": bool(report.get("errors"))}


def _run_page(request, import_file) -> HttpResponse:
    report = import_file.report or {}
    context = {"import_file": import_file, "job": import_file.job, "report": report, "step": 3,
               "errors": report.get("errors", [])[:100], "finished_at": services.finished_at(import_file),
               **_file_context(import_file)}
    if request.htmx and request.htmx.target == "import-run":
        return render(request, "clients/import_detail.html#run", context)
    return render(request, "clients/import_detail.html", context)


@require_GET
@member_required("client.import")
def import_errors_view(request, import_id):
    import_file = import_file_get(agency=request.agency, membership=request.membership, import_id=import_id)
    if not import_file.report.get("errors"):
        messages.info(request, _("This import has no rows with errors."))
        return redirect("clients:import_detail", import_id=import_file.pk)
    response = HttpResponse(services.import_errors_csv(import_file=import_file), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="import-errors-{import_file.pk}.csv"'
    return response
