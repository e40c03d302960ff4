"""Forms of time tracking: quick entry and edit, the list filter, the timer, time off, weekly capacity."""
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from mrm.core.forms import StyledFormMixin

from .models import TimeOff


class HoursField(forms.CharField):
    """Hours as typed: 1.5, 1,5 or 1:30 (the service parses and checks them)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 8)
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update({"inputmode": "decimal", "autocomplete": "off", "placeholder": "1,5"})
        return attrs


class TimeEntryForm(StyledFormMixin, forms.Form):
    task = forms.ModelChoiceField(label=_("Task"), queryset=None, required=False, empty_label=_("No task"))
    date = forms.DateField(label=_("Date"))
    hours = HoursField(label=_("Hours"), help_text=_("1.5 or 1:30"))
    note = forms.CharField(label=_("What was done"), max_length=500, required=False)
    billable = forms.BooleanField(label=_("Billable"), required=False, initial=True)

    def __init__(self, *args, tasks, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["task"].queryset = tasks


class TimeEntryFilterForm(forms.Form):
    user = forms.UUIDField(required=False)
    task = forms.UUIDField(required=False)
    date_from = forms.DateField(required=False)
    date_to = forms.DateField(required=False)


class TimerStartForm(forms.Form):
    """`target` is "<project id>:<task id or empty>" from the timesheet's list."""

    target = forms.CharField(label=_("Task"), max_length=80)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class TimeOffForm(StyledFormMixin, forms.ModelForm):
    user = forms.ModelChoiceField(label=_("Who"), queryset=None, required=False)

    class Meta:
        model = TimeOff
        fields = ["user", "start_date", "end_date", "kind", "note"]

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        if people is None:
            del self.fields["user"]
        else:
            self.fields["user"].queryset = people
            self.fields["user"].required = True
            self.fields["user"].label_from_instance = lambda u: u.full_name or u.email

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The last day is before the first."))
        return data

    def _post_clean(self):  # the service validates and saves; the model is not touched here
        pass


class CapacityForm(StyledFormMixin, forms.Form):
    weekly_capacity_hours = forms.DecimalField(label=_("Hours a week"), min_value=Decimal("0"),
                                               max_value=Decimal("80"), max_digits=4, decimal_places=1)
