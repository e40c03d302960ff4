"""Forms of custom fields (the record forms' dynamic `cf_<key>` fields, the directors' definitions) and of
saved list views."""
from django import forms
from django.utils.translation import gettext_lazy as _

from mrm.core.forms import IsoDateInput, StyledFormMixin

from .models import CustomField, SavedView
from .services.custom_fields import TEXT_MAX

PREFIX = "cf_"


def custom_form_field(field: CustomField) -> forms.Field:
    common = {"label": field.label, "required": field.required}
    if field.kind == CustomField.Kind.NUMBER:
        return forms.DecimalField(max_digits=20, decimal_places=6, widget=forms.NumberInput(attrs={"step": "any"}),
                                  **common)
    if field.kind == CustomField.Kind.DATE:
        return forms.DateField(widget=IsoDateInput(), input_formats=["%Y-%m-%d"], **common)
    if field.kind == CustomField.Kind.CHOICE:
        return forms.ChoiceField(choices=[("", "—")] + [(c, c) for c in field.choices], **common)
    return forms.CharField(max_length=TEXT_MAX, **common)


class CustomFieldsFormMixin:
    """Adds the agency's active custom fields (`custom_defs`, from the view) as `cf_<key>` fields after the
    model's own; `custom_values()` gives them back keyed by field key, for `data["custom"]`.
    List it after StyledFormMixin so the added fields get the same styling."""

    def __init__(self, *args, custom_defs=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.custom_defs = list(custom_defs or [])
        current = getattr(getattr(self, "instance", None), "custom", None) or {}
        for field in self.custom_defs:
            form_field = custom_form_field(field)
            form_field.initial = current.get(field.key)
            self.fields[PREFIX + field.key] = form_field

    def custom_bound_fields(self):
        return [self[PREFIX + f.key] for f in self.custom_defs]

    def custom_values(self) -> dict:
        return {f.key: self.cleaned_data.get(PREFIX + f.key) for f in self.custom_defs}

    def cleaned_with_custom(self) -> dict:
        """cleaned_data without the `cf_` fields, plus `custom`: what the record services take."""
        data = {k: v for k, v in self.cleaned_data.items() if not k.startswith(PREFIX)}
        data["custom"] = self.custom_values()
        return data


class CustomFieldForm(StyledFormMixin, forms.Form):
    entity = forms.ChoiceField(label=_("Shown on"), choices=CustomField.Entity.choices)
    label = forms.CharField(label=_("Label"), max_length=80)
    key = forms.CharField(label=_("Key"), max_length=40,
                          help_text=_("Latin letters, digits and _, e.g. contract_no; used in the API and imports, "
                                      "cannot change later."))
    kind = forms.ChoiceField(label=_("Type"), choices=CustomField.Kind.choices)
    choices = forms.CharField(label=_("Choices"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=_("For a choice field: one per line."))
    required = forms.BooleanField(label=_("Required"), required=False)
    order = forms.IntegerField(label=_("Order"), min_value=0, max_value=1000, initial=0)
    is_active = forms.BooleanField(label=_("Active (shown in forms and lists)"), required=False, initial=True)

    def __init__(self, *args, instance: CustomField | None = None, **kwargs):
        if instance is not None:
            kwargs.setdefault("initial", {
                "entity": instance.entity, "label": instance.label, "key": instance.key, "kind": instance.kind,
                "choices": "\n".join(instance.choices), "required": instance.required, "order": instance.order,
                "is_active": instance.is_active})
        super().__init__(*args, **kwargs)
        self.instance = instance
        if instance is not None:
            for name in ("entity", "key", "kind"):  # keyed and typed values depend on them
                self.fields[name].disabled = True
                self.fields[name].required = False
        else:
            del self.fields["is_active"]

    def clean_choices(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data.get("choices", "").splitlines() if line.strip()]


class SavedViewForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("View name"), max_length=80)
    shared = forms.BooleanField(label=_("Share with the agency"), required=False)
    make_default = forms.BooleanField(label=_("Open the list with this view"), required=False)
    query = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)


class SavedViewRenameForm(SavedViewForm):
    """Editing an own view: name, sharing and default; `replace_query` stores the list's current filters."""

    replace_query = forms.BooleanField(label=_("Save the current filters and columns into it"), required=False)


__all__ = ["PREFIX", "CustomFieldForm", "CustomFieldsFormMixin", "SavedView", "SavedViewForm", "SavedViewRenameForm",
           "custom_form_field"]
