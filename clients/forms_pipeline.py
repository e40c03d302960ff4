"""Forms of the pipeline and the AM's tasks: deals (edit, move, filters) and tasks (edit, quick add, filters)."""
from datetime import datetime, time

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mrm.core.forms import IsoDateInput, IsoTimeInput, StyledFormMixin
from mrm.core.templatetags.mrm import CURRENCY_SIGNS

from .forms_custom import CustomFieldsFormMixin
from .models import Deal, Task
from .selectors.deals import DEAL_SORTS
from .selectors.tasks import TASK_SORTS
from .widgets import ClientPickerField


def currency_choices(agency_currency: str) -> list[tuple[str, str]]:
    codes = [agency_currency] + [c for c in CURRENCY_SIGNS if c != agency_currency]
    return [(c, f"{c} {CURRENCY_SIGNS.get(c, '')}".strip()) for c in codes]


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.full_name or obj.email


class DealForm(StyledFormMixin, CustomFieldsFormMixin, forms.ModelForm):
    service_lines = forms.MultipleChoiceField(label=_("Service lines"), choices=Deal.ServiceLine.choices,
                                              required=False, widget=forms.CheckboxSelectMultiple)
    currency = forms.ChoiceField(label=_("Currency"))
    owner = PersonChoiceField(label=_("Owner"), queryset=None, required=False)
    client = ClientPickerField(label=_("Client"), queryset=None)  # a search box, not 10,000 <option>s

    class Meta:
        model = Deal
        fields = ["title", "client", "kind", "stage", "lost_reason", "amount", "currency", "expected_close_date",
                  "owner", "service_lines"]
        widgets = {"expected_close_date": IsoDateInput(),
                   "amount": forms.NumberInput(attrs={"min": "0", "step": "1000", "inputmode": "decimal"}),
                   "title": forms.TextInput(attrs={"placeholder": _("e.g. SMM for the spring launch")})}
        help_texts = {"lost_reason": _("Required when the deal is lost.")}

    def __init__(self, *args, clients, owners, agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = clients
        self.fields["owner"].queryset = owners
        self.fields["currency"].choices = currency_choices(agency.currency)
        if self.instance._state.adding:  # the UUID pk is set before saving, so `pk` cannot tell
            self.fields["currency"].initial = agency.currency

    def clean(self):
        data = super().clean()
        if data.get("stage") == Deal.Stage.LOST and not (data.get("lost_reason") or "").strip():
            self.add_error("lost_reason", _("Say why the deal was lost: it feeds the win/loss analysis."))
        return data


class DealMoveForm(StyledFormMixin, forms.Form):
    stage = forms.ChoiceField(label=_("Stage"), choices=Deal.Stage.choices)
    before = forms.UUIDField(required=False, widget=forms.HiddenInput)
    lost_reason = forms.CharField(label=_("Why was it lost?"), max_length=255, required=False)

    def clean(self):
        data = super().clean()
        if data.get("stage") == Deal.Stage.LOST and not (data.get("lost_reason") or "").strip():
            self.add_error("lost_reason", _("Say why the deal was lost: it feeds the win/loss analysis."))
        return data


class DealFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=100)
    stage = forms.ChoiceField(required=False, choices=[("", "")] + list(Deal.Stage.choices))
    kind = forms.ChoiceField(required=False, choices=[("", "")] + list(Deal.Kind.choices))
    owner = forms.CharField(required=False, max_length=40)
    client = forms.UUIDField(required=False)
    sort = forms.ChoiceField(required=False, choices=[(s, s) for s in DEAL_SORTS])


END_OF_DAY = time(23, 59)


def _due_at(date, at, *, agency):
    """A date (and optional time) in the user's time zone. A date alone means "during that day": due at
    the end of the day, so a task added in the evening for today is not overdue the moment it exists."""
    if date is None:
        return None
    return timezone.make_aware(datetime.combine(date, at or END_OF_DAY), timezone.get_current_timezone())


def deal_option_label(deal) -> str:
    label = f"{deal.client.name} — {deal.title}"
    return f"{label} ({deal.get_stage_display()})" if deal.stage == Deal.Stage.WON else label


class TaskForm(StyledFormMixin, forms.ModelForm):
    due_date = forms.DateField(label=_("Due date"), required=False,
                               widget=IsoDateInput())
    due_time = forms.TimeField(label=_("Time"), required=False,
                               widget=IsoTimeInput(),
                               help_text=_("Empty: any time that day."))
    assignee = PersonChoiceField(label=_("Assignee"), queryset=None, required=False)
    client = ClientPickerField(label=_("Client"), queryset=None, required=False)  # a search box, not a <select>

    class Meta:
        model = Task
        fields = ["title", "kind", "priority", "due_date", "due_time", "assignee", "client", "deal", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, clients, deals, assignees, agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.agency = agency
        self.fields["client"].queryset = clients
        self.fields["deal"].queryset = deals
        self.fields["deal"].label_from_instance = deal_option_label
        self.fields["client"].widget.attrs.update({
            # Picking a client narrows the deal list to that client's deals (HTMX; the server checks too).
            "hx-get": reverse("clients:task_deal_options"), "hx-trigger": "change", "hx-target": "#id_deal",
            "hx-swap": "innerHTML", "hx-include": "#id_deal"})
        self.fields["assignee"].queryset = assignees
        if not self.instance._state.adding and self.instance.due_at:
            local = timezone.localtime(self.instance.due_at)
            self.fields["due_date"].initial = local.date()
            self.fields["due_time"].initial = None if local.time().replace(second=0, microsecond=0) == END_OF_DAY \
                else local.time()

    def clean(self):
        data = super().clean()
        if data.get("due_time") and not data.get("due_date"):
            self.add_error("due_date", _("Pick a date for the time you entered."))
        data["due_at"] = _due_at(data.get("due_date"), data.get("due_time"), agency=self.agency)
        return data


class TaskQuickForm(StyledFormMixin, forms.Form):
    """The one-line "add a task" of the client page."""

    title = forms.CharField(label=_("New task"), max_length=200,
                            widget=forms.TextInput(attrs={"placeholder": _("Send the media plan, call about the report…")}))
    kind = forms.ChoiceField(label=_("Type"), choices=Task.Kind.choices, initial=Task.Kind.TASK)
    due_date = forms.DateField(label=_("Due"), required=False,
                               widget=IsoDateInput())

    def __init__(self, *args, agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.agency = agency

    def clean(self):
        data = super().clean()
        data["due_at"] = _due_at(data.get("due_date"), None, agency=self.agency)
        return data


class TaskFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=100)
    scope = forms.ChoiceField(required=False, choices=[("mine", _("Mine")), ("all", _("Everyone's"))])
    state = forms.ChoiceField(required=False, choices=[("open", _("Open")), ("done", _("Done")), ("all", _("All"))])
    overdue = forms.BooleanField(required=False)
    kind = forms.ChoiceField(required=False, choices=[("", "")] + list(Task.Kind.choices))
    client = forms.UUIDField(required=False)
    sort = forms.ChoiceField(required=False, choices=[(s, s) for s in TASK_SORTS])
