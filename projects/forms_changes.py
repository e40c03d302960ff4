"""Forms of change requests: staff (create, edit, lines, send, a decision taken by phone) and the portal."""
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clients.models import Contact
from mrm.core.forms import StyledFormMixin
from proposals.forms import ContactChoiceField  # the same "name — e-mail, position" choice as sending a КП
from proposals.models import RateRole

from .models import ChangeRequest

HOURS_FIELD = {"max_digits": 6, "decimal_places": 1, "min_value": Decimal("0.5"), "max_value": Decimal("5000")}


class ChangeRequestCreateForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("What the client asks for"), max_length=200)
    description = forms.CharField(label=_("What changes and why"), required=False, max_length=5000,
                                  widget=forms.Textarea(attrs={"rows": 3}))


class ChangeRequestUpdateForm(ChangeRequestCreateForm):
    discount_percent = forms.DecimalField(label=_("Discount, %"), max_digits=5, decimal_places=2, min_value=0,
                                          max_value=100, required=False)
    discount_reason = forms.CharField(label=_("Reason for the discount"), max_length=255, required=False)

    def clean(self):
        data = super().clean()
        if data.get("discount_percent") and not (data.get("discount_reason") or "").strip():
            self.add_error("discount_reason", _("Say why there is a discount: it is shown to the director."))
        return data


class LineForm(StyledFormMixin, forms.Form):
    role = forms.ModelChoiceField(label=_("Role"), queryset=RateRole.objects.none())
    description = forms.CharField(label=_("Work"), max_length=300)
    hours = forms.DecimalField(label=_("Hours"), **HOURS_FIELD)

    def __init__(self, *args, agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].queryset = RateRole.objects.filter(agency=agency, is_active=True)


class LineUpdateForm(forms.Form):
    role = forms.ModelChoiceField(queryset=RateRole.objects.none(), required=False)
    description = forms.CharField(max_length=300, required=False)
    hours = forms.DecimalField(**HOURS_FIELD)

    def __init__(self, *args, agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].queryset = RateRole.objects.filter(agency=agency)


class SendForm(StyledFormMixin, forms.Form):
    contacts = ContactChoiceField(label=_("Send to"), queryset=Contact.objects.none(), widget=forms.CheckboxSelectMultiple)
    message = forms.CharField(label=_("Personal message"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, contacts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contacts"].queryset = contacts
        self.fields["contacts"].widget.attrs["class"] = "form-check-input"


class RecordDecisionForm(StyledFormMixin, forms.Form):
    """Staff write down an answer the client gave outside the portal: which, who, when, how."""

    decision = forms.ChoiceField(label=_("The client's answer"),
                                 choices=[("approve", _("Approved")), ("decline", _("Declined"))],
                                 widget=forms.RadioSelect)
    contact = forms.ModelChoiceField(label=_("Who at the client answered"), queryset=Contact.objects.none())
    via = forms.ChoiceField(label=_("How"), choices=[c for c in ChangeRequest.DecidedVia.choices
                                                     if c[0] != ChangeRequest.DecidedVia.PORTAL])
    decided_at = forms.DateTimeField(label=_("When"), required=False,
                                     help_text=_("Empty: now."))
    note = forms.CharField(label=_("Note"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 3}))
    content_hash = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, contacts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = contacts
        self.fields["decision"].widget.attrs["class"] = "form-check-input"

    def clean_decided_at(self):
        value = self.cleaned_data.get("decided_at")
        if value and value > timezone.now():
            raise forms.ValidationError(_("The answer cannot come from the future."))
        return value


class PortalDecisionForm(forms.Form):
    """The client's answer in the portal: approving is deliberate (the box ticked), declining says why."""

    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("decline", _("Decline"))])
    confirm = forms.BooleanField(
        label=_("I approve this change of scope and its price on behalf of my company"), required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))
    note = forms.CharField(label=_("Comment"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}))
    content_hash = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def clean(self):
        data = super().clean()
        if data.get("decision") == "approve" and not data.get("confirm"):
            self.add_error("confirm", _("Tick the box to confirm that you approve the change."))
        if data.get("decision") == "decline" and not (data.get("note") or "").strip():
            self.add_error("note", _("Tell the agency why: a short note helps them offer something that fits."))
        return data


class ScopeForm(forms.Form):
    """Mark (or unmark) a task of the project as extra work outside the agreed scope."""

    task = forms.UUIDField()
    out_of_scope = forms.BooleanField(required=False)
