"""Writes: create notifications (idempotent on their key), deliver them, preferences, Telegram links, reading."""
import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation

from mrm.accounts.models import User
from mrm.tenancy.models import Agency, Membership, Role

from .kinds import KINDS
from .models import Channel, Delivery, Notification, NotificationPreference, TelegramLink, new_link_code

logger = logging.getLogger(__name__)

LINK_CODE_TTL = timedelta(minutes=30)


@dataclass(frozen=True)
class Channels:
    in_app: bool
    email: bool
    telegram: bool
    digest: bool


def preference_for(*, agency: Agency, user: User, kind: str) -> Channels:
    pref = NotificationPreference.objects.filter(agency=agency, user=user, kind=kind).first()
    if pref is not None:
        return Channels(pref.in_app, pref.email, pref.telegram, pref.digest)
    spec = KINDS.get(kind)
    return Channels(True, bool(spec and spec.email), bool(spec and spec.telegram), False)


@transaction.atomic
def preferences_save(*, agency: Agency, user: User, choices: dict[str, Channels]) -> None:
    for kind, ch in choices.items():
        NotificationPreference.objects.update_or_create(
            agency=agency, user=user, kind=kind,
            defaults={"in_app": ch.in_app, "email": ch.email, "telegram": ch.telegram, "digest": ch.digest})


def _render(*, kind: str, context: dict, language: str) -> tuple[str, str]:
    spec = KINDS[kind]
    with translation.override(language or settings.LANGUAGE_CODE):
        return spec.title(context)[:300], spec.body(context)


def notify(*, agency: Agency, recipient: User, kind: str, title: str = "", body: str = "", url: str = "",
           key: str, context: dict | None = None) -> Notification | None:
    """Put a notification in `recipient`'s inbox and queue its e-mail/Telegram deliveries after commit.

    Idempotent on `key` (per recipient): the same key again returns the existing notification and sends
    nothing. With `context` and a known kind, title and body are rendered in the recipient's language.
    Returns None when the recipient is not an active member or turned this kind off everywhere."""
    membership = Membership.objects.filter(agency=agency, user=recipient, is_active=True).first()
    if membership is None or not recipient.is_active:
        return None
    existing = Notification.objects.filter(agency=agency, recipient=recipient, key=key[:200]).first()
    if existing is not None:
        return existing
    channels = preference_for(agency=agency, user=recipient, kind=kind)
    if context is not None and kind in KINDS:
        title, body = _render(kind=kind, context=context, language=recipient.language)
    if not (channels.in_app or channels.email or channels.telegram):
        return None
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                agency=agency, recipient=recipient, kind=kind, title=title[:300], body=body, url=url[:500],
                key=key[:200], read_at=None if channels.in_app else timezone.now())
            wanted = []
            if channels.email and recipient.email:
                wanted.append(Channel.EMAIL)
            if channels.telegram and TelegramLink.objects.filter(
                    agency=agency, user=recipient, chat_id__isnull=False).exists():
                wanted.append(Channel.TELEGRAM)
            deliveries = Delivery.objects.bulk_create(
                [Delivery(agency=agency, notification=notification, channel=ch, in_digest=channels.digest)
                 for ch in wanted])
    except IntegrityError:  # a concurrent notify() with the same key won
        return Notification.objects.filter(agency=agency, recipient=recipient, key=key[:200]).first()
    if not channels.digest:
        from .tasks import delivery_send_task

        for delivery in deliveries:
            delivery_send_task.delay_on_commit(agency_id=agency.pk, delivery_id=delivery.pk)
    return notification


# --- Delivery claims: pending → sending (fresh token) → sent | pending (transient) | failed ------------------

def deliveries_claim(*, agency_id: int, ids: list[int]) -> uuid.UUID | None:
    """Claim pending deliveries for one send; the token names exactly the rows this attempt owns."""
    token = uuid.uuid4()
    claimed = Delivery.objects.filter(agency_id=agency_id, pk__in=ids, status=Delivery.Status.PENDING).update(
        status=Delivery.Status.SENDING, claim=token, claimed_at=timezone.now(), attempts=F("attempts") + 1)
    return token if claimed else None


def deliveries_sent(*, token: uuid.UUID) -> None:
    Delivery.objects.filter(claim=token, status=Delivery.Status.SENDING).update(
        status=Delivery.Status.SENT, sent_at=timezone.now(), last_error="")


def deliveries_release(*, token: uuid.UUID, error: str, final: bool) -> None:
    """A failed attempt: back to pending for the retry, or failed for good (`final`)."""
    status = Delivery.Status.FAILED if final else Delivery.Status.PENDING
    Delivery.objects.filter(claim=token, status=Delivery.Status.SENDING).update(status=status, last_error=error[:2000])


def deliveries_fail_stuck(*, agency: Agency) -> int:
    """A row still "sending" long after its claim: its worker died mid-send and the message may have gone
    out, so it is never sent again; it is recorded as failed with that reason."""
    cutoff = timezone.now() - timedelta(seconds=settings.NOTIFICATION_SEND_LEASE_SECONDS)
    with translation.override("en"):
        return Delivery.objects.filter(agency=agency, status=Delivery.Status.SENDING, claimed_at__lt=cutoff).update(
            status=Delivery.Status.FAILED,
            last_error="The worker stopped while sending; the outcome is unknown, so it is not sent again.")




# --- Reading -----------------------------------------------------------------------------------------------

def notification_mark_read(*, agency: Agency, user: User, notification: Notification) -> Notification:
    if notification.read_at is None:
        now = timezone.now()
        Notification.objects.filter(agency=agency, recipient=user, pk=notification.pk, read_at__isnull=True).update(
            read_at=now)
        notification.read_at = now
    return notification


def notifications_mark_all_read(*, agency: Agency, user: User) -> int:
    return Notification.objects.filter(agency=agency, recipient=user, read_at__isnull=True).update(
        read_at=timezone.now())


# --- Telegram linking --------------------------------------------------------------------------------------

def telegram_link_code(*, agency: Agency, user: User, renew: bool = False) -> TelegramLink:
    """The person's link row with a valid one-time code (a new one when expired or `renew`)."""
    link, _created = TelegramLink.objects.get_or_create(agency=agency, user=user)
    if renew or not link.code or not link.code_expires_at or link.code_expires_at <= timezone.now():
        link.code = new_link_code()
        link.code_expires_at = timezone.now() + LINK_CODE_TTL
        link.save(update_fields=["code", "code_expires_at"])
    return link


def telegram_unlink(*, agency: Agency, user: User) -> None:
    TelegramLink.objects.filter(agency=agency, user=user).update(chat_id=None, linked_at=None)


def telegram_link_by_code(*, code: str, chat_id: int) -> TelegramLink | None:
    """`/start <code>` arrived from `chat_id`: link the chat if the code is valid (one use, not expired)."""
    from django_scopes import scope, scopes_disabled

    # The bot's update names no agency; the one-time code does (codes are unique across agencies).
    with scopes_disabled():
        link = TelegramLink.objects.select_related("agency").filter(
            code=code, code_expires_at__gt=timezone.now()).first()
    if link is None:
        return None
    with scope(agency=link.agency):
        claimed = TelegramLink.objects.filter(agency=link.agency, pk=link.pk, code=code).update(
            chat_id=chat_id, linked_at=timezone.now(), code=None, code_expires_at=None)
    if not claimed:
        return None
    link.refresh_from_db()
    return link


def telegram_handle_update(update: dict) -> None:
    """One Bot API Update: `/start CODE` links the chat and answers; anything else gets a short hint."""
    from mrm.integrations import telegram

    message = update.get("message") if isinstance(update, dict) else None
    if not isinstance(message, dict):
        return
    chat = message.get("chat") or {}
    text = str(message.get("text") or "").strip()
    chat_id = chat.get("id")
    if not isinstance(chat_id, int) or not text.startswith("/start"):
        return
    parts = text.split(maxsplit=1)
    code = parts[1].strip() if len(parts) > 1 else ""
    link = telegram_link_by_code(code=code, chat_id=chat_id) if code else None
    if link is not None:
        with translation.override(link.user.language):
            reply = translation.gettext("Linked: MRM notifications of %(agency)s will come to this chat.") % {
                "agency": link.agency.name}
    else:
        with translation.override(settings.LANGUAGE_CODE):
            reply = translation.gettext(
                "The code is invalid or expired; get a new one on the MRM notification settings page.")
    try:
        telegram.send_message(chat_id=chat_id, text=reply)
    except telegram.TelegramError:
        logger.warning("telegram: could not answer chat %s", chat_id, exc_info=True)


def is_client(membership: Membership | None) -> bool:
    return membership is not None and membership.role == Role.CLIENT
