"""NPS surveys of client contacts: one `NpsSurvey` per question asked (scheduled, after a milestone, or sent by
the AM), answered at most once by one `NpsResponse` (score 0–10 and "why?"). Answers are rows with their time,
contact, client and trigger, so NPS over any period is a count of promoters (9–10) minus detractors (0–6).

How often: `NpsSettings` (one per agency) holds the minimum interval between two surveys of one contact and the
default schedule; `NpsClientPlan` overrides the schedule for one client (no row: the agency default)."""
import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mrm.core.models import TimeStamped
from mrm.tenancy.models import AgencyOwned


def new_nonce() -> str:
    return secrets.token_urlsafe(18)


class Schedule(models.TextChoices):
    OFF = "off", _("No scheduled surveys")
    QUARTERLY = "quarterly", _("Quarterly")
    HALF_YEARLY = "half_yearly", _("Every half-year")


class NpsSettings(AgencyOwned, TimeStamped):
    """The agency's NPS rules (a row is created with the defaults on first use)."""

    min_interval_days = models.PositiveSmallIntegerField(
        _("minimum days between two surveys of one contact"), default=90,
        validators=[MinValueValidator(14), MaxValueValidator(730)])
    default_schedule = models.CharField(_("default schedule"), max_length=12, choices=Schedule.choices,
                                        default=Schedule.QUARTERLY)
    after_milestone = models.BooleanField(_("ask after a client-visible milestone is reached"), default=True)
    link_valid_days = models.PositiveSmallIntegerField(
        _("days an e-mailed link stays valid"), default=30, validators=[MinValueValidator(1), MaxValueValidator(90)])

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency"], name="nps_settings_one_per_agency")]

    def __str__(self) -> str:
        return f"NPS settings of {self.agency_id}"


class NpsClientPlan(AgencyOwned, TimeStamped):
    """One client's survey plan; empty values follow the agency's settings."""

    class Milestones(models.TextChoices):
        DEFAULT = "", _("As the agency default")
        ON = "on", _("Yes")
        OFF = "off", _("No")

    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="+")
    schedule = models.CharField(_("schedule"), max_length=12, blank=True,
                                choices=[("", _("As the agency default")), *Schedule.choices])
    after_milestone = models.CharField(_("after a milestone"), max_length=3, blank=True, choices=Milestones.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client"], name="nps_plan_one_per_client")]
        indexes = [models.Index(fields=["agency", "client"])]

    def __str__(self) -> str:
        return f"NPS plan of {self.client_id}"


class NpsSurvey(AgencyOwned, TimeStamped):
    """One question "how likely are you to recommend us?" to one contact. The e-mailed link carries a signed
    token of (agency, survey, nonce); it works until `expires_at` and until the survey is answered."""

    class Trigger(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        MILESTONE = "milestone", _("After a milestone")
        MANUAL = "manual", _("Sent by the account manager")

    client = models.ForeignKey("clients.Client", verbose_name=_("client"), on_delete=models.CASCADE,
                               related_name="+")
    contact = models.ForeignKey("clients.Contact", verbose_name=_("contact"), on_delete=models.CASCADE,
                                related_name="+")
    trigger = models.CharField(_("trigger"), max_length=10, choices=Trigger.choices)
    # What caused it, for idempotency: the period ("2026-Q4", "2026-H2") or the milestone id; "" for manual.
    trigger_ref = models.CharField(max_length=64, blank=True)
    trigger_label = models.CharField(_("about"), max_length=300, blank=True)  # e.g. the milestone's title
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    sent_at = models.DateTimeField(_("sent"))
    expires_at = models.DateTimeField(_("link valid until"))
    nonce = models.CharField(max_length=40, default=new_nonce, editable=False)
    email_claimed_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        ordering = ["-sent_at"]
        indexes = [
            models.Index(fields=["agency", "contact", "-sent_at"]),
            models.Index(fields=["agency", "client", "-sent_at"]),
        ]
        constraints = [
            # The same period or milestone never asks the same contact twice, whatever runs twice.
            models.UniqueConstraint(fields=["contact", "trigger", "trigger_ref"], condition=~Q(trigger_ref=""),
                                    name="nps_survey_once_per_trigger"),
        ]

    def __str__(self) -> str:
        name = self.contact.full_name if self.contact_id else ""
        return f"{name} · {self.sent_at:%d.%m.%Y}" if self.sent_at else name

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None


class NpsResponse(AgencyOwned, TimeStamped):
    """The answer: a score 0–10 and the comment, once per survey."""

    class Channel(models.TextChoices):
        PORTAL = "portal", _("Client portal")
        EMAIL_LINK = "email_link", _("E-mailed link")

    class Category(models.TextChoices):
        PROMOTER = "promoter", _("Promoter")
        PASSIVE = "passive", _("Passive")
        DETRACTOR = "detractor", _("Detractor")

    survey = models.OneToOneField(NpsSurvey, on_delete=models.CASCADE, related_name="response")
    client = models.ForeignKey("clients.Client", verbose_name=_("client"), on_delete=models.CASCADE,
                               related_name="+")
    contact = models.ForeignKey("clients.Contact", verbose_name=_("contact"), on_delete=models.SET_NULL, null=True,
                                blank=True, related_name="+")
    contact_name = models.CharField(_("contact"), max_length=150)  # kept when the contact is deleted
    trigger = models.CharField(_("trigger"), max_length=10, choices=NpsSurvey.Trigger.choices)
    score = models.PositiveSmallIntegerField(_("score"), validators=[MinValueValidator(0), MaxValueValidator(10)])
    comment = models.TextField(_("comment"), blank=True, max_length=2000)
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    answered_at = models.DateTimeField(_("answered"))

    class Meta:
        ordering = ["-answered_at"]
        indexes = [
            models.Index(fields=["agency", "client", "-answered_at"]),
            models.Index(fields=["agency", "-answered_at"]),
        ]
        constraints = [models.CheckConstraint(condition=Q(score__gte=0, score__lte=10), name="nps_score_0_10")]

    def __str__(self) -> str:
        return f"{self.score} — {self.contact_name}"

    @property
    def category(self) -> str:
        if self.score >= 9:
            return self.Category.PROMOTER
        if self.score >= 7:
            return self.Category.PASSIVE
        return self.Category.DETRACTOR
