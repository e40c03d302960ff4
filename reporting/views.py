"""Staff pages of reporting: the data sources (the area page and a client's), the import wizard
(upload → a job reads the file → mapping and preview → the job → the report; no view parses the file) and a
client's metrics for a period."""
from django.contrib import messages
from django.db.models import F, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRefresh

from clients.selectors import client_get, client_list
from mrm.core.errors import ServiceError
from mrm.core.forms import add_service_error
from mrm.core.htmx import render_form
from mrm.core.pagination import CappedPaginator, requested_page
from mrm.jobs.models import Job
from mrm.tenancy.permissions import member_required
from mrm.tenancy.policy import can

from . import selectors
from .forms import MappingForm, PeriodForm, SourceForm, UploadForm
from .importing import BY_KEY, mapping_problems
from .models import DataSource
from .services import importing
from .services import sources as source_services

PER_PAGE = 25
SORTS = {"client": ("client__name", "name", "id"), "name": ("name", "id"),
         "last_sync": (F("last_synced_at").asc(nulls_first=True), "name", "id"),
         "-last_sync": (F("last_synced_at").desc(nulls_last=True), "name", "id")}
CAMPAIGNS_PER_PAGE = 25
SORTS = {"client": ("client__name", "name", "id"), "name": ("name", "id"),
         "last_sync": (F("last_synced_at").asc(nulls_first=True), "name", "id"),
         "-last_sync": (F("last_synced_at").desc(nulls_last=True), "name", "id")}


def _source_data(form) -> dict:
    return {k: v for k, v in form.cleaned_data.items() if k != "client"}


@member_required("reporting.view")
def source_list_view(request):
    qs = selectors.source_list(agency=request.agency, membership=request.membership)
    q = request.GET.get("q", "").strip()[:100]
    kind = request.GET.get("kind", "")
    status = request.GET.get("status", "")
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(client__name__icontains=q))
    if kind in DataSource.Kind.values:
        qs = qs.filter(kind=kind)
    if status in DataSource.Status.values:
        qs = qs.filter(status=status)
    sort = request.GET.get("sort", "client")
    if sort not in SORTS:
        sort = "client"
    qs = qs.order_by(*SORTS[sort])
    page = CappedPaginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    template = "reporting/source_list.html"
    if request.htmx and request.htmx.target == "sources-results":
        template += "#results"  # the search box answers as you type: only the table changes
    return render(request, template, {
        "page": page, "sources": page.object_list, "q": q, "kind": kind, "status": status, "sort": sort,
        "kinds": DataSource.Kind.choices, "statuses": DataSource.Status.choices, "nav": "reporting",
        "can_manage": can(request.membership, "reporting.manage"),
    })


@member_required("reporting.manage")
def source_create_view(request):
    clients = client_list(agency=request.agency, membership=request.membership).order_by("name")
    initial = {"currency": request.agency.currency}
    if request.GET.get("client"):
        initial["client"] = request.GET["client"]
    form = SourceForm(request.POST or None, clients=clients, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            source = source_services.source_create(agency=request.agency, actor=request.user,
                                                   client=form.cleaned_data["client"], data=_source_data(form))
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Source added."))
            return redirect("reporting:source_detail", source_id=source.pk)
    return render_form(request, "reporting/source_form.html", {"form": form, "nav": "reporting"},
                       invalid=bool(form.errors))


@member_required("reporting.view")
def source_detail_view(request, source_id):
    source = selectors.source_get(agency=request.agency, membership=request.membership, source_id=source_id)
    imports = list(selectors.metric_import_list(agency=request.agency, source=source)[:10])
    return render(request, "reporting/source_detail.html", {
        "source": source, "imports": imports, "span": selectors.source_metric_span(source=source),
        "campaign_count": selectors.source_campaign_count(source=source), "nav": "reporting",
        "can_manage": can(request.membership, "reporting.manage"),
        **sync_block_context(request, source),  # connectors: connection, progress, last syncs (h-connectors)
    })


@member_required("reporting.manage")
def source_edit_view(request, source_id):
    source = selectors.source_get(agency=request.agency, membership=request.membership, source_id=source_id)
    form = SourceForm(request.POST or None, clients=None, instance=source)
    if request.method == "POST" and form.is_valid():
        try:
            source_services.source_update(agency=request.agency, actor=request.user, source=source,
                                          data=_source_data(form))
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Source saved."))
            return redirect("reporting:source_detail", source_id=source.pk)
    return render_form(request, "reporting/source_form.html", {"form": form, "source": source, "nav": "reporting"},
                       invalid=bool(form.errors))


@require_POST
@member_required("reporting.manage")
def source_delete_view(request, source_id):
    source = selectors.source_get(agency=request.agency, membership=request.membership, source_id=source_id)
    client_id = source.client_id
    source_services.source_delete(agency=request.agency, actor=request.user, source=source)
    messages.success(request, _("Source deleted with its data."))
    return redirect("reporting:client_metrics", client_id=client_id)


@member_required("reporting.manage")
def import_upload_view(request, source_id):
    source = selectors.source_get(agency=request.agency, membership=request.membership, source_id=source_id)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            item = importing.metric_import_upload(agency=request.agency, actor=request.user, source=source,
                                                  upload=form.cleaned_data["file"])
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            return redirect("reporting:import_detail", metric_import_id=item.pk)
    return render_form(request, "reporting/import_upload.html", {
        "form": form, "source": source, "step": 1, "nav": "reporting",
        "fields": [f for f in BY_KEY.values()],
    }, invalid=bool(form.errors))


@member_required("reporting.manage")
def import_detail_view(request, metric_import_id):
    item = selectors.metric_import_get(agency=request.agency, membership=request.membership,
                                       import_id=metric_import_id)
    inspection = item.inspection
    if inspection is not None and (inspection.status != Job.Status.SUCCEEDED or _polled(request, "import-read")):
        return _reading_page(request, item, inspection)
    job = item.job
    running = job is not None and not job.is_finished
    mapping_step = request.GET.get("step") == "map" or request.method == "POST" or job is None
    if running or not mapping_step:
        return _run_page(request, item)
    form = MappingForm(request.POST or None, item=item)
    invalid = False
    if request.method == "POST":
        if form.is_valid():
            try:
                item = importing.metric_import_configure(agency=request.agency, item=item, mapping=form.mapping,
                                                         currency=form.cleaned_data["currency"],
                                                         channel=form.cleaned_data["channel"])
                if request.POST.get("action") == "start":
                    importing.metric_import_start(agency=request.agency, actor=request.user, item=item)
                    return redirect("reporting:import_detail", metric_import_id=item.pk)
            except ServiceError as exc:
                add_service_error(form, exc)
                invalid = True
            else:
                if not request.htmx:
                    return redirect(reverse("reporting:import_detail", args=[item.pk]) + "?step=map")
        else:
            invalid = True
    return _mapping_page(request, item, form, invalid)


def _polled(request, target: str) -> bool:
    return bool(request.htmx) and request.htmx.target == target


def _reading_page(request, item, inspection) -> HttpResponse:
    """While the job reads the file: its progress, polled; when it has failed: why, and the way back."""
    polled = _polled(request, "import-read")
    if polled and inspection.is_finished:
        return HttpResponseClientRefresh()  # the whole page changes: the mapping form or the error
    context = {"item": item, "source": item.source, "inspection": inspection, "reading": True, "step": 2,
               "nav": "reporting"}
    if polled:
        return render(request, "reporting/import_detail.html#read", context)
    return render(request, "reporting/import_detail.html", context)


def _mapping_page(request, item, form, invalid: bool) -> HttpResponse:
    preview = importing.metric_import_preview(agency=request.agency, item=item)
    keys = [k for _i, k in sorted((int(i), k) for i, k in item.mapping.items()) if k in BY_KEY]
    samples = {i: [] for i in range(len(item.headers))}
    for row in item.sample[:10]:
        for i in samples:
            value = row["values"][i].strip() if i < len(row["values"]) else ""
            if value and len(samples[i]) < 3:
                samples[i].append(value)
    rows = [{"line": r.line, "errors": r.errors, "cells": [r.raw.get(k, "") for k in keys]} for r in preview]
    context = {
        "item": item, "source": item.source, "form": form, "step": 2, "preview": rows, "nav": "reporting",
        "columns": [(i, bf, samples.get(i, [])) for i, bf in form.column_fields()],
        "preview_fields": [BY_KEY[k].label for k in keys],
        "problems": mapping_problems(form.mapping if form.is_bound else item.mapping),
        "bad_in_preview": sum(1 for r in preview if r.errors), "last_run": _last_run(item),
    }
    if request.htmx and request.method == "POST":
        # The preview block answers in place, with what to fix (422 when the form itself was refused).
        return render_form(request, "reporting/import_detail.html#preview", context, invalid=invalid)
    return render_form(request, "reporting/import_detail.html", context, invalid=invalid)


def _last_run(item) -> dict | None:
    job, report = item.job, item.report or {}
    if job is None or not job.is_finished or report.get("outcome") == "done":
        return None
    return {"job": job, "rejected": report.get("outcome") == "rejected", "error_count": report.get("error_count", 0)}


def _run_page(request, item) -> HttpResponse:
    report = item.report or {}
    context = {"item": item, "source": item.source, "job": item.job, "report": report, "step": 3,
               "errors": report.get("errors", [])[:200], "finished_at": importing.finished_at(item),
               "nav": "reporting"}
    if request.htmx and request.htmx.target == "import-run":
        return render(request, "reporting/import_detail.html#run", context)
    return render(request, "reporting/import_detail.html", context)


@member_required("reporting.view")
def client_metrics_view(request, client_id):
    client = client_get(agency=request.agency, membership=request.membership, client_id=client_id)
    form = PeriodForm(request.GET or None)
    period = form.cleaned_data["period"] if form.is_valid() else PeriodForm.default()
    base = selectors.metrics_queryset(agency=request.agency, membership=request.membership, period=period,
                                      client=client)
    currencies = selectors.metrics_currencies(base)
    wanted = (form.cleaned_data.get("currency") or "").upper() if form.is_valid() else ""
    currency = wanted if wanted in currencies else (currencies[0] if currencies else request.agency.currency)
    qs = base.filter(currency=currency)
    totals = selectors.metrics_totals(qs) if currencies else None
    campaign_count = selectors.metrics_campaign_count(qs) if currencies else 0
    page_number = requested_page(request)
    pages = max(1, -(-campaign_count // CAMPAIGNS_PER_PAGE))
    page_number = min(page_number, pages)
    campaigns = selectors.metrics_by_campaign(qs, limit=CAMPAIGNS_PER_PAGE,
                                              offset=(page_number - 1) * CAMPAIGNS_PER_PAGE) if currencies else []
    sources = list(selectors.source_list(agency=request.agency, membership=request.membership, client=client)
                   .order_by("name", "id")[:50])
    return render(request, "reporting/client_metrics.html", {
        "client": client, "form": form, "period": period, "currencies": currencies, "currency": currency,
        "totals": totals, "by_channel": selectors.metrics_by_channel(qs) if currencies else [],
        "campaigns": campaigns, "campaign_count": campaign_count, "page_number": page_number, "pages": pages,
        "sources": sources, "nav": "reporting", "can_manage": can(request.membership, "reporting.manage"),
        "period_invalid": bool(request.GET) and not form.is_valid() and bool(form.errors),
    })


from .views_sync import sync_block_context  # noqa: E402 - connectors (h-connectors)
