"""In-app notifications, their deliveries by e-mail and Telegram, preferences and Telegram links."""
import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mrm.tenancy.models import AgencyOwned


class Notification(AgencyOwned):
    """One thing a person should know, in their inbox; `key` makes `notify()` idempotent per recipient."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=40)
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(max_length=500, blank=True)
    key = models.CharField(max_length=200)
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["agency", "recipient", "key"], name="notification_unique_key")]
        indexes = [
            models.Index(fields=["agency", "recipient", "-created_at"], name="notification_inbox"),
            # The bell's unread COUNT reads only this partial index.
            models.Index(fields=["agency", "recipient"], condition=Q(read_at__isnull=True), name="notification_unread"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    TELEGRAM = "telegram", _("Telegram")


class Delivery(AgencyOwned):
    """A notification's delivery on one channel. A worker claims the row (pending → sending, with a fresh
    claim token) before it sends and marks it sent right after, so a retried or redelivered task never sends
    twice; a transient failure puts it back to pending for the retry, a permanent one records the error."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=20, choices=Channel.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    in_digest = models.BooleanField(default=False)  # waits for the daily digest instead of going at once
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    claim = models.UUIDField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["notification", "channel"], name="delivery_unique_channel")]
        indexes = [models.Index(fields=["agency", "status", "channel", "in_digest"], name="delivery_status")]

    def __str__(self) -> str:
        return f"{self.channel} {self.status}"


class NotificationPreference(AgencyOwned):
    """A person's choice for one kind; without a row the kind's defaults apply (notifications.kinds)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=40)
    in_app = models.BooleanField(default=True)
    email = models.BooleanField(default=True)
    telegram = models.BooleanField(default=True)
    digest = models.BooleanField(default=False)  # e-mail and Telegram once a day instead of at once

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "user", "kind"], name="notification_pref_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}"


def new_link_code() -> str:
    return secrets.token_urlsafe(9)  # 12 characters, fits Telegram's /start parameter alphabet


class TelegramLink(AgencyOwned):
    """A person's Telegram chat for this agency, linked by sending `/start <code>` to the bot."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    chat_id = models.BigIntegerField(null=True, blank=True)
    code = models.CharField(max_length=32, unique=True, null=True, blank=True)
    code_expires_at = models.DateTimeField(null=True, blank=True)
    linked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "user"], name="telegram_link_unique_user")]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.chat_id}"

    @property
    def is_linked(self) -> bool:
        return self.chat_id is not None
