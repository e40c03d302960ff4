"""Settings area (directors): rate card, service catalog, brief templates and form, proposal defaults, cases."""
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mrm.core.errors import ServiceError
from mrm.core.forms import add_service_error
from mrm.core.htmx import render_form
from mrm.tenancy.permissions import member_required

from .. import selectors
from ..forms import BriefTemplateForm, CaseForm, ProposalSettingsForm, RoleForm, ServiceForm
from ..services import briefs as brief_services
from ..services import catalog as services


@member_required("catalog.edit")
def catalog_view(request):
    agency = request.agency
    return render(request, "proposals/catalog.html", {
        "roles": selectors.role_list(agency=agency),
        "groups": selectors.catalog_grouped(agency=agency),
        "role_form": RoleForm(prefix="role"),
    })


@member_required("catalog.edit")
def role_create_view(request):
    form = RoleForm(request.POST or None, prefix="role")
    if request.method == "POST" and form.is_valid():
        try:
            role = services.role_create(agency=request.agency, actor=request.user, data=form.cleaned_data)
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Role %(name)s added to the rate card.") % {"name": role.name})
            return redirect("proposals:catalog")
    return render_form(request, "proposals/role_form.html", {"form": form}, invalid=bool(form.errors))


@member_required("catalog.edit")
def role_edit_view(request, role_id):
    role = selectors.role_get(agency=request.agency, role_id=role_id)
    form = RoleForm(request.POST or None, instance=role, prefix="role")
    if request.method == "POST" and form.is_valid():
        try:
            services.role_update(agency=request.agency, actor=request.user, role=role, data=form.cleaned_data)
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("proposals:catalog")
    return render_form(request, "proposals/role_form.html", {"form": form, "role": role},
                       invalid=bool(form.errors))


@member_required("catalog.edit")
def service_create_view(request):
    initial = {"discipline": request.GET.get("discipline", "")}
    form = ServiceForm(request.POST or None, agency=request.agency, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "roles"}
        try:
            service = services.service_create(agency=request.agency, actor=request.user, data=data,
                                              roles=form.cleaned_data["roles"])
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Service %(name)s added.") % {"name": service.name})
            return redirect(reverse("proposals:catalog") + f"#d-{service.discipline}")
    return render_form(request, "proposals/service_form.html", {"form": form}, invalid=bool(form.errors))


@member_required("catalog.edit")
def service_edit_view(request, service_id):
    service = selectors.service_get(agency=request.agency, service_id=service_id)
    form = ServiceForm(request.POST or None, agency=request.agency, instance=service)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "roles"}
        try:
            services.service_update(agency=request.agency, actor=request.user, service=service, data=data,
                                    roles=form.cleaned_data["roles"])
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(reverse("proposals:catalog") + f"#d-{service.discipline}")
    return render_form(request, "proposals/service_form.html", {"form": form, "service": service},
                       invalid=bool(form.errors))


@member_required("settings.change")
def settings_view(request):
    agency = request.agency
    obj = services.settings_get(agency=agency)
    form = ProposalSettingsForm(request.POST or None, instance=obj, agency=agency)
    if request.method == "POST" and form.is_valid():
        try:
            services.settings_update(agency=agency, actor=request.user, data=form.cleaned_data)
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Settings saved."))
            return redirect("proposals:proposal_settings")
    public_url = request.build_absolute_uri(reverse("proposals_public:brief_form", args=[agency.slug]))
    embed_url = request.build_absolute_uri(reverse("proposals_public:brief_embed", args=[agency.slug]))
    return render_form(request, "proposals/settings.html", {
        "form": form, "public_url": public_url, "embed_url": embed_url,
        "templates": selectors.template_list(agency=agency),
    }, invalid=bool(form.errors))


@member_required("catalog.edit")
def template_create_view(request):
    form = BriefTemplateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        brief_services.template_save(agency=request.agency, actor=request.user, data=form.cleaned_data)
        messages.success(request, _("Brief template saved."))
        return redirect("proposals:proposal_settings")
    return render_form(request, "proposals/template_form.html", {"form": form}, invalid=bool(form.errors))


@member_required("catalog.edit")
def template_edit_view(request, template_id):
    template = selectors.template_get(agency=request.agency, template_id=template_id)
    form = BriefTemplateForm(request.POST or None, instance=template)
    if request.method == "POST" and form.is_valid():
        brief_services.template_save(agency=request.agency, actor=request.user, data=form.cleaned_data,
                                     template=template)
        messages.success(request, _("Brief template saved."))
        return redirect("proposals:proposal_settings")
    return render_form(request, "proposals/template_form.html", {"form": form, "template": template},
                       invalid=bool(form.errors))


@member_required("case.edit")
def case_list_view(request):
    return render(request, "proposals/case_list.html", {"cases": selectors.case_list(agency=request.agency)})


@member_required("case.edit")
def case_create_view(request):
    form = CaseForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("image_upload", "remove_image")}
        services.case_create(agency=request.agency, actor=request.user, data=data,
                             image=form.cleaned_data.get("image_upload"))
        messages.success(request, _("Case added."))
        return redirect("proposals:case_list")
    return render_form(request, "proposals/case_form.html", {"form": form}, invalid=bool(form.errors))


@member_required("case.edit")
def case_edit_view(request, case_id):
    case = selectors.case_get(agency=request.agency, case_id=case_id)
    form = CaseForm(request.POST or None, request.FILES or None, instance=case)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("image_upload", "remove_image")}
        services.case_update(agency=request.agency, actor=request.user, case=case, data=data,
                             image=form.cleaned_data.get("image_upload"),
                             remove_image=form.cleaned_data.get("remove_image", False))
        messages.success(request, _("Saved."))
        return redirect("proposals:case_list")
    return render_form(request, "proposals/case_form.html", {"form": form, "case": case},
                       invalid=bool(form.errors))


@require_POST
@member_required("case.edit")
def case_delete_view(request, case_id):
    case = selectors.case_get(agency=request.agency, case_id=case_id)
    services.case_delete(agency=request.agency, actor=request.user, case=case)
    messages.success(request, _("Case deleted."))
    return redirect("proposals:case_list")
