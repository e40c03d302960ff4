"""NPS forms: the client's answer (portal and e-mailed link), the AM's "send now" and a client's plan, the
agency's rules."""
from django import forms
from django.utils.translation import gettext_lazy as _

from mrm.core.forms import StyledFormMixin

from .models import NpsClientPlan, NpsSettings
from .models.nps import Schedule

SCORES = [(str(n), str(n)) for n in range(11)]


class NpsAnswerForm(forms.Form):
    score = forms.TypedChoiceField(label=_("How likely are you to recommend us to a friend or colleague?"),
                                   choices=SCORES, coerce=int,
                                   widget=forms.RadioSelect(attrs={"class": "btn-check"}),
                                   error_messages={"required": _("Choose a score from 0 to 10.")})
    comment = forms.CharField(label=_("Why this score?"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}),
                              help_text=_("Optional. What should we keep doing, and what should we change?"))


class ContactChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.full_name} <{obj.email}>"


class NpsSendForm(StyledFormMixin, forms.Form):
    contact = ContactChoiceField(label=_("Contact"), queryset=None,
                                 error_messages={"required": _("Choose whom to ask."),
                                                 "invalid_choice": _("Choose a contact of this client with an "
                                                                     "e-mail.")})

    def __init__(self, *args, contacts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = contacts


class NpsPlanForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = NpsClientPlan
        fields = ["schedule", "after_milestone"]


class NpsSettingsForm(StyledFormMixin, forms.ModelForm):
    default_schedule = forms.ChoiceField(label=_("Default schedule"), choices=Schedule.choices)

    class Meta:
        model = NpsSettings
        fields = ["min_interval_days", "default_schedule", "after_milestone", "link_valid_days"]
