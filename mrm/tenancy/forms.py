from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from mrm.accounts.forms import TIMEZONE_CHOICES
from mrm.core.forms import IsoDateInput, IsoTimeInput, StyledFormMixin

from .audit_text import action_choices
from .models import Agency, KpiMetric, Role
from .services import KPI_TARGET_RANGES

CURRENCY_CHOICES = [("RUB", "₽ RUB"), ("USD", "$ USD"), ("EUR", "€ EUR"), ("KZT", "₸ KZT"), ("BYN", "Br BYN")]
INVITABLE_ROLES = [(r.value, r.label) for r in (Role.DIRECTOR, Role.AM, Role.SPECIALIST)]
MAX_LOGO_BYTES = 1024 * 1024
TARGET_LABELS = {
    KpiMetric.RETENTION: _("Retention target, %"), KpiMetric.NPS: _("NPS target"),
    KpiMetric.UPSELL: _("Upsell rate target, %"), KpiMetric.RESPONSE_HOURS: _("First response target, business hours"),
    KpiMetric.REPORT_QUALITY: _("Report rating target, 1–5"),
    KpiMetric.REVENUE_GROWTH: _("Revenue per client growth target, %/year"),
}


class AgencySettingsForm(StyledFormMixin, forms.ModelForm):
    currency = forms.ChoiceField(label=_("Default currency"), choices=CURRENCY_CHOICES)
    timezone = forms.ChoiceField(label=_("Time zone"), choices=TIMEZONE_CHOICES)
    logo_upload = forms.ImageField(label=_("Logo"), required=False,
                                   help_text=_("PNG or JPEG, up to 1 MB. Shown on proposals, PDFs, reports and the portal."))
    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)

    class Meta:
        model = Agency
        fields = [
            "name", "brand_color", "accent_color", "currency", "vat_rate", "timezone", "business_hours_start",
            "business_hours_end", "work_days", "require_2fa", "no_contact_days", "portal_client_invites",
            "concentration_warning_share", "concentration_warning_hhi", "internal_hourly_cost",
        ]
        widgets = {
            "brand_color": forms.TextInput(attrs={"type": "color"}),
            "accent_color": forms.TextInput(attrs={"type": "color"}),
            "business_hours_start": IsoTimeInput(),
            "business_hours_end": IsoTimeInput(),
        }

    def __init__(self, *args, targets: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.KEEP_WHEN_EMPTY:
            self.fields[name].required = False
        # The agency-wide KPI targets are KpiTarget rows now; the fields keep their old names.
        for metric, value in (targets or {}).items():
            low, high = KPI_TARGET_RANGES[KpiMetric(metric)]
            self.fields[f"target_{metric}"] = forms.DecimalField(
                label=capfirst(TARGET_LABELS[metric]), max_digits=8, decimal_places=2, min_value=low, max_value=high,
                initial=value, widget=forms.NumberInput(attrs={"class": "form-control", "step": "0.01"}))

    # Added with the portfolio page: a form posted without them (an older page, a script) keeps the saved values.
    KEEP_WHEN_EMPTY = ("concentration_warning_share", "concentration_warning_hhi")

    def clean(self):
        data = super().clean()
        for name in self.KEEP_WHEN_EMPTY:
            if name in self.fields and data.get(name) is None and name not in self.errors:
                data[name] = getattr(self.instance, name)
        return data

    def targets(self) -> dict:
        return {name.removeprefix("target_"): value for name, value in self.cleaned_data.items()
                if name.startswith("target_")}

    def clean_logo_upload(self):
        logo = self.cleaned_data.get("logo_upload")
        if logo and logo.size > MAX_LOGO_BYTES:
            raise forms.ValidationError(_("The logo is larger than 1 MB."))
        if logo and getattr(logo, "content_type", "image/png") not in ("image/png", "image/jpeg", "image/webp"):
            raise forms.ValidationError(_("Upload a PNG, JPEG or WebP image."))
        return logo


class HolidayForm(StyledFormMixin, forms.Form):
    date = forms.DateField(label=_("Date"), widget=IsoDateInput())
    name = forms.CharField(label=_("Name"), max_length=120)


class InvitationForm(StyledFormMixin, forms.Form):
    email = forms.EmailField(label=_("E-mail"))
    role = forms.ChoiceField(label=_("Role"), choices=INVITABLE_ROLES, initial=Role.AM)


class MembershipForm(StyledFormMixin, forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=INVITABLE_ROLES)
    is_active = forms.BooleanField(label=_("Active"), required=False)


class AuditFilterForm(StyledFormMixin, forms.Form):
    actor = forms.ChoiceField(label=_("Who"), required=False)
    action = forms.ChoiceField(label=_("Action"), required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=IsoDateInput())
    date_to = forms.DateField(label=_("To"), required=False, widget=IsoDateInput())

    def __init__(self, *args, actors=(), actions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["actor"].choices = [("", _("Anyone"))] + [(str(m.user_id), m.user.full_name) for m in actors]
        # The codes are for machines: the dropdown shows each action's short label.
        self.fields["action"].choices = [("", _("Any action"))] + action_choices(actions)


class KpiTargetForm(StyledFormMixin, forms.Form):
    """A target for one AM or one client, or for a period, overriding the agency-wide one."""

    metric = forms.ChoiceField(label=_("Metric"), choices=KpiMetric.choices)
    value = forms.DecimalField(label=_("Target"), max_digits=8, decimal_places=2)
    user = forms.ModelChoiceField(label=_("Account manager"), queryset=None, required=False,
                                  empty_label=_("— everyone —"))
    client = forms.ModelChoiceField(label=_("Client"), queryset=None, required=False, empty_label=_("— every client —"))
    valid_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    valid_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, agency: Agency, **kwargs):
        from django.contrib.auth import get_user_model

        from clients.models import Client

        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = get_user_model().objects.filter(
            memberships__agency=agency, memberships__is_active=True,
            memberships__role__in=[Role.DIRECTOR, Role.AM]).order_by("full_name")
        self.fields["user"].label_from_instance = lambda user: user.full_name or user.email
        self.fields["client"].queryset = Client.objects.filter(agency=agency).order_by("name")

    def clean(self):
        data = super().clean()
        if data.get("user") and data.get("client"):
            self.add_error("client", _("A target is for an account manager or for a client, not both."))
        if data.get("valid_from") and data.get("valid_to") and data["valid_to"] < data["valid_from"]:
            self.add_error("valid_to", _("The period must end after it starts."))
        return data
