"""Forms of the client workspace: contacts, interactions, documents, invoices, duplicate-name check."""
from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mrm.core.forms import IsoDateInput, IsoDateTimeInput, StyledFormMixin

from .forms import ClientForm
from .forms_custom import CustomFieldsFormMixin
from .models import AgencyLegalDetails, ClientFile, Contact, Deal, Interaction, Invoice
from .requisites import check_accounts
from .uploads import ALLOWED_EXTENSIONS_TEXT, ALLOWED_TYPES, check_upload
from .validators import clean_phone, clean_telegram


class ClientCreateForm(ClientForm):
    confirm_duplicate = forms.BooleanField(label=_("Create anyway: this is a different company"), required=False)


class ContactForm(StyledFormMixin, CustomFieldsFormMixin, forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["full_name", "role", "position", "email", "phone", "telegram", "preferred_channel", "notes",
                  "is_primary"]
        widgets = {
            "notes": forms.Textarea(attrs={"rows": 2}),
            "phone": forms.TextInput(attrs={"type": "tel", "placeholder": "+7 (495) 123-45-67", "autocomplete": "off"}),
            "telegram": forms.TextInput(attrs={"placeholder": "@username", "autocomplete": "off"}),
            "email": forms.EmailInput(attrs={"placeholder": "name@company.ru", "autocomplete": "off"}),
        }
        help_texts = {"is_primary": _("The person we talk to by default; another primary contact is unmarked.")}

    def clean_phone(self) -> str:
        return clean_phone(self.cleaned_data.get("phone", ""))

    def clean_telegram(self) -> str:
        return clean_telegram(self.cleaned_data.get("telegram", ""))


class _ResultCacheChoices(forms.models.ModelChoiceIterator):
    """Choices drawn from the field's queryset itself (its result cache) instead of `.iterator()`: the log form
    asks whether the client has contacts, then draws them, in one query instead of two (one a server-side
    cursor)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)


class InteractionForm(StyledFormMixin, forms.ModelForm):
    occurred_at = forms.DateTimeField(label=_("When"), required=False, input_formats=["%Y-%m-%dT%H:%M"],
                                      widget=IsoDateTimeInput())
    # Querysets are set per client in __init__ (scoped managers cannot run at import time).
    contacts = forms.ModelMultipleChoiceField(label=_("Participants"), queryset=None,
                                              required=False, widget=forms.CheckboxSelectMultiple)
    reply_to = forms.ModelChoiceField(queryset=None, required=False,
                                      widget=forms.HiddenInput)

    class Meta:
        model = Interaction
        fields = ["kind", "direction", "occurred_at", "subject", "summary", "contacts", "is_unplanned",
                  "is_extra_revision", "is_urgent", "needs_reply", "duration_minutes"]
        widgets = {"kind": forms.RadioSelect, "summary": forms.Textarea(attrs={"rows": 2})}
        labels = {"summary": _("What happened")}

    def __init__(self, *args, client, agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contacts"].iterator = _ResultCacheChoices  # before the queryset, which hands it to the widget
        self.fields["contacts"].queryset = Contact.objects.filter(agency=agency, client=client)
        self.fields["reply_to"].queryset = Interaction.objects.filter(agency=agency, client=client,
                                                                      direction=Interaction.Direction.INBOUND)
        self.fields["summary"].required = True
        self.fields["direction"].required = False  # the service picks it from the kind (notes are internal)
        self.fields["summary"].error_messages["required"] = _("Say in a few words what happened.")
        self.fields["kind"].widget.attrs["class"] = "btn-check"
        self.fields["contacts"].widget.attrs["class"] = "form-check-input"

    def clean_occurred_at(self):
        value = self.cleaned_data.get("occurred_at") or (self.instance.occurred_at if self.instance.pk else None)
        if value and value > timezone.now() + timedelta(hours=1):
            raise forms.ValidationError(_("That is in the future: plan meetings as tasks, log them when they happen."))
        return value

    def clean(self):
        data = super().clean()
        reply_to = data.get("reply_to")
        if reply_to is not None:
            data["direction"] = Interaction.Direction.OUTBOUND  # answering is always towards the client
        return data


class ClientFileForm(StyledFormMixin, forms.Form):
    file = forms.FileField(label=_("File"), help_text=_("Up to 20 MB: %(types)s.") % {"types": ALLOWED_EXTENSIONS_TEXT},
                           widget=forms.ClearableFileInput(attrs={
                               "accept": ",".join("." + ext for ext in ALLOWED_TYPES)}))
    name = forms.CharField(label=_("Name"), max_length=200, required=False,
                           help_text=_("Leave empty to use the file name."))
    kind = forms.ChoiceField(label=_("Type"), choices=ClientFile.Kind.choices, initial=ClientFile.Kind.OTHER,
                             widget=forms.Select(attrs={"class": "form-select-sm"}))

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        self.extension, self.content_type = check_upload(upload)
        return upload


class InvoiceForm(StyledFormMixin, forms.ModelForm):
    deal = forms.ModelChoiceField(label=_("Deal"), queryset=None, required=False)

    class Meta:
        model = Invoice
        fields = ["kind", "number", "status", "issued_on", "due_on", "paid_on", "amount", "vat_rate", "deal",
                  "description"]
        widgets = {f: IsoDateInput()
                   for f in ("issued_on", "due_on", "paid_on")}
        help_texts = {
            "paid_on": _("Set when the money came in; marking the invoice paid fills in today."),
            "vat_rate": _("Your agency's rate unless you change it; VAT and total are calculated on save."),
        }

    def __init__(self, *args, client, agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deal"].queryset = Deal.objects.filter(agency=agency, client=client)
        self.fields["vat_rate"].required = False
        self.fields["number"].required = False
        self.fields["number"].help_text = _("Leave empty to take the next number of this year.")
        self.fields["amount"].widget.attrs.update({"inputmode": "decimal", "step": "0.01", "min": "0"})
        if not self.instance.pk and not self.is_bound:
            self.initial.setdefault("vat_rate", agency.vat_rate)
            self.initial.setdefault("issued_on", timezone.localdate())
            self.initial.setdefault("due_on", timezone.localdate() + timedelta(days=10))

    def clean_number(self) -> str:
        number = " ".join(self.cleaned_data.get("number", "").split())
        if not number and not self.instance._state.adding:
            raise forms.ValidationError(_("An issued document keeps its number."))
        return number

    def clean_vat_rate(self):
        value = self.cleaned_data.get("vat_rate")
        if value is not None and not 0 <= value <= 100:
            raise forms.ValidationError(_("VAT is a percentage from 0 to 100."))
        return value


class InvoiceSendForm(StyledFormMixin, forms.Form):
    contacts = forms.ModelMultipleChoiceField(label=_("Send to"), queryset=None, widget=forms.CheckboxSelectMultiple,
                                              error_messages={"required": _("Choose at least one contact.")})
    message = forms.CharField(label=_("Message"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, contacts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contacts"].queryset = contacts
        self.fields["contacts"].label_from_instance = lambda c: f"{c.full_name} <{c.email}>"
        self.fields["contacts"].widget.attrs["class"] = "form-check-input"


class InvoiceExportForm(StyledFormMixin, forms.Form):
    date_from = forms.DateField(label=_("Issued from"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    date_to = forms.DateField(label=_("to"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("The end of the period is before its start."))
        return data


class LegalDetailsForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = AgencyLegalDetails
        fields = ["legal_name", "inn", "kpp", "ogrn", "legal_address", "bank_name", "bik", "correspondent_account",
                  "settlement_account", "signatory_title", "signatory_name", "accountant_name", "vat_mode"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("inn", "kpp", "ogrn", "bik", "correspondent_account", "settlement_account"):
            self.fields[name].widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})

    def clean(self):
        data = super().clean()
        for field, message in check_accounts(bik=data.get("bik", ""), settlement=data.get("settlement_account", ""),
                                             correspondent=data.get("correspondent_account", "")).items():
            if field not in self.errors:
                self.add_error(field, message)
        inn = data.get("inn") or ""
        if len(inn) == 10 and not data.get("kpp") and "kpp" not in self.errors:
            self.add_error("kpp", _("A company (10-digit INN) has a KPP: enter its 9 digits."))
        return data
