"""Predictive alerts of a project: one open row per (project, kind, subject), kept up to date by the engine
(projects.alerts.engine). Acknowledging quiets an alert until it gets worse; a resolved one stays as history."""
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mrm.tenancy.models import AgencyOwned

from ..alerts import rules
from .core import Project


class Alert(AgencyOwned):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(_("type"), max_length=24, choices=rules.KIND_CHOICES)
    # What the alert is about, stable between evaluations: "milestone:<id>", "task:<id>", "client:<id>", "project".
    subject_key = models.CharField(max_length=80)
    subject_label = models.CharField(_("about"), max_length=300, blank=True)
    severity = models.CharField(_("severity"), max_length=10, choices=rules.SEVERITY_CHOICES,
                                default=rules.WARNING)
    # The reason as last rendered (the site's language) and its numbers, re-rendered in the reader's language.
    reason = models.TextField(_("reason"), blank=True)
    params = models.JSONField(default=dict, blank=True)
    url = models.CharField(max_length=500, blank=True)
    value = models.FloatField(default=0)  # the "badness": larger is worse (see rules.is_worse)
    first_raised_at = models.DateTimeField()
    raised_at = models.DateTimeField()  # the last time it was raised (first, or again after getting worse)
    last_seen_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                        related_name="+")
    acknowledged_value = models.FloatField(null=True, blank=True)
    acknowledged_severity = models.CharField(max_length=10, blank=True)

    class Meta:
        ordering = ["-raised_at"]
        constraints = [
            models.UniqueConstraint(fields=["project", "kind", "subject_key"], condition=Q(resolved_at__isnull=True),
                                    name="alert_one_open_per_subject"),
        ]
        indexes = [
            models.Index(fields=["agency", "project", "resolved_at"], name="alert_agency_project_open"),
            models.Index(fields=["agency", "resolved_at", "acknowledged_at", "-raised_at"], name="alert_agency_open"),
            models.Index(fields=["agency", "kind", "resolved_at"], name="alert_agency_kind_open"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.subject_label}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None

    @property
    def is_acknowledged(self) -> bool:
        return self.acknowledged_at is not None

    @property
    def reason_display(self) -> str:
        """The reason in the active language (falls back to the stored sentence)."""
        try:
            return rules.reason_text(self.kind, self.params) or self.reason
        except (KeyError, ValueError, TypeError):
            return self.reason
