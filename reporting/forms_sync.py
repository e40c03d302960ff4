"""Forms of the connector pages: the connection (tokens, accounts, counters, campaigns) and a sync's period."""
from django import forms
from django.utils.translation import gettext_lazy as _

from mrm.core.forms import StyledFormMixin

from .models import DataSource

SECRET = forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"})


class ConnectionForm(StyledFormMixin, forms.Form):
    """Blank secret fields keep what is saved; the fields that do not apply to the source's kind are dropped."""

    access_token = forms.CharField(label=_("OAuth access token"), required=False, max_length=4000, widget=SECRET)
    refresh_token = forms.CharField(label=_("Refresh token"), required=False, max_length=4000, widget=SECRET,
                                    help_text=_("VK Ads renews the access token with it when it expires."))
    client_id = forms.CharField(label=_("App client id"), required=False, max_length=200)
    client_secret = forms.CharField(label=_("App client secret"), required=False, max_length=4000, widget=SECRET)
    accounts = forms.CharField(label=_("Client logins (Client-Login)"), required=False,
                               widget=forms.Textarea(attrs={"rows": 2}),
                               help_text=_("For an agency token: the client's Direct login, one per line. Empty: "
                                           "the token's own account."))
    counters = forms.CharField(label=_("Metrica counters"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                               help_text=_("Counter numbers, one per line."))
    campaigns = forms.CharField(label=_("Campaigns of this client"), required=False,
                                widget=forms.Textarea(attrs={"rows": 3}),
                                help_text=_("Campaign ids (VK Ads: ad plan ids), one per line; empty: every "
                                            "campaign of the account."))

    KEEP = {DataSource.Kind.YANDEX_DIRECT: ("access_token", "accounts", "campaigns"),
            DataSource.Kind.YANDEX_METRICA: ("access_token", "counters"),
            DataSource.Kind.VK_ADS: ("access_token", "refresh_token", "client_id", "client_secret", "campaigns")}

    def __init__(self, *args, source: DataSource, credential=None, **kwargs):
        kwargs.setdefault("initial", {}).update(
            accounts="\n".join(source.accounts), counters="\n".join(source.counters),
            campaigns="\n".join(source.campaigns), client_id=getattr(credential, "client_id", ""))
        super().__init__(*args, **kwargs)
        keep = self.KEEP.get(source.kind, ())
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        if credential is None or not credential.token_hint:
            if "access_token" in self.fields and source.kind != DataSource.Kind.VK_ADS:
                self.fields["access_token"].required = True
        else:
            self.fields["access_token"].help_text = _("Saved (%(hint)s). Leave empty to keep it.") % {
                "hint": credential.token_hint}

    def clean(self):
        data = super().clean()
        if "counters" in self.fields and not (data.get("counters") or "").strip():
            self.add_error("counters", _("Add at least one counter number."))
        return data

    def credentials(self) -> dict:
        """What to save: secrets only when typed (blank keeps the saved one), the client id as given."""
        data = {k: self.cleaned_data[k] for k in ("access_token", "refresh_token", "client_secret")
                if self.cleaned_data.get(k)}
        if "client_id" in self.fields:
            data["client_id"] = self.cleaned_data.get("client_id", "")
        return data

    def source_data(self) -> dict:
        return {k: self.cleaned_data[k] for k in ("accounts", "counters", "campaigns") if k in self.fields}


class SyncForm(StyledFormMixin, forms.Form):
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
