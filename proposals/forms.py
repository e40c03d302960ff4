from decimal import Decimal

from django import forms
from django.contrib.auth import get_user_model
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from mrm.core.forms import IsoDateInput, PlainNumberInput, StyledFormMixin
from mrm.core.uploads import check_upload
from mrm.tenancy.models import Membership, Role

from .models import Billing, Brief, BriefTemplate, Case, Discipline, ProposalSettings, RateRole, Service

IMAGE_MAX_BYTES = 5 * 1024 * 1024
IMAGE_TYPES = {"image/jpeg", "image/png", "image/webp"}


def check_image(upload) -> None:
    """Clear errors for case images and similar uploads: type and size."""
    if upload is None:
        return
    if upload.size > IMAGE_MAX_BYTES:
        raise forms.ValidationError(_("The image is %(mb).1f MB; the limit is 5 MB. Save it smaller and try again.")
                                    % {"mb": upload.size / 1024 / 1024})
    content_type = getattr(upload, "content_type", "") or ""
    if content_type and content_type not in IMAGE_TYPES:
        raise forms.ValidationError(_("Use a JPEG, PNG or WebP image."))


def staff_users(agency):
    return get_user_model().objects.filter(
        pk__in=Membership.objects.filter(agency=agency, is_active=True).exclude(role=Role.CLIENT).values("user_id")
    ).order_by("full_name")


class RoleForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = RateRole
        fields = ["name", "hourly_rate", "cost_rate", "order", "is_active"]
        help_texts = {"hourly_rate": _("What the client pays for an hour, without VAT."),
                      "cost_rate": _("What an hour costs the agency (salary and overhead); never shown to clients.")}


class ServiceForm(StyledFormMixin, forms.ModelForm):
    roles = forms.ModelMultipleChoiceField(label=_("Delivered by"), queryset=RateRole.objects.none(),
                                           widget=forms.CheckboxSelectMultiple, required=False,
                                           help_text=_("Needed for a service priced by time."))

    class Meta:
        model = Service
        fields = ["discipline", "name", "description", "price_kind", "price", "commission_percent", "unit",
                  "hours_min", "hours_max", "roles", "order", "is_active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3}), "price": PlainNumberInput(),
                   "commission_percent": PlainNumberInput(),
                   "hours_min": PlainNumberInput(), "hours_max": PlainNumberInput()}

    def __init__(self, *args, agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["roles"].queryset = RateRole.objects.filter(agency=agency).order_by("order", "name")
        self.fields["roles"].widget.attrs["class"] = "form-check-input"
        for name in ("price_kind", "price", "commission_percent"):  # absent: a time service without a price
            self.fields[name].required = False

    def clean(self):
        data = super().clean()
        data["price_kind"] = data.get("price_kind") or "time"
        for name in ("price", "commission_percent"):
            if data.get(name) is None and name not in self.errors:
                data[name] = Decimal("0")
        low, high = data.get("hours_min"), data.get("hours_max")
        if low is not None and high is not None and low > high:
            self.add_error("hours_max", _("“Hours from” must not be more than “hours to”."))
        kind = data.get("price_kind")
        if kind == "time" and "roles" in data and not data.get("roles"):
            self.add_error("roles", _("Choose at least one role that delivers this service."))
        if kind in ("fixed", "quantity") and not (data.get("price") or 0) > 0:
            self.add_error("price", _("A package or a per-piece service needs its price."))
        return data


class ProposalSettingsForm(StyledFormMixin, forms.ModelForm):
    followup_days = forms.CharField(label=_("Follow up after, days"),
                                    help_text=_("Comma-separated, e.g. 3, 7, 14, 30, 90."))
    brief_owner = forms.ModelChoiceField(label=_("New briefs from unknown companies go to"), required=False,
                                         queryset=get_user_model().objects.none())

    class Meta:
        model = ProposalSettings
        fields = ["vat_mode", "followup_days", "validity_days", "default_terms", "brief_owner", "brief_intro",
                  "brief_form_enabled"]
        widgets = {"default_terms": forms.Textarea(attrs={"rows": 5}), "brief_intro": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["brief_owner"].queryset = get_user_model().objects.filter(
            pk__in=Membership.objects.filter(agency=agency, is_active=True, role__in=[Role.DIRECTOR, Role.AM])
            .values("user_id"))
        self.fields["vat_mode"].required = False
        if self.instance and not self.is_bound:
            self.initial["followup_days"] = ", ".join(str(d) for d in self.instance.followup_days)

    def clean_vat_mode(self):
        return self.cleaned_data.get("vat_mode") or self.instance.vat_mode or "excl"

    def clean_followup_days(self):
        from mrm.core.errors import ServiceError

        from .services.catalog import parse_followup_days

        try:
            return parse_followup_days(self.cleaned_data["followup_days"])
        except ServiceError as exc:
            raise forms.ValidationError(exc.message) from exc


class BriefTemplateForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = BriefTemplate
        fields = ["name", "discipline", "intro", "questions", "order", "is_active"]
        widgets = {"intro": forms.Textarea(attrs={"rows": 2}), "questions": forms.Textarea(attrs={"rows": 6})}


class CaseForm(StyledFormMixin, forms.ModelForm):
    image_upload = forms.ImageField(label=_("Image"), required=False,
                                    help_text=_("JPEG, PNG or WebP, up to 5 MB."))
    remove_image = forms.BooleanField(label=_("Remove the image"), required=False)

    class Meta:
        model = Case
        fields = ["title", "kind", "client_name", "discipline", "description", "result"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def clean_image_upload(self):
        upload = self.cleaned_data.get("image_upload")
        check_image(upload)
        return upload


# --- briefs -------------------------------------------------------------------------------------

ATTACHMENT_MAX_FILES = 5
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
ATTACHMENT_MAX_TOTAL = 25 * 1024 * 1024
ATTACHMENT_EXTENSIONS = ("pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "key", "txt", "rtf", "odt", "png",
                         "jpg", "jpeg", "webp", "zip")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"multiple": True}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


def check_attachments(files: list) -> list:
    """Count, size and type limits for brief attachments, with errors that say how to fix them. Each file goes
    through the app's one upload check (extension and content must agree: mrm.core.uploads); the content type
    it recognised replaces whatever the browser claimed, so that is what is stored and served."""
    errors = []
    if len(files) > ATTACHMENT_MAX_FILES:
        errors.append(_("Attach at most %(n)d files (you chose %(got)d). Zip them or send the rest by e-mail.")
                      % {"n": ATTACHMENT_MAX_FILES, "got": len(files)})
    total = 0
    for f in files:
        total += f.size
        try:
            _ext, f.content_type = check_upload(f, allowed=ATTACHMENT_EXTENSIONS, max_size=ATTACHMENT_MAX_BYTES)
        except forms.ValidationError as exc:
            errors.extend(exc.messages)
    if total > ATTACHMENT_MAX_TOTAL:
        errors.append(_("The files together are %(mb).1f MB; the limit is 25 MB.") % {"mb": total / 1024 / 1024})
    if errors:
        raise forms.ValidationError(errors)
    return files


class BriefForm(StyledFormMixin, forms.Form):
    """The brief: the same fields on the public form and for an AM filling it in; template questions are added."""

    company_name = forms.CharField(label=_("Company or brand"), max_length=200)
    website = forms.CharField(label=_("Website"), max_length=300, required=False)
    contact_name = forms.CharField(label=_("Your name"), max_length=150)
    contact_position = forms.CharField(label=_("Position"), max_length=120, required=False)
    contact_email = forms.EmailField(label=_("E-mail"))
    contact_phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    goals = forms.CharField(label=_("What do you want to achieve?"), max_length=4000,
                            widget=forms.Textarea(attrs={"rows": 4}),
                            help_text=_("Business goals and the numbers that would mean success."))
    audience = forms.CharField(label=_("Who are your customers?"), max_length=3000, required=False,
                               widget=forms.Textarea(attrs={"rows": 3}))
    channels = forms.MultipleChoiceField(label=_("Services you are interested in"), choices=Discipline.choices,
                                         required=False, widget=forms.CheckboxSelectMultiple)
    budget = forms.ChoiceField(label=_("Budget"), choices=Brief.Budget.choices, required=False)
    deadline = forms.DateField(label=_("Deadline"), required=False, widget=IsoDateInput())
    links = forms.CharField(label=_("Links"), max_length=2000, required=False,
                            widget=forms.Textarea(attrs={"rows": 2}),
                            help_text=_("Brand book, current campaigns, competitors you like."))
    attachments = MultipleFileField(label=_("Files"), required=False,
                                    help_text=_("Up to 5 files, 10 MB each, 25 MB in total."))

    def __init__(self, *args, template: BriefTemplate | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.template = template
        self.question_fields = []
        for i, question in enumerate(template.question_list if template else []):
            name = f"q_{i}"
            self.fields[name] = forms.CharField(label=question, required=False, max_length=2000,
                                                widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}))
            self.question_fields.append(name)
        self.fields["channels"].widget.attrs["class"] = "form-check-input"

    @property
    def questions(self):
        return [self[name] for name in self.question_fields]

    def clean_attachments(self):
        return check_attachments(self.cleaned_data.get("attachments") or [])

    def brief_data(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k != "attachments" and not k.startswith("q_")}
        data["answers"] = [{"question": self.fields[n].label, "answer": self.cleaned_data.get(n, "")}
                           for n in self.question_fields if self.cleaned_data.get(n)]
        return data


class PublicBriefForm(BriefForm):
    # Humans never see this field (it is off-screen and skipped by the keyboard); bots fill it in.
    nickname = forms.CharField(required=False, label=_("Leave this field empty"),
                               widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}))
    form_token = forms.CharField(widget=forms.HiddenInput)
    consent = forms.BooleanField(label=_("I agree that the agency processes these details to answer my request."))


class PortalBriefForm(BriefForm):
    """The brief a client login sends from the portal: its company and e-mail are known (shown, not editable);
    the rest is the same form as the public one."""

    def __init__(self, *args, company, contact, email: str, **kwargs):
        initial = {"company_name": company.name, "website": company.website, "contact_name": contact.full_name,
                   "contact_position": contact.position, "contact_email": email, "contact_phone": contact.phone,
                   **kwargs.pop("initial", {})}
        super().__init__(*args, initial=initial, **kwargs)
        for name in ("company_name", "contact_email"):
            self.fields[name].disabled = True


class InternalBriefForm(BriefForm):
    client = forms.ModelChoiceField(label=_("Client"), queryset=None, required=False,
                                    help_text=_("Leave empty to find or create the client by company name."))
    template = forms.ModelChoiceField(label=_("Brief type"), queryset=BriefTemplate.objects.none(), required=False)

    def __init__(self, *args, clients, templates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = clients
        self.fields["template"].queryset = templates
        self.order_fields(["client", "template"])


# --- proposals ----------------------------------------------------------------------------------

class ProposalCreateForm(StyledFormMixin, forms.Form):
    client = forms.ModelChoiceField(label=_("Client"), queryset=None)
    title = forms.CharField(label=_("Title"), max_length=200)

    def __init__(self, *args, clients, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = clients


class CoverForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    issued_on = forms.DateField(label=_("Date"), widget=IsoDateInput())
    valid_until = forms.DateField(label=_("Valid until"),
                                  widget=IsoDateInput())

    def clean(self):
        data = super().clean()
        if data.get("issued_on") and data.get("valid_until") and data["valid_until"] < data["issued_on"]:
            self.add_error("valid_until", _("The proposal must stay valid at least until its date."))
        return data


class TermsForm(StyledFormMixin, forms.Form):
    terms = forms.CharField(label=_("Terms"), required=False, max_length=8000,
                            widget=forms.Textarea(attrs={"rows": 6}))


class SectionForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("Heading"), max_length=200)
    body = forms.CharField(label=_("Text"), required=False, max_length=20000, widget=forms.Textarea(attrs={"rows": 6}))


HOURS_FIELD = {"max_digits": 8, "decimal_places": 1,
               "validators": [MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("5000"))]}


class LineAddForm(StyledFormMixin, forms.Form):
    service = forms.ModelChoiceField(label=_("Service"), queryset=Service.objects.none())
    role = forms.ModelChoiceField(label=_("Role"), queryset=RateRole.objects.none(), required=False,
                                  help_text=_("Empty: the first role that delivers the service."))
    hours = forms.DecimalField(label=_("Hours"), required=False, **HOURS_FIELD,
                               help_text=_("Empty: the middle of the service's usual range."))
    stage = forms.CharField(label=_("Stage"), max_length=120, required=False)
    quantity = forms.DecimalField(label=_("Quantity"), max_digits=10, decimal_places=2, min_value=Decimal("0.01"),
                                  max_value=Decimal("100000"), required=False)
    budget = forms.DecimalField(label=_("Media budget"), max_digits=14, decimal_places=2, min_value=Decimal("0"),
                                required=False)

    def __init__(self, *args, agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = Service.objects.filter(agency=agency, is_active=True)
        self.fields["role"].queryset = RateRole.objects.filter(agency=agency, is_active=True)


MONEY_FIELD = {"max_digits": 12, "decimal_places": 2, "min_value": Decimal("0"), "required": False}


class LineUpdateForm(forms.Form):
    """One row of the editor's estimate: only the fields of the line's kind are posted; absent means unchanged."""

    hours = forms.DecimalField(label=_("Hours"), required=False, **HOURS_FIELD)
    role = forms.ModelChoiceField(label=_("Role"), queryset=RateRole.objects.none(), required=False)
    stage = forms.CharField(label=_("Stage"), max_length=120, required=False)
    quantity = forms.DecimalField(label=_("Quantity"), max_digits=10, decimal_places=2, min_value=Decimal("0.01"),
                                  max_value=Decimal("100000"), required=False)
    budget = forms.DecimalField(label=_("Media budget"), **MONEY_FIELD)
    commission_percent = forms.DecimalField(label=_("Commission, %"), max_digits=5, decimal_places=2,
                                            min_value=0, max_value=100, required=False)
    fee = forms.DecimalField(label=_("Fixed fee"), **MONEY_FIELD)
    billing = forms.ChoiceField(label=_("Billing"), choices=Billing.choices, required=False)
    months = forms.IntegerField(label=_("Months"), min_value=1, max_value=60, required=False)
    optional = forms.ChoiceField(label=_("Optional item"), choices=[("", "—"), ("0", _("Included")),
                                                                      ("1", _("Optional for the client"))],
                                 required=False)

    def changes(self) -> dict:
        """The service's keyword arguments for what was posted (a field not in the POST is not changed)."""
        data = self.cleaned_data
        out = {name: data.get(name) for name in ("hours", "quantity", "budget", "commission_percent", "fee")
               if name in self.data and data.get(name) is not None}
        out["role"] = data.get("role")
        out["stage"] = data.get("stage")
        if "billing" in self.data and data.get("billing"):
            out["billing"], out["months"] = data["billing"], data.get("months")
        if data.get("optional") in ("0", "1"):
            out["optional"] = data["optional"] == "1"
        return out

    def __init__(self, *args, agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].queryset = RateRole.objects.filter(agency=agency)


class DiscountForm(StyledFormMixin, forms.Form):
    discount_percent = forms.DecimalField(label=_("Discount, %"), max_digits=5, decimal_places=2, min_value=0,
                                          max_value=100)
    discount_reason = forms.CharField(label=_("Reason"), max_length=255, required=False)

    def clean(self):
        data = super().clean()
        if data.get("discount_percent") and not (data.get("discount_reason") or "").strip():
            self.add_error("discount_reason", _("Say why there is a discount: it is shown to the director."))
        return data


class TeamAddForm(StyledFormMixin, forms.Form):
    user = forms.ModelChoiceField(label=_("Person"), queryset=None)
    role_title = forms.CharField(label=_("Role in this project"), max_length=120, required=False)

    def __init__(self, *args, agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = staff_users(agency)


class CasesForm(forms.Form):
    cases = forms.ModelMultipleChoiceField(label=_("Cases"), queryset=None, required=False,
                                           widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cases"].queryset = Case.objects.filter(agency=agency)


class ContactChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.full_name} — {obj.email}" + (f", {obj.position}" if obj.position else "")


class SendForm(StyledFormMixin, forms.Form):
    contacts = ContactChoiceField(label=_("Send to"), queryset=None, widget=forms.CheckboxSelectMultiple)
    message = forms.CharField(label=_("Personal message"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, contacts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contacts"].queryset = contacts
        self.fields["contacts"].widget.attrs["class"] = "form-check-input"


class DecisionForm(forms.Form):
    """The client's answer. Accepting is deliberate: the full name typed by hand (two words at least) and the
    "I accept" box ticked; declining needs the name only."""

    decision = forms.ChoiceField(choices=[("accept", _("Accept")), ("decline", _("Decline"))])
    signed_name = forms.CharField(label=_("Your full name"), max_length=150,
                                  widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off"}))
    accept_terms = forms.BooleanField(
        label=_("I accept this proposal on behalf of my company"), required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))
    comment = forms.CharField(label=_("Comment (optional)"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}))
    version_hash = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def clean(self):
        data = super().clean()
        if data.get("decision") != "accept":
            return data
        name = data.get("signed_name")
        if name is not None and len(name.split()) < 2:
            self.add_error("signed_name", _("Type your full name: first name and surname."))
        if not data.get("accept_terms"):
            self.add_error("accept_terms", _("Tick the box to confirm that you accept the proposal."))
        return data
