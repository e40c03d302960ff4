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


ISO_DATE = "%Y-%m-%d"
ISO_DATETIME_LOCAL = "%Y-%m-%dT%H:%M"
ISO_TIME = "%H:%M"


class IsoDateInput(forms.DateInput):
    """`<input type="date">`: the browser only understands ISO values (2026-11-15), whatever the locale.
    A localized value (15.11.2026) shows as empty and is submitted empty, erasing the date on save."""

    input_type = "date"

    def __init__(self, attrs=None, format=None):  # noqa: A002 (Django's argument name)
        super().__init__(attrs, format=ISO_DATE)


class IsoDateTimeInput(forms.DateTimeInput):
    """`<input type="datetime-local">` with the ISO value the browser needs (2026-11-15T10:30)."""

    input_type = "datetime-local"

    def __init__(self, attrs=None, format=None):  # noqa: A002
        super().__init__(attrs, format=ISO_DATETIME_LOCAL)


class IsoTimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None, format=None):  # noqa: A002
        super().__init__(attrs, format=ISO_TIME)


class PlainNumberInput(forms.NumberInput):
    """`<input type="number">` without the stored trailing zeros: hours 12.0 show as 12, 7.50 as 7.5."""

    def format_value(self, value):
        from .numbers import input_number

        text = input_number(value)
        return text or super().format_value(value)


_ISO_WIDGETS = ((forms.DateTimeField, forms.DateTimeInput, IsoDateTimeInput),
                (forms.DateField, forms.DateInput, IsoDateInput),
                (forms.TimeField, forms.TimeInput, IsoTimeInput))


def iso_date_widgets(fields) -> None:
    """Give every date, datetime and time field of a form the browser-native ISO widget (in place).

    Keeps the widget's other attributes; hidden and split widgets are left as they are."""
    for field in fields.values():
        for field_class, widget_class, iso_class in _ISO_WIDGETS:
            if not isinstance(field, field_class):
                continue
            widget = field.widget
            if isinstance(widget, iso_class) or widget.is_hidden or isinstance(widget, forms.MultiWidget):
                break
            if not isinstance(widget, (widget_class, forms.TextInput)):
                break  # a deliberately different widget (e.g. a select)
            attrs = {k: v for k, v in widget.attrs.items() if k != "type"}
            new = iso_class(attrs=attrs)
            new.is_required = widget.is_required
            field.widget = new
            break


class IsoDateFormMixin:
    """Every date/datetime/time input of the form renders ISO values (see `IsoDateInput`)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        iso_date_widgets(self.fields)


class StyledFormMixin(IsoDateFormMixin):
    """Bootstrap classes on every widget, so templates render fields uniformly; ISO date inputs."""

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
