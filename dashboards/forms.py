"""The period picker: month, quarter, year (the one containing `on`) or custom dates (both inclusive)."""
from datetime import date, timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from .periods import KINDS, MAX_CUSTOM_DAYS, Period


class PeriodForm(forms.Form):
    period = forms.ChoiceField(label=_("Period"), choices=KINDS, required=False)
    on = forms.DateField(label=_("Any day of the period"), required=False)
    start = forms.DateField(label=_("From"), required=False)
    end = forms.DateField(label=_("To"), required=False)

    def clean(self):
        data = super().clean()
        if data.get("period") == "custom":
            start, end = data.get("start"), data.get("end")
            if not start or not end:
                raise forms.ValidationError(_("Custom dates need both a start and an end date."))
            if end < start:
                raise forms.ValidationError(_("The end date is before the start date."))
            if (end - start).days + 1 > MAX_CUSTOM_DAYS:
                raise forms.ValidationError(_("Choose at most three years."))
        for name in ("on", "start", "end"):
            day = data.get(name)
            if day and not date(2000, 1, 1) <= day <= date(2100, 12, 31):
                self.add_error(name, _("Choose a date between 2000 and 2100."))
        return data

    def period_for(self, today: date) -> Period:
        """The chosen period (call after is_valid); the current quarter when nothing (or nothing valid) is chosen."""
        data = self.cleaned_data if self.is_bound and not self.errors else {}
        kind = data.get("period") or "quarter"
        if kind == "custom":
            return Period.custom(data["start"], data["end"])
        return Period.containing(kind, data.get("on") or today)


def default_custom(today: date) -> tuple[date, date]:
    return today - timedelta(days=89), today
