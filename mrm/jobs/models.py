import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from mrm.core.storage import private_storage
from mrm.tenancy.models import AgencyOwned


class Job(AgencyOwned):
    """A long piece of work done in Celery (AI draft, PDF, import, report): its status is what the UI polls."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Done")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=60)
    title = models.CharField(max_length=200)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    message = models.CharField(max_length=300, blank=True)
    error = models.TextField(blank=True)
    result_url = models.CharField(max_length=500, blank=True)
    result_file = models.FileField(upload_to="job-results/", storage=private_storage, blank=True)
    params = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)  # claims so far; also the fencing token of a claim
    # The claim: a worker owns a RUNNING job until `lease_expires_at`; heartbeats (progress ticks) extend it.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    takeovers = models.PositiveSmallIntegerField(default=0)  # re-claims after a worker vanished
    # What the work produced (ids), written in the transaction of the side effect so a redelivery finds it.
    result = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["agency", "kind", "-created_at"]),
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["status", "lease_expires_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)


class OutboxEvent(AgencyOwned):
    """A durable hand-off between apps (transactional outbox): written in the same transaction as the change
    it announces, delivered after commit by a Celery task and retried by a beat sweep until every receiver
    has taken it. `key` makes the event unique per change (e.g. proposal + version hash)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=60)
    key = models.CharField(max_length=200)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    delivered_to = models.JSONField(default=list, blank=True)  # receivers that took it (not called again)

    class Meta:
        ordering = ["created_at"]
        constraints = [models.UniqueConstraint(fields=["agency", "kind", "key"], name="jobs_outbox_unique_key")]
        indexes = [models.Index(fields=["processed_at", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"
