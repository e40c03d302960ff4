"""The transactional outbox: an app records an event in the transaction of the change it announces, and a
Celery task delivers it to the receivers after commit. Nothing is lost (the row survives a crash, a failing
receiver or a broker outage; a beat sweep re-sends what is due) and nothing is delivered twice to a
receiver that succeeded: each delivery runs in a transaction that locks the row, every receiver in its own
savepoint, and the receivers that took the event are recorded on the row in that same transaction.
"""
import logging
from collections.abc import Callable, Iterable
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from mrm.tenancy.models import Agency

from .models import OutboxEvent

logger = logging.getLogger(__name__)

RETRY_BASE_SECONDS = 60
RETRY_MAX_SECONDS = 6 * 60 * 60


def outbox_write(*, agency: Agency, kind: str, key: str, payload: dict) -> tuple[OutboxEvent, bool]:
    """Record an event once per (kind, key), in the caller's transaction; (event, created)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("outbox_write() belongs in the transaction of the change it announces")
    return OutboxEvent.objects.get_or_create(agency=agency, kind=kind, key=key[:200],
                                             defaults={"payload": payload})


def retry_delay(attempts: int) -> timedelta:
    """1, 2, 4 … minutes after each failed delivery, at most six hours."""
    return timedelta(seconds=min(RETRY_MAX_SECONDS, RETRY_BASE_SECONDS * 2 ** max(0, attempts - 1)))


def receiver_name(receiver: Callable) -> str:
    return f"{receiver.__module__}.{getattr(receiver, '__qualname__', repr(receiver))}"


def outbox_deliver(*, agency: Agency, event_id, receivers: Iterable[Callable[[OutboxEvent], None]]) -> bool | None:
    """Hand the event to each receiver that has not taken it yet; True when it is fully processed, False when
    a receiver failed (the error is on the row and the sweep retries it), None when there was nothing to do
    (processed already, or another worker is delivering it right now)."""
    now = timezone.now()
    with transaction.atomic():
        event = (OutboxEvent.objects.select_for_update(skip_locked=True)
                 .filter(agency=agency, pk=event_id, processed_at__isnull=True).first())
        if event is None:
            return None
        delivered, errors = list(event.delivered_to), []
        for receiver in receivers:
            name = receiver_name(receiver)
            if name in delivered:
                continue
            try:
                with transaction.atomic():  # a failing receiver rolls back its own writes only
                    receiver(event)
            except Exception as exc:  # noqa: BLE001 - any receiver failure is recorded and retried
                logger.exception("outbox %s %s: receiver %s failed", event.kind, event.pk, name)
                errors.append(f"{name}: {type(exc).__name__}: {exc}")
            else:
                delivered.append(name)
        event.attempts += 1
        event.delivered_to = delivered
        if errors:
            event.last_error = "\n".join(errors)[:4000]
            event.next_attempt_at = now + retry_delay(event.attempts)
        else:
            event.last_error, event.next_attempt_at, event.processed_at = "", None, now
        event.save(update_fields=["attempts", "delivered_to", "last_error", "next_attempt_at", "processed_at"])
    return not errors


def outbox_due(*, kind: str, limit: int = 500) -> list[tuple[int, str]]:
    """(agency id, event id) of unprocessed events whose next attempt is due, oldest first (all agencies:
    the caller is a maintenance sweep)."""
    now = timezone.now()
    return [(agency_id, str(pk)) for agency_id, pk in OutboxEvent.objects.filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now), kind=kind, processed_at__isnull=True,
    ).order_by("created_at").values_list("agency_id", "pk")[:limit]]
