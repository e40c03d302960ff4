"""Delivery tasks: one message per Delivery row (or per digest batch), never twice.

A task claims its rows (pending → sending, mrm.notifications.services.deliveries_claim) before it sends and
marks them sent right after; a retry or a redelivered message finds nothing pending and does nothing. A
transient failure releases the rows back to pending and retries with exponential backoff; a permanent one
(or the last retry) records the error on the row, where the inbox and the preferences page show it."""
import logging

from django.conf import settings
from django.core.cache import cache

from mrm.celery import app
from mrm.integrations import telegram
from mrm.tenancy.models import Agency
from mrm.tenancy.tasks import AgencyTask

from . import channels
from .models import Delivery
from .services import deliveries_claim, deliveries_fail_stuck, deliveries_release, deliveries_sent

logger = logging.getLogger(__name__)


def _backoff(task, error) -> int:
    after = getattr(error, "retry_after", None)
    base = settings.NOTIFICATION_RETRY_BASE_SECONDS * (2 ** task.request.retries)
    return max(int(after or 0), base)


def _send_claimed(task, *, token, channel: str, send) -> None:
    try:
        send()
    except channels.TransientSendError as exc:
        final = task.request.retries >= settings.NOTIFICATION_MAX_RETRIES
        deliveries_release(token=token, error=str(exc), final=final)
        if final:
            logger.warning("notification delivery %s failed for good: %s", channel, exc)
            return
        raise task.retry(countdown=_backoff(task, exc), max_retries=settings.NOTIFICATION_MAX_RETRIES) from exc
    except channels.SendError as exc:
        deliveries_release(token=token, error=str(exc), final=True)
        logger.warning("notification delivery %s failed: %s", channel, exc)
        return
    deliveries_sent(token=token)


@app.task(base=AgencyTask, bind=True, acks_late=True, max_retries=None)
def delivery_send_task(self, *, agency_id: int, delivery_id: int) -> None:
    delivery = Delivery.objects.filter(agency_id=agency_id, pk=delivery_id).select_related(
        "notification", "notification__recipient").first()
    if delivery is None or delivery.status != Delivery.Status.PENDING:
        return  # sent, failed, or another worker is sending it
    token = deliveries_claim(agency_id=agency_id, ids=[delivery.pk])
    if token is None:
        return
    note = delivery.notification
    _send_claimed(self, token=token, channel=delivery.channel,
                  send=lambda: channels.send(channel=delivery.channel, agency_id=agency_id,
                                             user=note.recipient, notifications=[note]))


@app.task(base=AgencyTask, bind=True, acks_late=True, max_retries=None)
def digest_send_task(self, *, agency_id: int, user_id: int, channel: str) -> None:
    """One digest message with every waiting notification of this person on this channel."""
    ids = list(Delivery.objects.filter(
        agency_id=agency_id, notification__recipient_id=user_id, channel=channel, in_digest=True,
        status=Delivery.Status.PENDING).order_by("created_at").values_list("pk", flat=True)[:200])
    if not ids:
        return
    token = deliveries_claim(agency_id=agency_id, ids=ids)
    if token is None:
        return
    rows = list(Delivery.objects.filter(claim=token).select_related("notification", "notification__recipient"))
    if not rows:
        return
    notes = [row.notification for row in rows]
    _send_claimed(self, token=token, channel=channel,
                  send=lambda: channels.send(channel=channel, agency_id=agency_id, user=notes[0].recipient,
                                             notifications=notes, digest=True))


@app.task(bind=True, acks_late=True)
def digest_all_task(self) -> None:
    """Beat, daily: one digest task per person and channel with deliveries waiting for the digest."""
    for agency in Agency.objects.all():
        from django_scopes import scope

        with scope(agency=agency):
            pairs = set(Delivery.objects.filter(agency=agency, in_digest=True, status=Delivery.Status.PENDING)
                        .values_list("notification__recipient_id", "channel").distinct())
        for user_id, channel in sorted(pairs):
            digest_send_task.delay(agency_id=agency.pk, user_id=user_id, channel=channel)


@app.task(bind=True, acks_late=True)
def deliveries_fail_stuck_task(self) -> None:
    from django_scopes import scope

    for agency in Agency.objects.all():
        with scope(agency=agency):
            deliveries_fail_stuck(agency=agency)


@app.task(bind=True, acks_late=True)
def telegram_poll_task(self) -> int:
    """Beat (TELEGRAM_POLL=1, no webhook): read the bot's new messages and link chats by their /start code."""
    from .services import telegram_handle_update

    if not telegram.is_configured():
        return 0
    # The offset is kept in the shared cache; should it be lost, a code is one-use, so re-reading is harmless.
    offset = cache.get("notifications:telegram:offset")
    try:
        updates = telegram.get_updates(offset=offset)
    except telegram.TelegramError as exc:
        logger.warning("telegram getUpdates failed: %s", exc)
        return 0
    for update in updates:
        telegram_handle_update(update)
        if isinstance(update.get("update_id"), int):
            cache.set("notifications:telegram:offset", update["update_id"] + 1, None)
    return len(updates)



