import math
import zoneinfo
from datetime import timedelta

from axes.helpers import get_cool_off, get_failure_limit
from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from mrm.core.forms import StyledFormMixin

from .emails import email_normalize
from .lockout import login_ip_wait
from .models import User

COMMON_TIMEZONES = sorted(
    tz for tz in zoneinfo.available_timezones() if tz.startswith(("Europe/", "Asia/", "America/", "Africa/"))
) + ["UTC"]
TIMEZONE_CHOICES = [(tz, tz.replace("_", " ")) for tz in COMMON_TIMEZONES]


IP_THROTTLED_MESSAGE = _("Too many failed logins from your network. Logging in from here is paused for "
                         "%(minutes)s min; no account is locked by this. Try again later.")


class AddressPauseMixin:
    """Password forms refuse while the client address is paused (mrm.accounts.lockout.login_ip_wait).

    Checked before the password, so a paused address learns nothing and a colleague's attempt from it does not
    count against their account."""

    ip_wait = 0

    def clean_username(self) -> str:
        return email_normalize(self.cleaned_data["username"])

    def clean(self):
        wait = login_ip_wait(self.request) if self.request is not None else 0
        if wait:
            self.ip_wait = wait
            raise forms.ValidationError(IP_THROTTLED_MESSAGE, code="ip_throttled",
                                        params={"minutes": math.ceil(wait / 60)})
        return super().clean()


class LoginForm(AddressPauseMixin, StyledFormMixin, AuthenticationForm):
    username = forms.EmailField(label=_("E-mail"), widget=forms.EmailInput(attrs={"autofocus": True,
                                                                                 "autocomplete": "email"}))
    error_messages = {
        "invalid_login": _("Wrong e-mail or password. After %(limit)s failed attempts the account is locked for "
                           "%(minutes)s minutes."),
        "inactive": _("This account is disabled."),
    }

    def get_invalid_login_error(self):
        """The limit and the lock's length as configured (AXES_FAILURE_LIMIT, AXES_COOLOFF_TIME), not as typed."""
        cool_off = get_cool_off(self.request) or timedelta(0)
        return forms.ValidationError(self.error_messages["invalid_login"], code="invalid_login", params={
            "limit": get_failure_limit(self.request, None),
            "minutes": max(1, math.ceil(cool_off.total_seconds() / 60)),
        })


class AdminLoginForm(AddressPauseMixin, AdminAuthenticationForm):
    """The Django admin's log-in under the same per-address pause (installed in AccountsConfig.ready)."""


class LoginVerifyForm(StyledFormMixin, forms.Form):
    token = forms.CharField(
        label=_("Code from your authenticator app, or a backup code"), max_length=20, min_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True, "autocapitalize": "off",
                                      "spellcheck": "false"}),
    )


class OTPTokenForm(StyledFormMixin, forms.Form):
    token = forms.CharField(
        label=_("Code from your authenticator app"), max_length=8, min_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


class SignupForm(StyledFormMixin, forms.Form):
    agency_name = forms.CharField(label=_("Agency name"), max_length=200,
                                  widget=forms.TextInput(attrs={"autofocus": True}))
    full_name = forms.CharField(label=_("Your name"), max_length=150)
    email = forms.EmailField(label=_("Work e-mail"), widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                               help_text=_("At least 10 characters, not only digits, not a common password."))


class InvitationAcceptForm(StyledFormMixin, forms.Form):
    full_name = forms.CharField(label=_("Your name"), max_length=150, widget=forms.TextInput(attrs={"autofocus": True}))
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                               help_text=_("At least 10 characters, not only digits, not a common password."))


class PortalInvitationAcceptForm(InvitationAcceptForm):
    """A client contact accepting a portal invitation: a password, or log-in links by e-mail only."""

    login_method = forms.ChoiceField(
        label=_("How do you want to log in?"), initial="password", widget=forms.RadioSelect,
        choices=[("password", _("With a password")), ("link", _("With a link sent to my e-mail each time"))])
    field_order = ["full_name", "login_method", "password"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].required = False
        self.fields["login_method"].widget.attrs["class"] = "form-check-input"

    def clean(self):
        data = super().clean()
        if data.get("login_method") == "password" and not data.get("password"):
            self.add_error("password", _("Choose a password, or log in with links by e-mail."))
        return data

    @property
    def chosen_password(self) -> str | None:
        return self.cleaned_data["password"] if self.cleaned_data["login_method"] == "password" else None


class MagicLinkForm(StyledFormMixin, forms.Form):
    email = forms.EmailField(label=_("E-mail"), widget=forms.EmailInput(attrs={"autofocus": True,
                                                                              "autocomplete": "email"}))


class ProfileForm(StyledFormMixin, forms.ModelForm):
    timezone = forms.ChoiceField(label=_("Time zone"), choices=TIMEZONE_CHOICES)
    photo = forms.ImageField(label=_("Photo"), required=False)

    class Meta:
        model = User
        fields = ["full_name", "position", "phone", "bio", "language", "timezone"]
        widgets = {"bio": forms.Textarea(attrs={"rows": 3})}

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if photo and photo.size > 2 * 1024 * 1024:
            raise forms.ValidationError(_("The photo is larger than 2 MB."))
        return photo


class ApiTokenForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("Key name"), max_length=80, initial=_("Integration"))


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=settings.LANGUAGES)
    next = forms.CharField(required=False)
