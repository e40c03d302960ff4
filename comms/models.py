"""A client request is a thread; its messages can come from any channel.

The portal is the only channel that writes today, but the thread is built so that e-mail and Telegram can feed it
later (unified communications): every message carries its channel, its direction and the id the external system
gave it (`external_message_id`, unique per agency and channel, so a re-delivered e-mail or update is stored once).
The first outbound message of a thread fixes its response time, counted in the agency's business minutes.
"""
import os

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from mrm.core.models import TimeStamped
from mrm.core.storage import private_storage
from mrm.tenancy.models import AgencyOwned


class Channel(models.TextChoices):
    PORTAL = "portal", _("Client portal")
    EMAIL = "email", _("E-mail")
    TELEGRAM = "telegram", _("Telegram")


class Direction(models.TextChoices):
    INBOUND = "inbound", _("From the client")
    OUTBOUND = "outbound", _("From the agency")


class ClientRequest(AgencyOwned, TimeStamped):
    """One request of a client company (a question, a change, an urgent issue, a new task) and its thread."""

    class Kind(models.TextChoices):
        QUESTION = "question", _("Question")
        CHANGE = "change", pgettext_lazy("request kind", "Change")
        URGENT = "urgent", _("Urgent issue")
        NEW_TASK = "new_task", _("New task")

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for the agency")
        ANSWERED = "answered", _("Answered, waiting for the client")
        CLOSED = "closed", _("Closed")

    number = models.PositiveIntegerField(_("number"))
    client = models.ForeignKey("clients.Client", verbose_name=_("client"), on_delete=models.CASCADE,
                               related_name="requests")
    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices, default=Kind.QUESTION)
    subject = models.CharField(_("subject"), max_length=200)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.PORTAL)
    opened_by_contact = models.ForeignKey("clients.Contact", verbose_name=_("opened by"), on_delete=models.SET_NULL,
                                          null=True, blank=True, related_name="+")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+")
    # The agreed first response (business minutes) when the request was opened, and the moment it falls due.
    target_minutes = models.PositiveIntegerField(_("agreed first response, business minutes"), null=True,
                                                 blank=True)
    due_at = models.DateTimeField(_("first response due"), null=True, blank=True)
    first_reply_at = models.DateTimeField(_("first reply"), null=True, blank=True)
    response_minutes = models.PositiveIntegerField(_("first response, business minutes"), null=True, blank=True)
    # Since when the client waits for the agency (the oldest inbound message not answered yet); None: nobody waits.
    awaiting_since = models.DateTimeField(null=True, blank=True)
    last_message_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-last_message_at"]
        constraints = [models.UniqueConstraint(fields=["agency", "number"], name="client_request_unique_number")]
        indexes = [
            models.Index(fields=["agency", "client", "-last_message_at"]),
            models.Index(fields=["agency", "client", "status", "-last_message_at"]),
            models.Index(fields=["agency", "status", "-last_message_at"]),
            models.Index(fields=["agency", "kind", "-last_message_at"]),
            models.Index(fields=["agency", "awaiting_since"], condition=Q(awaiting_since__isnull=False),
                         name="client_request_awaiting"),
            # Today's count of waiting threads a member sees, merged with their clients by client id (2.3 ms → a
            # walk of the waiting threads only).
            models.Index(fields=["agency", "client"], condition=Q(awaiting_since__isnull=False),
                         name="client_request_awaiting_client"),
            models.Index(fields=["agency", "client", "first_reply_at"]),
        ]

    def __str__(self) -> str:
        return f"№{self.number} {self.subject}"

    @property
    def within_target(self) -> bool | None:
        """Was the first reply within the agreement? None while unanswered or without an agreed time."""
        if self.response_minutes is None or self.target_minutes is None:
            return None
        return self.response_minutes <= self.target_minutes


class Message(AgencyOwned, TimeStamped):
    """One message of a request thread, from the client (inbound) or from the agency (outbound), on a channel."""

    thread = models.ForeignKey(ClientRequest, on_delete=models.CASCADE, related_name="messages")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.PORTAL)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    external_message_id = models.CharField(_("external message id"), max_length=255, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.SET_NULL,
                               null=True, blank=True, related_name="+")
    author_contact = models.ForeignKey("clients.Contact", on_delete=models.SET_NULL, null=True, blank=True,
                                       related_name="+")
    body = models.TextField(_("message"))

    class Meta:
        ordering = ["created_at"]
        constraints = [models.UniqueConstraint(
            fields=["agency", "channel", "external_message_id"], condition=~Q(external_message_id=""),
            name="message_unique_external_id")]
        indexes = [models.Index(fields=["agency", "thread", "created_at"])]

    def __str__(self) -> str:
        return self.body[:60]


def _attachment_path(instance, filename: str) -> str:
    ext = os.path.splitext(filename or "")[1].lower()[:10]
    return f"requests/{instance.agency_id}/{instance.message.thread_id}/{instance.id}{ext}"


class Attachment(AgencyOwned, TimeStamped):
    """A file of a message: private storage, served only as a download after the thread's own permission check."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=_attachment_path, storage=private_storage, max_length=300)
    name = models.CharField(_("name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["agency", "message"])]

    def __str__(self) -> str:
        return self.name
