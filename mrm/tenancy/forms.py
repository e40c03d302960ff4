from django import forms
from django.utils.translation import gettext_lazy as _

from mrm.accounts.forms import TIMEZONE_CHOICES
from mrm.core.forms import IsoDateInput, IsoTimeInput, StyledFormMixin

from .models import Agency, Role

CURRENCY_CHOICES = [("RUB", "₽ RUB"), ("USD", "$ USD"), ("EUR", "€ EUR"), ("KZT", "₸ KZT"), ("BYN", "Br BYN")]
INVITABLE_ROLES = [(r.value, r.label) for r in (Role.DIRECTOR, Role.AM, Role.SPECIALIST)]
MAX_LOGO_BYTES = 1024 * 1024


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
            "business_hours_end", "work_days", "require_2fa", "no_contact_days", "target_retention", "target_nps",
            "target_upsell", "target_response_hours", "target_report_quality", "target_revenue_growth",
        ]
        widgets = {
            "brand_color": forms.TextInput(attrs={"type": "color"}),
            "accent_color": forms.TextInput(attrs={"type": "color"}),
            "business_hours_start": IsoTimeInput(),
            "business_hours_end": IsoTimeInput(),
        }

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
        self.fields["action"].choices = [("", _("Any action"))] + [(a, a) for a in actions]
