from datetime import timedelta

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mrm.core.forms import StyledFormMixin

from . import channels
from .importing import FIELDS
from .models import DataSource, MetricImport
from .selectors import Period

ALLOWED_EXTENSIONS = (".csv", ".txt", ".xlsx")
MAX_PERIOD_DAYS = 731


class SourceForm(StyledFormMixin, forms.Form):
    client = forms.ModelChoiceField(label=_("Client"), queryset=None)
    kind = forms.ChoiceField(label=_("Type"), choices=DataSource.Kind.choices, initial=DataSource.Kind.FILE)
    name = forms.CharField(label=_("Name"), max_length=200)
    currency = forms.CharField(label=_("Currency"), max_length=3, initial="RUB")
    accounts = forms.CharField(label=_("Accounts"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                               help_text=_("Ad account logins or ids, one per line (for the connectors)."))
    counters = forms.CharField(label=_("Metrica counters"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                               help_text=_("Counter numbers, one per line."))
    campaigns = forms.CharField(label=_("Campaigns"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                help_text=_("Campaign ids to read, one per line; empty: all campaigns."))
    status = forms.ChoiceField(label=_("Status"), choices=DataSource.Status.choices, initial=DataSource.Status.ACTIVE)

    def __init__(self, *args, clients, instance: DataSource | None = None, **kwargs):
        if instance is not None:
            kwargs.setdefault("initial", {}).update(
                client=instance.client_id, kind=instance.kind, name=instance.name, currency=instance.currency,
                accounts="\n".join(instance.accounts), counters="\n".join(instance.counters),
                campaigns="\n".join(instance.campaigns), status=instance.status)
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = clients
        if instance is not None:
            del self.fields["client"]  # a source stays with its client
        else:
            del self.fields["status"]

    def clean_currency(self):
        value = self.cleaned_data["currency"].strip().upper()
        if len(value) != 3 or not value.isalpha():
            raise forms.ValidationError(_("Use a three-letter currency code like RUB."))
        return value


class UploadForm(StyledFormMixin, forms.Form):
    file = forms.FileField(label=_("File"), widget=forms.ClearableFileInput(attrs={"accept": ",".join(ALLOWED_EXTENSIONS)}))

    def __init__(self, *args, **kwargs):
        from .services.importing import max_bytes

        super().__init__(*args, **kwargs)
        # The limit is a setting (MRM_REPORTING_IMPORT_MAX_BYTES): the hint says the one in force.
        self.fields["file"].help_text = _("CSV or Excel .xlsx with one row per day (and campaign), up to "
                                          "%(limit)s.") % {"limit": filesizeformat(max_bytes())}

    def clean_file(self):
        from mrm.core import uploads

        from .services.importing import max_bytes

        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if name.endswith(".xls"):
            raise forms.ValidationError(_("Old Excel .xls files are not supported: open the file in Excel and save "
                                          "it as .xlsx or CSV."))
        # The shared upload check (size, extension, content matching it); the import's reader then checks the
        # encoding and, for .xlsx, the zip directory (zip bombs) before anything is stored.
        uploads.check_upload(upload, allowed=("csv", "txt", "xlsx"), max_size=max_bytes())
        return upload


class MappingForm(StyledFormMixin, forms.Form):
    """One select per column of the file (`col_<index>`), the currency and the channel of rows without one."""

    currency = forms.CharField(label=_("Currency of the figures"), max_length=3,
                               help_text=_("Used for rows without a currency column."))
    channel = forms.CharField(label=_("Channel of rows without one"), max_length=60, required=False,
                              help_text=_("For example Яндекс Директ or VK Реклама."))

    def __init__(self, *args, item: MetricImport, **kwargs):
        initial = {f"col_{i}": k for i, k in item.mapping.items()}
        initial.update(currency=item.currency, channel=channels.label(item.channel) if item.channel else "")
        super().__init__(*args, initial=initial, **kwargs)
        self.item = item
        choices = [("", _("— do not import —"))] + [(f.key, f.label) for f in FIELDS]
        self.columns = []
        for i, header in enumerate(item.headers):
            name = f"col_{i}"
            self.fields[name] = forms.ChoiceField(label=header or _("Column %(n)s") % {"n": i + 1}, choices=choices,
                                                  required=False)
            self.fields[name].widget.attrs["class"] = "form-select form-select-sm"
            self.columns.append((i, name))

    def column_fields(self):
        return [(i, self[name]) for i, name in self.columns]

    @property
    def mapping(self) -> dict[str, str]:
        return {str(i): self.cleaned_data.get(name) for i, name in self.columns if self.cleaned_data.get(name)}

    def clean_currency(self):
        value = self.cleaned_data["currency"].strip().upper()
        if len(value) != 3 or not value.isalpha():
            raise forms.ValidationError(_("Use a three-letter currency code like RUB."))
        return value


class PeriodForm(forms.Form):
    """The period of the metrics page (GET): the last 30 days by default, at most two years."""

    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    currency = forms.CharField(required=False, max_length=3)

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        date_to = data.get("date_to") or today
        date_from = data.get("date_from") or date_to - timedelta(days=29)
        if date_from > date_to:
            raise forms.ValidationError(_("The start of the period is after its end."))
        if (date_to - date_from).days >= MAX_PERIOD_DAYS:
            raise forms.ValidationError(_("Choose a period of at most two years."))
        data["period"] = Period(date_from, date_to)
        return data

    @staticmethod
    def default() -> Period:
        today = timezone.localdate()
        return Period(today - timedelta(days=29), today)
