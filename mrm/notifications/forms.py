from django import forms
from django.utils.translation import gettext_lazy as _

from .services import Channels

CHANNEL_FIELDS = ("in_app", "email", "telegram", "digest")


class PreferencesForm(forms.Form):
    """One checkbox per kind × channel (plus the daily digest) for the kinds this person can receive."""

    def __init__(self, *args, rows: list[dict], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.rows = rows
        labels = {"in_app": _("In the app"), "email": _("E-mail"), "telegram": _("Telegram"),
                  "digest": _("Daily digest")}
        for row in rows:
            for channel in CHANNEL_FIELDS:
                name = f"{row['field']}__{channel}"
                self.fields[name] = forms.BooleanField(required=False, initial=row[channel],
                                                       label=f"{row['label']}: {labels[channel]}")
            row["bound"] = {channel: self[f"{row['field']}__{channel}"] for channel in CHANNEL_FIELDS}

    def choices(self) -> dict[str, Channels]:
        data = self.cleaned_data
        return {row["kind"]: Channels(*(data[f"{row['field']}__{c}"] for c in CHANNEL_FIELDS)) for row in self.rows}
