from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from clients.validators import clean_phone
from mrm.core.forms import StyledFormMixin


class ColleagueInviteForm(StyledFormMixin, forms.Form):
    full_name = forms.CharField(label=_("Colleague's name"), max_length=150)
    email = forms.EmailField(label=_("Their work e-mail"))


class PortalProfileForm(StyledFormMixin, forms.Form):
    """What a client contact edits about themselves (their login and their contact card at the agency)."""

    full_name = forms.CharField(label=_("Your name"), max_length=150)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)

    def clean_phone(self) -> str:
        return clean_phone(self.cleaned_data.get("phone", ""))  # the same rule as the contact card
