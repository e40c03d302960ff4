"""Change requests: extra work the client asked for, priced from the rate card with the КП's arithmetic
(`proposals.services.pricing`), sent to the client's contacts and approved or declined in the portal (or
recorded by staff after a phone call). An approval adds budget lines, budget and tasks once."""
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from mrm.core.models import TimeStamped
from mrm.tenancy.models import AgencyOwned

from .core import MONEY, Milestone, Project, ProjectTask

RATE = {"max_digits": 12, "decimal_places": 2, "default": Decimal("0"), "validators": [MinValueValidator(0)]}
PERCENT = {"max_digits": 5, "decimal_places": 2, "default": Decimal("0"),
           "validators": [MinValueValidator(0), MaxValueValidator(100)]}


class ChangeRequest(AgencyOwned, TimeStamped):
    """A priced change of scope. Lines are edited only while a draft; sending freezes `snapshot` (what the
    client reads) and its SHA-256 `content_hash`, which the decision must quote back."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENT = "sent", _("Sent to the client")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class DecidedVia(models.TextChoices):
        PORTAL = "portal", _("In the client portal")
        PHONE = "phone", _("By phone")
        EMAIL = "email", _("By e-mail")
        MEETING = "meeting", _("At a meeting")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="change_requests")
    number = models.PositiveIntegerField(_("number"))  # 1, 2, … per project
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("what changes and why"), blank=True, max_length=5000)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    currency = models.CharField(_("currency"), max_length=3, default="RUB")
    vat_rate = models.DecimalField(_("VAT, %"), **PERCENT)
    discount_percent = models.DecimalField(_("discount, %"), **PERCENT)
    discount_reason = models.CharField(_("reason for the discount"), max_length=255, blank=True)
    # Cached results of proposals.services.pricing.compute() over the lines (refreshed on every line change).
    hours = models.DecimalField(_("hours"), max_digits=9, decimal_places=1, default=Decimal("0"))
    subtotal = models.DecimalField(_("subtotal"), **MONEY)
    discount_amount = models.DecimalField(_("discount"), **MONEY)
    vat_amount = models.DecimalField(_("VAT"), **MONEY)
    total = models.DecimalField(_("total"), **MONEY)
    cost_amount = models.DecimalField(_("internal cost"), **MONEY)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+")
    snapshot = models.JSONField(default=dict, blank=True, editable=False)
    content_hash = models.CharField(max_length=64, blank=True, editable=False)
    # The decision: who (the client's portal login, or the staff member who recorded a phone answer), on
    # behalf of which client contact, when, how, the note, and for portal decisions the IP.
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"), on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    decided_contact = models.ForeignKey("clients.Contact", verbose_name=_("client contact"),
                                        on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    decided_via = models.CharField(_("decided how"), max_length=10, choices=DecidedVia.choices, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True, max_length=2000)
    decision_ip = models.GenericIPAddressField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    # Set in the approval's transaction: the budget and tasks were added (the exactly-once marker).
    applied_at = models.DateTimeField(null=True, blank=True, editable=False)
    milestone = models.ForeignKey(Milestone, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["project", "number"], name="changerequest_unique_number")]
        indexes = [
            models.Index(fields=["agency", "project", "-number"], name="changerequest_agency_project"),
            models.Index(fields=["agency", "status", "-sent_at"], name="changerequest_agency_status"),
        ]

    def __str__(self) -> str:
        return f"№{self.number} {self.title}"

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def net(self) -> Decimal:
        return self.subtotal - self.discount_amount


class ChangeRequestLine(AgencyOwned, TimeStamped):
    """Hours of a rate-card role; the rate and the internal cost rate are copied from the rate card when priced."""

    change_request = models.ForeignKey(ChangeRequest, on_delete=models.CASCADE, related_name="lines")
    role = models.ForeignKey("proposals.RateRole", verbose_name=_("role"), on_delete=models.SET_NULL, null=True,
                             blank=True, related_name="+")
    role_name = models.CharField(_("role"), max_length=120)
    description = models.CharField(_("work"), max_length=300)
    hours = models.DecimalField(_("hours"), max_digits=8, decimal_places=1,
                                validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("5000"))])
    rate = models.DecimalField(_("rate"), **RATE)
    amount = models.DecimalField(_("amount"), **MONEY)
    internal_cost_rate = models.DecimalField(_("internal cost per hour"), **RATE)
    cost_amount = models.DecimalField(_("internal cost"), **MONEY)
    order = models.PositiveSmallIntegerField(default=0)
    # The out-of-scope task this line prices (pre-filled from hidden cost): once approved, its time is covered.
    source_task = models.ForeignKey(ProjectTask, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # The task the approval created for this line (none for a line that prices an existing task).
    task = models.ForeignKey(ProjectTask, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["order", "created_at"]
        indexes = [
            models.Index(fields=["agency", "change_request", "order"], name="crline_agency_cr"),
            models.Index(fields=["agency", "source_task"], name="crline_agency_source_task"),
        ]

    def __str__(self) -> str:
        return f"{self.description} · {self.role_name} · {self.hours} h"


class ChangeRequestRecipient(AgencyOwned, TimeStamped):
    """A client contact asked to decide; the e-mail is claimed (`email_claimed_at`) and marked (`emailed_at`)."""

    change_request = models.ForeignKey(ChangeRequest, on_delete=models.CASCADE, related_name="recipients")
    contact = models.ForeignKey("clients.Contact", on_delete=models.SET_NULL, null=True, related_name="+")
    name = models.CharField(max_length=200)
    email = models.EmailField()
    email_claimed_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [models.UniqueConstraint(fields=["change_request", "email"], name="crrecipient_unique_email")]
        indexes = [models.Index(fields=["agency", "change_request"], name="crrecipient_agency_cr")]

    def __str__(self) -> str:
        return self.email
