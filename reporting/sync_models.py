"""Connector state of a data source: its encrypted access (OAuth tokens) and the record of every sync.

`SourceCredential` keeps tokens only as Fernet ciphertext (reporting.connectors.crypto); a page or the API
shows whether a token is saved and its last four characters, never the token. `SourceSync` is one run of a
connector over a period (manual, from the API, daily by beat, or the demo's recorded one) with its job,
outcome and counts; `partial_from` marks the first day whose figures were still moving when it was read
(today in the agency's time zone), so reports can say so and the next sync reads those days again.
"""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from mrm.core.models import TimeStamped
from mrm.tenancy.models import AgencyOwned


class SourceCredential(AgencyOwned, TimeStamped):
    """The OAuth access of one connector source (tokens encrypted at rest)."""

    source = models.OneToOneField("reporting.DataSource", on_delete=models.CASCADE, related_name="credential")
    access_token = models.TextField(blank=True)  # ciphertext
    refresh_token = models.TextField(blank=True)  # ciphertext (VK Ads)
    client_id = models.CharField(max_length=200, blank=True)  # the OAuth application (VK Ads token refresh)
    client_secret = models.TextField(blank=True)  # ciphertext
    token_hint = models.CharField(max_length=8, blank=True)  # "…1a2b": which token is saved, for the page
    expires_at = models.DateTimeField(null=True, blank=True)
    refreshed_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return f"{self.source_id} {self.token_hint}"


class SourceSync(AgencyOwned, TimeStamped):
    """One connector run over a period: queued → running → done / failed (the job carries progress)."""

    class Trigger(models.TextChoices):
        MANUAL = "manual", _("By hand")
        API = "api", _("API")
        BEAT = "beat", _("Daily")
        DEMO = "demo", _("Demo recording")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    source = models.ForeignKey("reporting.DataSource", on_delete=models.CASCADE, related_name="syncs")
    job = models.ForeignKey("jobs.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    trigger = models.CharField(max_length=10, choices=Trigger.choices, default=Trigger.MANUAL)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    date_from = models.DateField()
    date_to = models.DateField()
    partial_from = models.DateField(null=True, blank=True)  # days from here on were incomplete when read
    rows = models.PositiveIntegerField(default=0)
    replaced = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    notes = models.JSONField(default=list, blank=True)  # what the data's reader should know (sampling…)
    finished_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["agency", "source", "-created_at"]),
                   models.Index(fields=["agency", "status"])]

    def __str__(self) -> str:
        return f"{self.source_id} {self.date_from}–{self.date_to} {self.status}"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
