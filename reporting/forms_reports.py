"""Forms of client reports: a new report (period preset or custom dates, template, plan), the AM's texts,
a template's sections and order, and the client contact's rating."""
from django import forms
from django.utils.translation import gettext_lazy as _

from mrm.core.forms import StyledFormMixin

from .report_models import Section
from .services.reports import PLAN_KEYS

PLAN_LABELS = {"cost": _("Plan: cost"), "clicks": _("Plan: clicks"), "conversions": _("Plan: conversions"),
               "revenue": _("Plan: revenue"), "cpa": _("Plan: cost per conversion")}


class _PlanMixin:
    def _add_plan_fields(self, plan: dict | None = None) -> None:
        for key in PLAN_KEYS:
            self.fields[f"plan_{key}"] = forms.DecimalField(label=PLAN_LABELS[key], required=False, min_value=0,
                                                            max_digits=16, decimal_places=2,
                                                            initial=(plan or {}).get(key))
            self.fields[f"plan_{key}"].widget.attrs["class"] = "form-control"

    def plan(self) -> dict:
        return {key: self.cleaned_data.get(f"plan_{key}") for key in PLAN_KEYS
                if self.cleaned_data.get(f"plan_{key}") is not None}


class ReportCreateForm(_PlanMixin, StyledFormMixin, forms.Form):
    PRESETS = (("last_month", _("Last month")), ("last_week", _("Last week")), ("custom", _("Custom dates")))

    preset = forms.ChoiceField(label=_("Period"), choices=PRESETS, initial="last_month")
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    template = forms.ModelChoiceField(label=_("Template"), queryset=None, required=False,
                                      empty_label=_("The client's template (or the agency default)"))
    title = forms.CharField(label=_("Title"), max_length=200, required=False)

    def __init__(self, *args, templates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = templates
        self._add_plan_fields()

    def clean(self):
        data = super().clean()
        if data.get("preset") == "custom":
            if not data.get("date_from"):
                self.add_error("date_from", _("Give the first day."))
            if not data.get("date_to"):
                self.add_error("date_to", _("Give the last day."))
        return data


class ReportEditForm(_PlanMixin, StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    commentary = forms.CharField(label=_("Commentary"), required=False, max_length=10000,
                                 widget=forms.Textarea(attrs={"rows": 8}))
    next_steps = forms.CharField(label=_("Next steps"), required=False, max_length=10000,
                                 widget=forms.Textarea(attrs={"rows": 4}), help_text=_("One step per line."))

    def __init__(self, *args, report, **kwargs):
        kwargs.setdefault("initial", {}).update(title=report.title, commentary=report.commentary,
                                                next_steps=report.next_steps)
        super().__init__(*args, **kwargs)
        self._add_plan_fields(report.plan)


class TemplateForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)

    def __init__(self, *args, template=None, **kwargs):
        super().__init__(*args, **kwargs)
        current = list(template.sections) if template is not None else [s.value for s in Section]
        if template is not None:
            self.fields["name"].initial = template.name
        self.section_rows = []
        for position, section in enumerate(Section, start=1):
            on = section.value in current
            order = current.index(section.value) + 1 if on else len(current) + position
            self.fields[f"on_{section.value}"] = forms.BooleanField(label=section.label, required=False, initial=on)
            self.fields[f"order_{section.value}"] = forms.IntegerField(
                label=_("Order"), min_value=1, max_value=99, initial=order, required=False)
            self.fields[f"on_{section.value}"].widget.attrs["class"] = "form-check-input"
            self.fields[f"order_{section.value}"].widget.attrs["class"] = "form-control form-control-sm"
            self.section_rows.append((self[f"on_{section.value}"], self[f"order_{section.value}"]))

    def sections(self) -> list[str]:
        chosen = [(self.cleaned_data.get(f"order_{s.value}") or 99, i, s.value) for i, s in enumerate(Section)
                  if self.cleaned_data.get(f"on_{s.value}")]
        return [key for _o, _i, key in sorted(chosen)]


class RatingForm(StyledFormMixin, forms.Form):
    score = forms.TypedChoiceField(label=_("Your rating"), coerce=int, choices=[(i, str(i)) for i in range(1, 6)],
                                   widget=forms.RadioSelect)
    comment = forms.CharField(label=_("Comment"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["score"].widget.attrs["class"] = "btn-check"


class ScheduleForm(StyledFormMixin, forms.Form):
    WEEKDAYS = ((0, _("Monday")), (1, _("Tuesday")), (2, _("Wednesday")), (3, _("Thursday")), (4, _("Friday")),
                (5, _("Saturday")), (6, _("Sunday")))

    is_active = forms.BooleanField(label=_("Build reports on a schedule"), required=False, initial=True)
    frequency = forms.ChoiceField(label=_("How often"), choices=(("monthly", _("Monthly: the past month")),
                                                                 ("weekly", _("Weekly: the past week"))))
    weekday = forms.TypedChoiceField(label=_("Weekday (weekly)"), coerce=int, choices=WEEKDAYS, initial=0)
    day = forms.IntegerField(label=_("Day of the month (monthly)"), min_value=1, max_value=28, initial=3)
    at_time = forms.TimeField(label=_("Time"), initial="09:00", widget=forms.TimeInput(attrs={"type": "time"}))
    time_zone = forms.CharField(label=_("Time zone"), max_length=60, initial="Europe/Moscow")
    auto_publish = forms.BooleanField(label=_("Publish without review"), required=False,
                                      help_text=_("Otherwise the built report waits for the account manager."))

    def __init__(self, *args, schedule=None, **kwargs):
        if schedule is not None:
            kwargs.setdefault("initial", {}).update(
                is_active=schedule.is_active, frequency=schedule.frequency, weekday=schedule.weekday,
                day=schedule.day, at_time=schedule.at_time, time_zone=schedule.time_zone,
                auto_publish=schedule.auto_publish)
        super().__init__(*args, **kwargs)
