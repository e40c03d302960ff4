"""Forms of the project shell: the project (create / edit), its status, team members, list filters."""
from django import forms
from django.utils.translation import gettext_lazy as _

from clients.forms_pipeline import PersonChoiceField, currency_choices
from clients.widgets import ClientPickerField
from mrm.core.forms import IsoDateInput, StyledFormMixin

from .models import Project, ProjectMember

PROJECT_SORTS = ("-created_at", "created_at", "name", "-name", "end_date", "-end_date", "-budget_amount",
                 "budget_amount")


class ProjectForm(StyledFormMixin, forms.ModelForm):
    client = ClientPickerField(label=_("Client"), queryset=None)  # a search box, not 10,000 <option>s
    deal = forms.ModelChoiceField(queryset=None, required=False, widget=forms.HiddenInput)
    manager = PersonChoiceField(label=_("Project manager"), queryset=None, required=False)
    account_manager = PersonChoiceField(label=_("Account manager"), queryset=None, required=False)
    currency = forms.ChoiceField(label=_("Currency"))

    class Meta:
        model = Project
        fields = ["name", "client", "deal", "kind", "description", "start_date", "end_date", "manager",
                  "account_manager", "budget_amount", "currency", "budget_hours", "budget_cost", "retainer_hours",
                  "retainer_amount", "rollover", "rollover_cap_hours", "approval_days"]
        widgets = {
            "start_date": IsoDateInput(), "end_date": IsoDateInput(),
            "description": forms.Textarea(attrs={"rows": 3}),
            "budget_amount": forms.NumberInput(attrs={"min": "0", "step": "1000", "inputmode": "decimal"}),
            "budget_cost": forms.NumberInput(attrs={"min": "0", "step": "1000", "inputmode": "decimal"}),
            "retainer_amount": forms.NumberInput(attrs={"min": "0", "step": "1000", "inputmode": "decimal"}),
            "name": forms.TextInput(attrs={"placeholder": _("e.g. Spring launch campaign")}),
        }
        help_texts = {"approval_days": _("Longer waits for the client's approval raise an alert."),
                      "rollover_cap_hours": _("Only for “carry over, up to a cap”.")}

    def __init__(self, *args, clients, deals, people, agency, show_costs: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = clients
        self.fields["deal"].queryset = deals
        self.fields["manager"].queryset = people
        self.fields["account_manager"].queryset = people
        self.fields["currency"].choices = currency_choices(agency.currency)
        if self.instance._state.adding:
            self.fields["currency"].initial = agency.currency
        elif self.instance.proposal_id:
            self.fields["client"].disabled = True  # it stays with the proposal's client
        if not show_costs:
            del self.fields["budget_cost"]  # internal cost is for project.view_costs only

    def clean(self):
        data = super().clean()
        deal, client = data.get("deal"), data.get("client")
        if deal is not None and client is not None and deal.client_id != client.pk:
            data["deal"] = None  # the client was changed after coming from a deal page
        return data


class ProjectStatusForm(forms.Form):
    status = forms.ChoiceField(choices=Project.Status.choices)


class MemberForm(StyledFormMixin, forms.ModelForm):
    user = PersonChoiceField(label=_("Person"), queryset=None)

    class Meta:
        model = ProjectMember
        fields = ["user", "role", "title"]
        widgets = {"title": forms.TextInput(attrs={"placeholder": _("e.g. Lead designer")})}

    def __init__(self, *args, people, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = people
        self.fields["role"].queryset = roles
        self.fields["role"].required = False
        if not self.instance._state.adding:
            del self.fields["user"]


class ProjectFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=100)
    status = forms.ChoiceField(required=False, choices=[("open", ""), ("all", "")] + list(Project.Status.choices))
    kind = forms.ChoiceField(required=False, choices=[("", "")] + list(Project.Kind.choices))
    manager = forms.IntegerField(required=False, min_value=1)
    client = forms.UUIDField(required=False)
    sort = forms.ChoiceField(required=False, choices=[(s, s) for s in PROJECT_SORTS])
