from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from mrm.core.models import TimeStamped
from mrm.tenancy.models import AgencyOwned

from ..requisites import validate_inn, validate_kpp


class Tag(AgencyOwned, TimeStamped):
    name = models.CharField(_("tag"), max_length=40)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["agency", "name"], name="tag_unique_name")]

    def __str__(self) -> str:
        return self.name


class Client(AgencyOwned, TimeStamped):
    """A client company: the account an AM owns."""

    class Status(models.TextChoices):
        LEAD = "lead", _("Lead")
        ONBOARDING = "onboarding", _("Onboarding")
        ACTIVE = "active", _("Active")
        PAUSED = "paused", _("Paused")
        CHURNED = "churned", _("Churned")

    class Size(models.TextChoices):
        SMALL = "small", _("Small business")
        MEDIUM = "medium", _("Medium business")
        LARGE = "large", _("Large business")
        ENTERPRISE = "enterprise", _("Enterprise")

    class Source(models.TextChoices):
        BRIEF_FORM = "brief_form", _("Brief form")
        REFERRAL = "referral", _("Referral")
        TENDER = "tender", _("Tender")
        INBOUND = "inbound", _("Inbound request")
        OUTBOUND = "outbound", _("Outbound")
        EVENT = "event", _("Event")
        OTHER = "other", _("Other")

    name = models.CharField(_("brand / name"), max_length=200)
    legal_name = models.CharField(_("legal name"), max_length=255, blank=True)
    # Requisites printed as the buyer on invoices and acts.
    inn = models.CharField(_("INN"), max_length=12, blank=True, validators=[validate_inn])
    kpp = models.CharField(_("KPP"), max_length=9, blank=True, validators=[validate_kpp])
    legal_address = models.CharField(_("legal address"), max_length=500, blank=True)
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    website = models.URLField(_("website"), blank=True)
    size = models.CharField(_("size"), max_length=20, choices=Size.choices, blank=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.OTHER)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.LEAD)
    churn_reason = models.CharField(_("churn reason"), max_length=255, blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("account manager"), on_delete=models.SET_NULL,
                              null=True, blank=True, related_name="owned_clients")
    team = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("team"), blank=True,
                                  related_name="client_teams")
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="clients")
    start_date = models.DateField(_("start date"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    last_contact_at = models.DateTimeField(_("last contact"), null=True, blank=True)
    # Set when the client came from an amoCRM/Bitrix24/spreadsheet import: re-imports match on it.
    external_id = models.CharField(_("external id"), max_length=100, blank=True)
    custom = models.JSONField(_("custom fields"), default=dict, blank=True)  # see clients.models.custom

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(fields=["agency", "name"]),
            models.Index(fields=["agency", "status", "name"]),
            models.Index(fields=["agency", "owner", "name"]),
            models.Index(fields=["agency", "industry"]),
            models.Index(fields=["agency", "-created_at"]),
            models.Index(fields=["agency", "last_contact_at"]),
            # Today's "no contact for N days" also has (agency, last_contact_at NULLS FIRST, name): created in
            # migration 0003 per database, as SQLite refuses NULLS FIRST in an index (its ASC puts NULLs first).
            models.Index(fields=["agency", "external_id"]),
        ]

    def __str__(self) -> str:
        return self.name


class Contact(AgencyOwned, TimeStamped):
    """A person at a client company."""

    class Role(models.TextChoices):
        DECISION_MAKER = "decision_maker", _("Decision maker")
        MARKETING_LEAD = "marketing_lead", _("Marketing lead")
        FINANCE = "finance", _("Finance")
        PROCUREMENT = "procurement", _("Procurement")
        TECHNICAL = "technical", _("Technical")
        OTHER = "other", _("Other")

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        PHONE = "phone", _("Phone")
        TELEGRAM = "telegram", _("Telegram")
        WHATSAPP = "whatsapp", _("WhatsApp")
        MEETING = "meeting", _("Meeting")

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="contacts")
    full_name = models.CharField(_("full name"), max_length=150)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.OTHER)
    position = models.CharField(_("position"), max_length=120, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    telegram = models.CharField(_("Telegram"), max_length=64, blank=True)
    preferred_channel = models.CharField(_("preferred channel"), max_length=20, choices=Channel.choices,
                                         default=Channel.EMAIL)
    notes = models.TextField(_("notes"), blank=True)
    is_primary = models.BooleanField(_("primary contact"), default=False)
    external_id = models.CharField(_("external id"), max_length=100, blank=True)
    custom = models.JSONField(_("custom fields"), default=dict, blank=True)  # see clients.models.custom

    class Meta:
        ordering = ["-is_primary", "full_name"]
        indexes = [
            models.Index(fields=["agency", "client", "full_name"]),
            models.Index(fields=["agency", "email"]),
            models.Index(fields=["agency", "full_name"]),
            models.Index(fields=["agency", "external_id"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["client"], condition=models.Q(is_primary=True),
                                    name="contact_one_primary_per_client"),
        ]

    def __str__(self) -> str:
        return self.full_name
