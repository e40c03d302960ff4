"""Forms of the pipeline and the AM's tasks: deals (edit, move, filters) and tasks (edit, quick add, filters)."""
import uuid
from datetime import datetime, time

from django import forms
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mrm.core.forms import IsoDateInput, IsoTimeInput, StyledFormMixin
from mrm.core.templatetags.mrm import CURRENCY_SIGNS

from .forms_custom import CustomFieldsFormMixin
from .models import Deal, Pipeline, PipelineStage, Task
from .selectors.deals import DEAL_SORTS
from .selectors.tasks import TASK_SORTS
from .widgets import ClientPickerField


def currency_choices(agency_currency: str) -> list[tuple[str, str]]:
    codes = [agency_currency] + [c for c in CURRENCY_SIGNS if c != agency_currency]
    return [(c, f"{c} {CURRENCY_SIGNS.get(c, '')}".strip()) for c in codes]


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.full_name or obj.email


class StageChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.pipeline.name} · {obj.name} ({obj.probability}%)"


class DealForm(StyledFormMixin, CustomFieldsFormMixin, forms.ModelForm):
    pipeline = forms.ModelChoiceField(label=_("Pipeline"), queryset=None, empty_label=None, required=False)
    pipeline_stage = StageChoiceField(label=_("Stage"), queryset=None, empty_label=None, required=False)
    # a stage code instead of a stage (older links and scripts): that step in the chosen pipeline
    stage = forms.ChoiceField(choices=[("", "")] + list(Deal.Stage.choices), required=False, widget=forms.HiddenInput)
    service_lines = forms.MultipleChoiceField(label=_("Service lines"), choices=Deal.ServiceLine.choices,
                                              required=False, widget=forms.CheckboxSelectMultiple)
    currency = forms.ChoiceField(label=_("Currency"))
    owner = PersonChoiceField(label=_("Owner"), queryset=None, required=False)
    client = ClientPickerField(label=_("Client"), queryset=None)  # a search box, not 10,000 <option>s

    class Meta:
        model = Deal
        fields = ["title", "client", "kind", "pipeline_stage", "lost_reason", "amount", "currency",
                  "expected_close_date", "owner", "service_lines"]
        widgets = {"expected_close_date": IsoDateInput(),
                   "amount": forms.NumberInput(attrs={"min": "0", "step": "1000", "inputmode": "decimal"}),
                   "title": forms.TextInput(attrs={"placeholder": _("e.g. SMM for the spring launch")})}
        help_texts = {"lost_reason": _("Required when the deal is lost.")}

    def __init__(self, *args, clients, owners, agency, pipelines, stages, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields(["title", "client", "kind", "pipeline", "pipeline_stage"])
        self.fields["pipeline"].queryset = Pipeline.objects.filter(pk__in=[p.pk for p in pipelines])
        self.fields["pipeline"].choices = [(p.pk, p.name) for p in pipelines]
        current = None if self.instance._state.adding else self.instance.pipeline_stage_id
        self.fields["pipeline_stage"].queryset = stages.filter(Q(is_archived=False) | Q(pk=current))
        if current is not None:
            self.fields["pipeline"].initial = self.instance.pipeline_stage.pipeline_id
        self.fields["client"].queryset = clients
        self.fields["owner"].queryset = owners
        self.fields["currency"].choices = currency_choices(agency.currency)
        if self.instance._state.adding:  # the UUID pk is set before saving, so `pk` cannot tell
            self.fields["currency"].initial = agency.currency

    def clean(self):
        data = super().clean()
        pipeline, stage = data.get("pipeline"), data.get("pipeline_stage")
        if pipeline is not None and stage is not None and stage.pipeline_id != pipeline.pk:
            self.add_error("pipeline_stage", _("Pick a stage of the pipeline “%(pipeline)s”.") % {"pipeline": pipeline.name})
        code = stage.code if stage is not None else data.get("stage")
        if stage is None and not code:
            data.pop("stage", None)
        if code == Deal.Stage.LOST and not (data.get("lost_reason") or "").strip():
            self.add_error("lost_reason", _("Say why the deal was lost: it feeds the win/loss analysis."))
        return data


class DealMoveForm(StyledFormMixin, forms.Form):
    """`stage`: a stage id of the agency (the board's columns) or a stage code (that step in the deal's
    pipeline: the no-JS select and older clients)."""

    stage = forms.CharField(label=_("Stage"), max_length=40)
    before = forms.UUIDField(required=False, widget=forms.HiddenInput)
    lost_reason = forms.CharField(label=_("Why was it lost?"), max_length=255, required=False)

    def __init__(self, *args, agency, stages=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.agency = agency
        if stages is not None:
            self.fields["stage"].widget = forms.Select(choices=[(str(s.pk), s.name) for s in stages])
            self.fields["stage"].widget.attrs["class"] = "form-select"

    def clean_stage(self):
        value = self.cleaned_data["stage"]
        if value in Deal.Stage.values:
            return value
        try:
            stage_id = uuid.UUID(value)
        except ValueError:
            raise forms.ValidationError(_("Unknown stage.")) from None
        stage = PipelineStage.objects.filter(agency=self.agency, pk=stage_id).first()
        if stage is None:
            raise forms.ValidationError(_("Unknown stage."))
        return stage

    def clean(self):
        data = super().clean()
        stage = data.get("stage")
        code = getattr(stage, "code", stage)
        if code == Deal.Stage.LOST and not (data.get("lost_reason") or "").strip():
            self.add_error("lost_reason", _("Say why the deal was lost: it feeds the win/loss analysis."))
        return data


class DealFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=100)
    pipeline = forms.UUIDField(required=False)
    stage_id = forms.UUIDField(required=False)
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
