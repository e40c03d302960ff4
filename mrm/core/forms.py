from django import forms

from .errors import ServiceError


def add_service_error(form: forms.BaseForm, error: ServiceError) -> None:
    """The one place that turns a domain error into a form error shown in place."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)
    if field:
        _mark_invalid(form.fields[field])


def _mark_invalid(field) -> None:
    attrs = field.widget.attrs
    if "is-invalid" not in attrs.get("class", ""):
        attrs["class"] = (attrs.get("class", "") + " is-invalid").strip()
    attrs["aria-invalid"] = "true"


class StyledFormMixin:
    """Bootstrap classes on every widget, so templates render fields uniformly."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, (forms.CheckboxInput,)):
                css = "form-check-input"
            elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                _mark_invalid(self.fields[name])
