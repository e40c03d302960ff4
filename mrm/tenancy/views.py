import uuid

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mrm.core.errors import ServiceError
from mrm.core.forms import add_service_error
from mrm.core.htmx import render_form
from mrm.jobs.models import Job

from . import audit_text, selectors, services
from .exports import audit_export_start
from .forms import (
    AgencySettingsForm,
    AuditFilterForm,
    HolidayForm,
    InvitationForm,
    KpiTargetForm,
    MembershipForm,
)
from .models import Holiday
from .permissions import member_required


def _settings_page(request, *, form, target_form=None):
    agency = request.agency
    return render_form(request, "tenancy/settings.html", {
        "form": form, "holidays": Holiday.objects.filter(agency=agency).order_by("date"),
        "holiday_form": HolidayForm(),
        "target_form": target_form or KpiTargetForm(agency=agency, prefix="target"),
        "target_overrides": selectors.kpi_target_overrides(agency=agency),
    }, invalid=bool(form.errors or (target_form is not None and target_form.errors)))


@member_required("settings.change")
def settings_view(request):
    agency = request.agency
    form = AgencySettingsForm(request.POST or None, request.FILES or None, instance=agency,
                              targets=selectors.kpi_target_defaults(agency=agency))
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items()
                if k not in ("logo_upload", "remove_logo") and not k.startswith("target_")}
        try:
            with transaction.atomic():
                services.agency_update(agency=agency, actor=request.user, data=data,
                                       logo=form.cleaned_data.get("logo_upload"),
                                       remove_logo=form.cleaned_data.get("remove_logo", False))
                services.kpi_targets_save(agency=agency, actor=request.user, values=form.targets())
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Settings saved."))
            return redirect("tenancy:settings")
    if form.is_bound and not form.is_valid():
        agency.refresh_from_db()  # the form mutated the instance; show the sidebar with saved values
    return _settings_page(request, form=form)


@require_POST
@member_required("settings.change")
def kpi_target_add_view(request):
    agency = request.agency
    form = KpiTargetForm(request.POST, agency=agency, prefix="target")
    if form.is_valid():
        try:
            services.kpi_target_create(agency=agency, actor=request.user, **form.cleaned_data)
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Target added."))
            return redirect(reverse("tenancy:settings") + "#kpi-targets")
    settings_form = AgencySettingsForm(instance=agency, targets=selectors.kpi_target_defaults(agency=agency))
    return _settings_page(request, form=settings_form, target_form=form)


@require_POST
@member_required("settings.change")
def kpi_target_remove_view(request, target_id):
    target = selectors.kpi_target_get(agency=request.agency, target_id=target_id)
    try:
        services.kpi_target_remove(agency=request.agency, actor=request.user, target=target)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Target removed."))
    return redirect(reverse("tenancy:settings") + "#kpi-targets")


@require_POST
@member_required("settings.change")
def holiday_add_view(request):
    form = HolidayForm(request.POST)
    if request.POST.get("official_year"):
        try:
            year = int(request.POST["official_year"])
            count = services.holiday_import_official(agency=request.agency, actor=request.user, year=year)
        except (ValueError, NotImplementedError):
            messages.error(request, _("Choose a year between 2000 and 2100."))
        else:
            messages.success(request, _("%(n)s public holidays added.") % {"n": count})
        return redirect("tenancy:settings")
    if form.is_valid():
        try:
            services.holiday_add(agency=request.agency, actor=request.user, day=form.cleaned_data["date"],
                                 name=form.cleaned_data["name"])
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Holiday added."))
    else:
        messages.error(request, _("Enter a date and a name for the holiday."))
    return redirect("tenancy:settings")


@require_POST
@member_required("settings.change")
def holiday_remove_view(request, holiday_id):
    holiday = selectors.holiday_get(agency=request.agency, holiday_id=holiday_id)
    services.holiday_remove(agency=request.agency, actor=request.user, holiday=holiday)
    messages.success(request, _("Holiday removed."))
    return redirect("tenancy:settings")


@member_required("team.manage")
def team_view(request):
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation, _token = services.invitation_create(agency=request.agency, actor=request.user,
                                                            **form.cleaned_data)
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
            return redirect("tenancy:team")
    return render_form(request, "tenancy/team.html", {
        "form": form,
        "members": selectors.membership_list(agency=request.agency),
        "invitations": selectors.invitation_list_pending(agency=request.agency),
    }, invalid=form.is_bound and not form.is_valid())


@member_required("team.manage")
def membership_edit_view(request, membership_id):
    membership = selectors.membership_get(agency=request.agency, membership_id=membership_id)
    form = MembershipForm(request.POST or None, initial={"role": membership.role, "is_active": membership.is_active})
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_update(agency=request.agency, actor=request.user, membership=membership,
                                       **form.cleaned_data)
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("tenancy:team")
    return render(request, "tenancy/membership_edit.html", {"form": form, "member": membership})


@require_POST
@member_required("team.manage")
def invitation_revoke_view(request, invitation_id):
    invitation = selectors.invitation_get(agency=request.agency, invitation_id=invitation_id)
    services.invitation_revoke(agency=request.agency, actor=request.user, invitation=invitation)
    messages.success(request, _("Invitation withdrawn."))
    return redirect("tenancy:team")


@member_required("audit.view")
def audit_view(request):
    agency = request.agency
    form = AuditFilterForm(request.GET or None, actors=selectors.staff_list(agency=agency),
                           actions=selectors.audit_action_list(agency=agency))
    filters = form.cleaned_data if form.is_valid() else {}
    rows = selectors.audit_list(agency=agency, actor_id=filters.get("actor") or None,
                                action=filters.get("action", ""), date_from=filters.get("date_from"),
                                date_to=filters.get("date_to"))
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    for row in page.object_list:
        row.sentence, row.change_list = audit_text.sentence(row), audit_text.changes(row)
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("job", None)
    job = None
    if request.GET.get("job"):
        job = Job.objects.filter(agency=agency, pk=_uuid_or_none(request.GET["job"])).first()
    return render(request, "tenancy/audit_list.html", {"form": form, "page": page, "query": query.urlencode(),
                                                       "job": job})


def _uuid_or_none(value: str):
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


@require_POST
@member_required("audit.view")
def audit_export_view(request):
    form = AuditFilterForm(request.POST, actors=selectors.staff_list(agency=request.agency),
                           actions=selectors.audit_action_list(agency=request.agency))
    filters = form.cleaned_data if form.is_valid() else {}
    job = audit_export_start(agency=request.agency, actor=request.user, filters=filters)
    if request.htmx:
        return render(request, "jobs/job_progress.html", {"job": job})
    return redirect(reverse("tenancy:audit") + f"?job={job.pk}")
