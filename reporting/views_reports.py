"""Staff pages of client reports: a client's reports (and a new one), a report's preview with its build
progress, texts, publishing and ratings, its PDF, and the report templates."""
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from clients.selectors import client_get
from mrm.core.errors import ServiceError
from mrm.core.forms import add_service_error
from mrm.core.htmx import render_form
from mrm.core.pagination import CappedPaginator
from mrm.tenancy.permissions import member_required
from mrm.tenancy.policy import can

from . import selectors_reports as sel
from .forms_reports import ReportCreateForm, ReportEditForm, ScheduleForm, TemplateForm
from .services import report_schedules
from .services import reports as services

PER_PAGE = 20


def _client_page(request, client, *, form=None, schedule_form=None, invalid=False):
    qs = sel.report_list(agency=request.agency, membership=request.membership, client=client)
    page = CappedPaginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    templates = sel.template_list(agency=request.agency, membership=request.membership, client=client)
    can_manage = can(request.membership, "report.manage")
    if form is None and can_manage:
        form = ReportCreateForm(templates=templates)
    return render_form(request, "reporting/reports/client_reports.html", {
        "client": client, "page": page, "form": form, "can_manage": can_manage, "nav": "reporting",
        "can_template": can(request.membership, "report.template"),
        "client_template": templates.filter(client=client).first(),
        "schedule_form": schedule_form or (ScheduleForm(schedule=sel.schedule_of(agency=request.agency, client=client))
                                         if can_manage else None),
    }, invalid=invalid)


@member_required("report.view")
def report_client_list_view(request, client_id):
    client = client_get(agency=request.agency, membership=request.membership, client_id=client_id)
    return _client_page(request, client)


@require_POST
@member_required("report.manage")
def report_create_view(request, client_id):
    client = client_get(agency=request.agency, membership=request.membership, client_id=client_id)
    templates = sel.template_list(agency=request.agency, membership=request.membership, client=client)
    form = ReportCreateForm(request.POST, templates=templates)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["preset"] == "custom":
                date_from, date_to = data["date_from"], data["date_to"]
            else:
                date_from, date_to = services.period_preset(data["preset"])
            report = services.report_create(agency=request.agency, actor=request.user, client=client,
                                            date_from=date_from, date_to=date_to, template=data["template"],
                                            title=data["title"], plan=form.plan())
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            if request.POST.get("build") == "1":
                services.report_build_start(agency=request.agency, actor=request.user, report=report)
            return redirect("reporting:reports:detail", report.pk)
    return _client_page(request, client, form=form, invalid=True)


def _detail(request, report, *, form=None, invalid=False):
    can_manage = can(request.membership, "report.manage") and not report.is_published
    if form is None and can_manage:
        form = ReportEditForm(report=report)
    ctx = services.document_context(report=report)
    ctx.update({
        "report": report, "client": report.client, "form": form, "can_manage": can_manage, "nav": "reporting",
        "can_publish": can(request.membership, "report.publish") and report.status == report.Status.BUILT,
        "job": report.job, "ratings": list(sel.report_ratings(agency=request.agency, report=report)[:50]),
    })
    return render_form(request, "reporting/reports/report_detail.html", ctx, invalid=invalid)


@never_cache
@member_required("report.view")
def report_detail_view(request, report_id):
    report = sel.report_get(agency=request.agency, membership=request.membership, report_id=report_id)
    return _detail(request, report)


@require_POST
@member_required("report.manage")
def report_edit_view(request, report_id):
    report = sel.report_get(agency=request.agency, membership=request.membership, report_id=report_id)
    form = ReportEditForm(request.POST, report=report)
    if form.is_valid():
        try:
            services.report_update(agency=request.agency, actor=request.user, report=report,
                                   commentary=form.cleaned_data["commentary"],
                                   next_steps=form.cleaned_data["next_steps"], plan=form.plan(),
                                   title=form.cleaned_data["title"])
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("reporting:reports:detail", report.pk)
    return _detail(request, report, form=form, invalid=True)


@require_POST
@member_required("report.manage")
def report_build_view(request, report_id):
    report = sel.report_get(agency=request.agency, membership=request.membership, report_id=report_id)
    try:
        job = services.report_build_start(agency=request.agency, actor=request.user, report=report,
                                          redraft=request.POST.get("redraft") == "1")
    except ServiceError as exc:
        if request.htmx:
            return HttpResponse(exc.message, status=422)
        messages.error(request, exc.message)
        return redirect("reporting:reports:detail", report.pk)
    if request.htmx:
        return render(request, "jobs/job_progress.html", {"job": job})
    return redirect("reporting:reports:detail", report.pk)


@require_POST
@member_required("report.publish")
def report_publish_view(request, report_id):
    report = sel.report_get(agency=request.agency, membership=request.membership, report_id=report_id)
    try:
        services.report_publish(agency=request.agency, actor=request.user, report=report)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Published: the client's contacts are told and see it in the portal."))
    return redirect("reporting:reports:detail", report.pk)


def pdf_response(content: bytes, report) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="report-{report.date_from:%Y%m%d}-{report.date_to:%Y%m%d}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@never_cache
@member_required("report.view")
def report_pdf_view(request, report_id):
    report = sel.report_get(agency=request.agency, membership=request.membership, report_id=report_id)
    try:
        content = services.report_pdf(report=report)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("reporting:reports:detail", report.pk)
    return pdf_response(content, report)


@require_POST
@member_required("report.manage")
def report_schedule_view(request, client_id):
    """Set the client's report schedule (weekly or monthly, day, time, time zone, review or auto-publish)."""
    client = client_get(agency=request.agency, membership=request.membership, client_id=client_id)
    form = ScheduleForm(request.POST)
    if form.is_valid():
        try:
            report_schedules.schedule_save(agency=request.agency, actor=request.user, client=client,
                                           **form.cleaned_data)
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Schedule saved."))
            return redirect("reporting:reports:client_list", client.pk)
    return _client_page(request, client, schedule_form=form, invalid=True)


# --- templates ---------------------------------------------------------------------------------------
@member_required("report.view")
def template_list_view(request):
    services.template_default(agency=request.agency)
    templates = list(sel.template_list(agency=request.agency, membership=request.membership).order_by(
        "-is_default", "name", "id")[:200])
    return render(request, "reporting/reports/template_list.html", {
        "templates": templates, "can_template": can(request.membership, "report.template"), "nav": "reporting"})


def _template_page(request, *, template=None, client=None, form=None, invalid=False):
    form = form or TemplateForm(template=template)
    return render_form(request, "reporting/reports/template_form.html", {
        "form": form, "template_obj": template, "client": client or (template.client if template else None),
        "nav": "reporting"}, invalid=invalid)


@member_required("report.template")
def template_edit_view(request, template_id):
    template = sel.template_get(agency=request.agency, membership=request.membership, template_id=template_id)
    if request.method != "POST":
        return _template_page(request, template=template)
    form = TemplateForm(request.POST, template=template)
    if form.is_valid():
        try:
            services.template_save(agency=request.agency, actor=request.user, name=form.cleaned_data["name"],
                                   sections=form.sections(), template=template)
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Template saved."))
            return redirect("reporting:reports:templates")
    return _template_page(request, template=template, form=form, invalid=True)


@member_required("report.template")
def template_client_view(request, client_id):
    """A client's own template: created from the agency default on the first save, edited afterwards."""
    client = client_get(agency=request.agency, membership=request.membership, client_id=client_id)
    existing = sel.template_list(agency=request.agency, membership=request.membership, client=client).filter(
        client=client).first()
    if existing is not None:
        return redirect("reporting:reports:template_edit", existing.pk)
    base = services.template_default(agency=request.agency)
    if request.method != "POST":
        form = TemplateForm(template=base, initial={"name": _("Report for %(client)s") % {"client": client.name}})
        return _template_page(request, client=client, form=form)
    form = TemplateForm(request.POST, template=base)
    if form.is_valid():
        try:
            services.template_save(agency=request.agency, actor=request.user, name=form.cleaned_data["name"],
                                   sections=form.sections(), client=client)
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Template saved."))
            return redirect(reverse("reporting:reports:client_list", args=[client.pk]))
    return _template_page(request, client=client, form=form, invalid=True)
