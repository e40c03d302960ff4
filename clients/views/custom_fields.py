"""Settings → Custom fields (directors): define, rename, reorder, deactivate and delete the agency's fields."""
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mrm.core.errors import ServiceError
from mrm.core.forms import add_service_error
from mrm.core.htmx import render_form
from mrm.tenancy.permissions import member_required
from mrm.tenancy.policy import can

from ..forms_custom import CustomFieldForm
from ..models import CustomField
from ..sections import Section, register
from ..selectors.custom_fields import (
    custom_field_get,
    custom_field_list,
    custom_field_value_count,
    custom_values_display,
)
from ..services import custom_fields as services


def _client_block(request, client) -> dict:
    values = custom_values_display(agency=request.agency, entity=CustomField.Entity.CLIENT, records=[client])
    return {"values": values.get(client.pk, []), "can_edit": can(request.membership, "client.edit")}


# The client's custom values on its page (side column, under the contacts); nothing when it holds none.
register(Section(key="custom_fields", template="clients/blocks/custom_fields.html", column="side", order=12,
                 context=_client_block, rows=()))


def _page(request, form, *, invalid: bool):
    fields = list(custom_field_list(agency=request.agency, active_only=False))
    groups = [(label, [f for f in fields if f.entity == value]) for value, label in CustomField.Entity.choices]
    return render_form(request, "clients/custom_fields.html", {"groups": groups, "form": form, "section": "tenancy"},
                       invalid=invalid)


@member_required("custom_field.manage")
def custom_field_list_view(request):
    form = CustomFieldForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            field = services.custom_field_create(
                agency=request.agency, actor=request.user, entity=data["entity"], key=data["key"],
                label=data["label"], kind=data["kind"], choices=data["choices"], required=data["required"],
                order=data["order"])
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Field “%(label)s” added.") % {"label": field.label})
            return redirect("clients:custom_fields")
    return _page(request, form, invalid=bool(form.errors))


@member_required("custom_field.manage")
def custom_field_edit_view(request, field_id):
    field = custom_field_get(agency=request.agency, field_id=field_id)
    form = CustomFieldForm(request.POST or None, instance=field)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.custom_field_update(agency=request.agency, actor=request.user, field=field, label=data["label"],
                                         choices=data["choices"], required=data["required"], order=data["order"],
                                         is_active=data["is_active"])
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("clients:custom_fields")
    return render_form(request, "clients/custom_field_edit.html", {
        "form": form, "field": field, "section": "tenancy",
        "value_count": custom_field_value_count(agency=request.agency, field=field)}, invalid=bool(form.errors))


@require_POST
@member_required("custom_field.manage")
def custom_field_delete_view(request, field_id):
    """Deleting a field nobody filled in is immediate; with values, a page asks to confirm (values go too)."""
    field = custom_field_get(agency=request.agency, field_id=field_id)
    try:
        cleared = services.custom_field_delete(agency=request.agency, actor=request.user, field=field,
                                               confirmed=request.POST.get("confirm") == "yes")
    except ServiceError as exc:
        if exc.code != "confirm":
            raise
        return render(request, "clients/custom_field_delete.html", {
            "field": field, "message": exc.message, "section": "tenancy",
            "value_count": custom_field_value_count(agency=request.agency, field=field)})
    messages.success(request, _("Field “%(label)s” deleted.") % {"label": field.label} if not cleared else
                     _("Field “%(label)s” deleted with its values on %(n)s records.") % {"label": field.label,
                                                                                       "n": cleared})
    return redirect("clients:custom_fields")
