"""Writes of the personal calendar feed (a secret, revocable iCal address; only its hash is stored)."""
import secrets

from django.db import transaction
from django.utils import timezone

from mrm.accounts.models import CalendarFeed
from mrm.tenancy.models import Agency
from mrm.tenancy.services import audit

from ..selectors.calendar import hash_feed_token


@transaction.atomic
def calendar_feed_create(*, agency: Agency, user) -> tuple[CalendarFeed, str]:
    """A new secret address for the member; any previous one stops working. Returns the raw token once."""
    calendar_feed_revoke(agency=agency, user=user)
    raw = secrets.token_urlsafe(32)
    feed = CalendarFeed.objects.create(agency=agency, user=user, token=hash_feed_token(raw))
    audit(agency=agency, actor=user, action="calendar_feed.created", target=user)
    return feed, raw


@transaction.atomic
def calendar_feed_revoke(*, agency: Agency, user) -> int:
    """Revoke the member's live feed; calendar apps get 404 from then on. Returns how many were revoked."""
    live = list(CalendarFeed.objects.filter(agency=agency, user=user, revoked_at__isnull=True))
    if live:
        CalendarFeed.objects.filter(pk__in=[f.pk for f in live]).update(revoked_at=timezone.now())
        audit(agency=agency, actor=user, action="calendar_feed.revoked", target=user)
    return len(live)
