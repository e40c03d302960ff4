"""Time: what each person spent, per project and task, with the rates of the moment; time off for capacity."""
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from mrm.core.models import TimeStamped
from mrm.tenancy.models import AgencyOwned

from .core import Project, ProjectTask


class TimeEntry(AgencyOwned, TimeStamped):
    """Hours one person spent on a day. Rates are copied when the entry is made, so later rate-card changes do
    not rewrite what the past cost. `started_at` is set while a timer runs (hours then count from it)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="time_entries")
    task = models.ForeignKey(ProjectTask, verbose_name=_("task"), on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="time_entries")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    role = models.ForeignKey("proposals.RateRole", verbose_name=_("role"), on_delete=models.SET_NULL, null=True,
                             blank=True, related_name="+")
    date = models.DateField(_("date"))
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=2, default=Decimal("0"),
                                validators=[MinValueValidator(0), MaxValueValidator(24)])
    note = models.CharField(_("note"), max_length=500, blank=True)
    billable = models.BooleanField(_("billable"), default=True)
    sell_rate = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    cost_rate = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    started_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-date", "-created_at"]
        indexes = [
            models.Index(fields=["agency", "project", "date"], name="timeentry_agency_project"),
            models.Index(fields=["agency", "user", "date"], name="timeentry_agency_user"),
            models.Index(fields=["agency", "task"], name="timeentry_agency_task"),
        ]
        constraints = [
            # One running timer per person.
            models.UniqueConstraint(fields=["agency", "user"], condition=Q(started_at__isnull=False),
                                    name="timeentry_one_running_timer"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.date} {self.hours} h"

    # --- time tracking ---
    @property
    def is_running(self) -> bool:
        return self.started_at is not None

    @property
    def sell_amount(self) -> Decimal:
        return self.hours * self.sell_rate

    @property
    def cost_amount(self) -> Decimal:
        return self.hours * self.cost_rate

    @property
    def is_outside_project(self) -> bool:
        """Logged before the project's start or after its planned end: shown flagged, not refused."""
        project = self.project
        return bool((project.start_date and self.date < project.start_date)
                    or (project.end_date and self.date > project.end_date))


class TimeOff(AgencyOwned, TimeStamped):
    """Days a person does not work (vacation, sick leave): taken out of their capacity."""

    class Kind(models.TextChoices):
        VACATION = "vacation", _("Vacation")
        SICK = "sick", _("Sick leave")
        OTHER = "other", _("Other")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("to"))
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices, default=Kind.VACATION)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["start_date"]
        indexes = [models.Index(fields=["agency", "user", "start_date"], name="timeoff_agency_user")]
        constraints = [models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="timeoff_end_after_start")]

    def __str__(self) -> str:
        return f"{self.user} {self.start_date}–{self.end_date}"
