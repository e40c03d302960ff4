"""The client picker (its template is under clients/templates/: the default form renderer reads app
directories only): a search-as-you-type text input plus the hidden client id, instead of a `<select>` with every
client of the agency (10,000 options). It renders only the selected client; the options come from the HTMX
endpoint `clients:client_pick`, and the form field still validates the id against the visible clients."""
from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.urls import reverse


class ClientPickerWidget(forms.Widget):
    template_name = "clients/widgets/client_picker.html"

    def id_for_label(self, id_):
        return f"{id_}_search" if id_ else id_

    def selected_label(self, value) -> str:
        """The selected client's name: one query over the field's (visible) queryset, nothing when none or foreign."""
        choices = getattr(self, "choices", None)
        queryset = getattr(choices, "queryset", None)
        if not value or queryset is None:
            return ""
        try:
            client = queryset.filter(pk=value).select_related(None).only("pk", "name").first()
        except (ValidationError, ValueError, TypeError):
            return ""
        return client.name if client else ""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        attrs = dict(widget["attrs"])
        input_id = attrs.pop("id", f"id_{name}")
        attrs.pop("required", None)
        # HTMX attributes (e.g. the task form's deal options) belong to the hidden id, which fires `change`.
        hidden = {k: v for k, v in attrs.items() if k.startswith("hx-")}
        search = {k: v for k, v in attrs.items() if not k.startswith("hx-")}
        label = self.selected_label(widget["value"])
        widget.update({
            "input_id": input_id,
            "hidden_attrs": flatatt(hidden),
            "search_attrs": flatatt(search),
            "label": label,
            "pick_url": reverse("clients:client_pick"),
        })
        return context

    def format_value(self, value):
        return "" if value is None else str(value)


class ClientPickerField(forms.ModelChoiceField):
    """A ModelChoiceField (the visible clients' queryset validates the id) rendered as the picker."""

    widget = ClientPickerWidget
