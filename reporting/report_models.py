"""Client reports: templates (which sections, in which order), reports (a client's period, built into a frozen
snapshot of the numbers, a PDF, commentary and next steps; draft → built → published) and the client contacts'
ratings of published reports (one per contact and report; the director's "report quality" averages them)."""
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mrm.core.models import TimeStamped
from mrm.core.storage import private_storage
from mrm.tenancy.models import AgencyOwned


class Section(models.TextChoices):
    KPIS = "kpis", _("KPI tiles")
    DAILY_CHART = "daily_chart", _("Chart by day")
    CHANNEL_CHART = "channel_chart", _("Chart by channel")
    CHANNELS = "channels", _("Channel table")
    CAMPAIGNS = "campaigns", _("Campaign table")
    PROJECTS = "projects", _("Project status")
    WORK = "work", _("Work done in the period")
    COMMENTARY = "commentary", _("Account manager's commentary")
    NEXT_STEPS = "next_steps", _("Next steps")


DEFAULT_SECTIONS = [s.value for s in Section]


class ReportTemplate(AgencyOwned, TimeStamped):
    """The sections of a report, in order. One agency-wide default (no client); a client may have its own."""

    name = models.CharField(_("name"), max_length=200)
    client = models.ForeignKey("clients.Client", verbose_name=_("client"), on_delete=models.CASCADE, null=True,
                               blank=True, related_name="+")
    sections = models.JSONField(_("sections"), default=list)
    is_default = models.BooleanField(_("agency default"), default=False)

    class Meta:
        ordering = ["-is_default", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["agency"], condition=Q(is_default=True), name="report_template_one_default"),
            models.UniqueConstraint(fields=["client"], condition=Q(client__isnull=False),
                                    name="report_template_one_per_client"),
        ]

    def __str__(self) -> str:
        return self.name


def _report_pdf_path(instance, filename: str) -> str:
    return f"reporting/reports/{instance.agency_id}/{instance.id}.pdf"


class Report(AgencyOwned, TimeStamped):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        BUILT = "built", _("Built")
        PUBLISHED = "published", _("Published")

    class Drafter(models.TextChoices):
        NONE = "", _("Not drafted")
        AI = "ai", _("AI draft")
        RULES = "rules", _("Drafted without AI")

    client = models.ForeignKey("clients.Client", verbose_name=_("client"), on_delete=models.CASCADE,
                               related_name="reports")
    template = models.ForeignKey(ReportTemplate, verbose_name=_("template"), on_delete=models.SET_NULL, null=True,
                                 blank=True, related_name="reports")
    title = models.CharField(_("title"), max_length=200)
    date_from = models.DateField(_("from"))
    date_to = models.DateField(_("to"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    commentary = models.TextField(_("commentary"), blank=True, max_length=10000)
    commentary_drafter = models.CharField(max_length=5, choices=Drafter.choices, blank=True)
    next_steps = models.TextField(_("next steps"), blank=True, max_length=10000)
    # Optional targets for the period (metric key → amount), compared on the KPI tiles.
    plan = models.JSONField(_("plan"), default=dict, blank=True)
    # The frozen numbers (see reporting.services.reports.report_snapshot): the web view and the PDF read only this.
    snapshot = models.JSONField(default=dict, blank=True)
    built_at = models.DateTimeField(null=True, blank=True)
    pdf_file = models.FileField(upload_to=_report_pdf_path, storage=private_storage, blank=True, max_length=300)
    job = models.ForeignKey("jobs.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")
    notified_at = models.DateTimeField(null=True, blank=True)  # the publish task's marker
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    schedule = models.ForeignKey("ReportSchedule", on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="reports")

    class Meta:
        ordering = ["-date_to", "-created_at"]
        indexes = [models.Index(fields=["agency", "client", "-date_to"], name="report_client_period"),
                   models.Index(fields=["agency", "status", "-published_at"], name="report_status_published")]
        constraints = [models.CheckConstraint(condition=Q(date_to__gte=models.F("date_from")),
                                              name="report_period_order"),
                       # One scheduled report per schedule and period: a beat run is never doubled.
                       models.UniqueConstraint(fields=["schedule", "date_from", "date_to"],
                                               condition=Q(schedule__isnull=False), name="report_schedule_period")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class ReportRating(AgencyOwned, TimeStamped):
    """A client contact's rating (1–5) and comment on a published report; changeable, one per contact."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="ratings")
    contact = models.ForeignKey("clients.Contact", on_delete=models.CASCADE, related_name="+")
    score = models.PositiveSmallIntegerField(_("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.TextField(_("comment"), blank=True, max_length=2000)

    class Meta:
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(fields=["report", "contact"], name="report_rating_one_per_contact"),
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="report_rating_score_range"),
        ]
        indexes = [models.Index(fields=["agency", "-updated_at"], name="report_rating_agency_time")]

    def __str__(self) -> str:
        return f"{self.score}/5"


class ReportSchedule(AgencyOwned, TimeStamped):
    """A client's automatic report: weekly (the past Monday–Sunday, built on `weekday`) or monthly (the past
    calendar month, built on `day`), at `at_time` in `time_zone`. The beat builds the report; the AM reviews it,
    or it is published as soon as it is built (`auto_publish`). A run is one report per schedule and period (a
    unique key), so a missed run is caught up and a run is never doubled."""

    class Frequency(models.TextChoices):
        WEEKLY = "weekly", _("Weekly")
        MONTHLY = "monthly", _("Monthly")

    client = models.OneToOneField("clients.Client", verbose_name=_("client"), on_delete=models.CASCADE,
                                  related_name="report_schedule")
    frequency = models.CharField(_("how often"), max_length=8, choices=Frequency.choices, default=Frequency.MONTHLY)
    weekday = models.PositiveSmallIntegerField(_("weekday"), default=0, validators=[MaxValueValidator(6)])
    day = models.PositiveSmallIntegerField(_("day of the month"), default=3,
                                           validators=[MinValueValidator(1), MaxValueValidator(28)])
    at_time = models.TimeField(_("time"), default="09:00")
    time_zone = models.CharField(_("time zone"), max_length=60, default="Europe/Moscow")
    auto_publish = models.BooleanField(_("publish without review"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["agency", "is_active"], name="report_schedule_active")]

    def __str__(self) -> str:
        return f"{self.client_id} {self.frequency}"
