"""Forms of the pipeline settings: a pipeline (name, type) and a stage (name, probability, the step it counts as)."""
from django import forms
from django.utils.translation import gettext_lazy as _

from mrm.core.forms import StyledFormMixin

from .models import Deal, Pipeline


class PipelineForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("Pipeline name"), max_length=80,
                           widget=forms.TextInput(attrs={"placeholder": _("e.g. Tenders")}))
    kind = forms.ChoiceField(label=_("Type"), choices=Pipeline.Kind.choices, initial=Pipeline.Kind.NEW_BUSINESS)


class StageForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("Stage"), max_length=80)
    probability = forms.IntegerField(label=_("Probability, %"), min_value=0, max_value=100)
    code = forms.ChoiceField(label=_("Counts in reports as"), required=False,
                             choices=[(value, Deal.Stage(value).label) for value in Deal.OPEN_STAGES])

    def __init__(self, *args, closed: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if closed:  # won and lost keep their meaning
            del self.fields["code"]
