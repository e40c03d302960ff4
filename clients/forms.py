from django import forms
from django.utils.translation import gettext_lazy as _

from mrm.core.forms import IsoDateInput, StyledFormMixin

from .forms_custom import CustomFieldsFormMixin
from .models import Client


class ClientForm(StyledFormMixin, CustomFieldsFormMixin, forms.ModelForm):
    tag_names = forms.CharField(label=_("Tags"), required=False, help_text=_("Comma-separated, e.g. retail, vip"))

    class Meta:
        model = Client
        fields = ["name", "legal_name", "industry", "website", "size", "source", "status", "churn_reason", "owner",
                  "start_date", "notes", "inn", "kpp", "legal_address"]
        widgets = {"start_date": IsoDateInput(), "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, owners=None, **kwargs):
        super().__init__(*args, **kwargs)
        if owners is not None:
            self.fields["owner"].queryset = owners
        if self.instance.pk:
            self.fields["tag_names"].initial = ", ".join(t.name for t in self.instance.tags.all())

    def clean(self):
        data = super().clean()
        if data.get("status") == Client.Status.CHURNED and not data.get("churn_reason"):
            self.add_error("churn_reason", _("Say why the client left: it feeds the churn analysis."))
        return data

    def clean_tag_names(self) -> list[str]:
        names = [n.strip()[:40] for n in self.cleaned_data.get("tag_names", "").split(",")]
        return sorted({n for n in names if n})


class ClientFilterForm(forms.Form):
    q = forms.CharField(required=False)
    status = forms.ChoiceField(required=False, choices=[("", _("All statuses"))] + list(Client.Status.choices))
    owner = forms.CharField(required=False)
    industry = forms.CharField(required=False)
    tag = forms.CharField(required=False)
    sort = forms.ChoiceField(required=False, choices=[(s, s) for s in (
        "name", "-name", "status", "-status", "created_at", "-created_at", "last_contact_at", "-last_contact_at")])
