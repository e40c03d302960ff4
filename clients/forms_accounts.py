"""Forms of account management: onboarding template, interaction agreement, account plan (KAM) and objectives."""
from django import forms
from django.utils.translation import gettext_lazy as _

from mrm.core.forms import IsoDateInput, StyledFormMixin

from .models import AccountObjective, AccountPlan, Interaction, InteractionAgreement
from .models.kam import ATTRACTIVENESS_CRITERIA, RELATIONSHIP_CRITERIA

SCORE_CHOICES = [("", _("not scored"))] + [(str(n), str(n)) for n in range(1, 6)]


class TemplateStepForm(StyledFormMixin, forms.Form):
    id = forms.UUIDField(required=False, widget=forms.HiddenInput)
    title = forms.CharField(label=_("Step"), max_length=200)
    description = forms.CharField(label=_("What to do"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    due_day = forms.IntegerField(label=_("Day"), min_value=1, max_value=365,
                                 widget=forms.NumberInput(attrs={"inputmode": "numeric", "placeholder": "7"}))


class BaseTemplateStepFormSet(forms.BaseFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        kept = [f for f in self.forms if f.has_changed() or f.cleaned_data.get("id")]
        if not [f for f in kept if f.cleaned_data and not f.cleaned_data.get("DELETE")]:
            raise forms.ValidationError(_("Keep at least one step: the template is what every new client's "
                                          "plan starts from."))


TemplateStepFormSet = forms.formset_factory(TemplateStepForm, formset=BaseTemplateStepFormSet, extra=2,
                                            can_delete=True, max_num=40, validate_max=True)


class AgreementForm(StyledFormMixin, forms.ModelForm):
    channels = forms.MultipleChoiceField(label=_("Channels"), choices=Interaction.Channel.choices, required=False,
                                         widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = InteractionAgreement
        fields = ["contact_every_days", "channels", "response_time_hours", "reporting_cadence", "request_format",
                  "approval_rules", "agreed_on"]
        widgets = {
            "request_format": forms.Textarea(attrs={"rows": 2, "placeholder": _(
                "e.g. tasks in the shared Telegram chat, one message per request, with a deadline")}),
            "approval_rules": forms.Textarea(attrs={"rows": 2, "placeholder": _(
                "e.g. creatives approved by the marketing lead within 2 working days; budgets by the CMO")}),
            "agreed_on": IsoDateInput(),
            "contact_every_days": forms.NumberInput(attrs={"min": 1, "max": 365}),
            "response_time_hours": forms.NumberInput(attrs={"min": "0.5", "max": "240", "step": "0.5"}),
        }

    def clean_contact_every_days(self):
        value = self.cleaned_data["contact_every_days"]
        if not 1 <= value <= 365:
            raise forms.ValidationError(_("Between 1 and 365 days."))
        return value

    def clean_response_time_hours(self):
        value = self.cleaned_data["response_time_hours"]
        if not 0.5 <= value <= 240:
            raise forms.ValidationError(_("Between 0.5 and 240 business hours."))
        return value


class AccountPlanForm(StyledFormMixin, forms.Form):
    relationship_stage = forms.ChoiceField(label=_("Relationship stage"), choices=AccountPlan.Stage.choices,
                                           widget=forms.RadioSelect)
    summary = forms.CharField(label=_("Strategy in a few lines"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, plan: AccountPlan | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        a_scores = plan.attractiveness_scores if plan else {}
        r_scores = plan.relationship_scores if plan else {}
        for prefix, criteria, scores in (("a", ATTRACTIVENESS_CRITERIA, a_scores), ("r", RELATIONSHIP_CRITERIA, r_scores)):
            for key, label in criteria.items():
                self.fields[f"{prefix}_{key}"] = forms.ChoiceField(
                    label=label, choices=SCORE_CHOICES, required=False, initial=str(scores.get(key, "")),
                    widget=forms.Select(attrs={"class": "form-select"}))
        if plan:
            self.fields["relationship_stage"].initial = plan.relationship_stage
            self.fields["summary"].initial = plan.summary
        else:
            self.fields["relationship_stage"].initial = AccountPlan.Stage.TACTICAL

    def attractiveness_fields(self):
        return [self[f"a_{k}"] for k in ATTRACTIVENESS_CRITERIA]

    def relationship_fields(self):
        return [self[f"r_{k}"] for k in RELATIONSHIP_CRITERIA]

    def scores(self, prefix: str, criteria: dict) -> dict[str, str]:
        return {k: self.cleaned_data.get(f"{prefix}_{k}") or "" for k in criteria}


class ObjectiveForm(StyledFormMixin, forms.ModelForm):
    id = forms.UUIDField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = AccountObjective
        fields = ["title", "kpi", "target", "due_on", "status"]
        widgets = {"due_on": IsoDateInput(),
                   "kpi": forms.TextInput(attrs={"placeholder": _("e.g. leads per month")}),
                   "target": forms.TextInput(attrs={"placeholder": _("e.g. 400")})}


ObjectiveFormSet = forms.formset_factory(ObjectiveForm, extra=1, can_delete=True, max_num=30, validate_max=True)
