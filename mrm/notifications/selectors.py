"""Reads: a person's inbox, unread count, preferences table, failed deliveries."""
from django.db.models import Prefetch, QuerySet

from mrm.accounts.models import User
from mrm.tenancy.models import Agency

from .kinds import KINDS, kinds_for
from .models import Delivery, Notification, NotificationPreference, TelegramLink


def notification_list(*, agency: Agency, user: User) -> QuerySet[Notification]:
    failed = Delivery.objects.filter(agency=agency, status=Delivery.Status.FAILED)
    return (Notification.objects.filter(agency=agency, recipient=user).order_by("-created_at", "-pk")
            .prefetch_related(Prefetch("deliveries", queryset=failed, to_attr="failed_deliveries")))


def notification_get(*, agency: Agency, user: User, notification_id) -> Notification:
    """Someone else's notification is missing (404), exactly like a missing one."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(Notification, agency=agency, recipient=user, pk=notification_id)


def unread_count(*, agency: Agency, user: User) -> int:
    return Notification.objects.filter(agency=agency, recipient=user, read_at__isnull=True).count()


def failed_deliveries(*, agency: Agency, user: User, limit: int = 20) -> list[Delivery]:
    return list(Delivery.objects.filter(agency=agency, notification__recipient=user, status=Delivery.Status.FAILED)
                .select_related("notification").order_by("-created_at")[:limit])


def preference_rows(*, agency: Agency, user: User, is_client: bool) -> list[dict]:
    """One row per kind the person can receive: the saved choice, or the kind's defaults."""
    saved = {p.kind: p for p in NotificationPreference.objects.filter(agency=agency, user=user)}
    rows = []
    for kind in kinds_for(is_client=is_client):
        spec = KINDS[kind]
        pref = saved.get(kind)
        rows.append({
            "kind": kind, "label": spec.label, "field": kind.replace(".", "_"),
            "in_app": pref.in_app if pref else True,
            "email": pref.email if pref else spec.email,
            "telegram": pref.telegram if pref else spec.telegram,
            "digest": pref.digest if pref else False,
        })
    return rows


def telegram_link_get(*, agency: Agency, user: User) -> TelegramLink | None:
    return TelegramLink.objects.filter(agency=agency, user=user).first()
