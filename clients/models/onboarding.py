from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from mrm.core.models import TimeStamped
from mrm.tenancy.models import AgencyOwned

from .company import Client


class OnboardingTemplateStep(AgencyOwned, TimeStamped):
    """One step of the agency's onboarding template (first 30 days)."""

    title = models.CharField(_("step"), max_length=200)
    description = models.TextField(_("what to do"), blank=True)
    due_day = models.PositiveSmallIntegerField(_("due on day"), default=1)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "due_day"]

    def __str__(self) -> str:
        return self.title


class OnboardingPlan(AgencyOwned, TimeStamped):
    """The first 30 days of one client, created from the template when the client becomes active."""

    client = models.OneToOneField(Client, on_delete=models.CASCADE, related_name="onboarding")
    started_on = models.DateField(_("started"))
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_on"]

    def __str__(self) -> str:
        return f"{self.client} onboarding"


class OnboardingStep(AgencyOwned, TimeStamped):
    plan = models.ForeignKey(OnboardingPlan, on_delete=models.CASCADE, related_name="steps")
    title = models.CharField(_("step"), max_length=200)
    description = models.TextField(_("what to do"), blank=True)
    due_on = models.DateField(_("due"))
    order = models.PositiveSmallIntegerField(default=0)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+")

    class Meta:
        ordering = ["order", "due_on"]
        indexes = [models.Index(fields=["agency", "plan", "order"]), models.Index(fields=["agency", "done_at", "due_on"])]

    def __str__(self) -> str:
        return self.title


class InteractionAgreement(AgencyOwned, TimeStamped):
    """How the agency and the client agreed to work together; breaches are measurable."""

    class Cadence(models.TextChoices):
        WEEKLY = "weekly", _("Weekly")
        BIWEEKLY = "biweekly", _("Every two weeks")
        MONTHLY = "monthly", _("Monthly")
        QUARTERLY = "quarterly", _("Quarterly")

    client = models.OneToOneField(Client, on_delete=models.CASCADE, related_name="agreement")
    contact_every_days = models.PositiveSmallIntegerField(_("contact at least every, days"), default=7)
    channels = models.JSONField(_("channels"), default=list, blank=True)
    request_format = models.TextField(_("how requests are sent"), blank=True)
    response_time_hours = models.DecimalField(_("agreed first response, business hours"), max_digits=5,
                                              decimal_places=1, default=Decimal("2"))
    reporting_cadence = models.CharField(_("reporting"), max_length=12, choices=Cadence.choices,
                                         default=Cadence.MONTHLY)
    approval_rules = models.TextField(_("approval rules"), blank=True)
    agreed_on = models.DateField(_("agreed on"), null=True, blank=True)

    class Meta:
        ordering = ["client__name"]

    def __str__(self) -> str:
        return f"{self.client} agreement"
