"""Reads of the personal calendar feed: the member's live feed, resolving a secret address, and the
events it lists (open tasks with a due date — follow-ups and meetings included — and logged meetings)."""
import hashlib
from datetime import timedelta

from django.db.models import F
from django.utils import timezone
from django_scopes import scopes_disabled

from mrm.accounts.models import CalendarFeed
from mrm.tenancy.models import STAFF_ROLES, Agency, Membership

from ..models import Interaction, Task

FEED_PAST_DAYS = 60
FEED_MAX_EVENTS = 500


def hash_feed_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def calendar_feed_active(*, agency: Agency, user) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(agency=agency, user=user, revoked_at__isnull=True).first()


def calendar_feed_resolve(*, raw: str) -> CalendarFeed | None:
    """The live feed for a secret token from a public URL, or None (unknown, revoked, or the member left)."""
    if not raw or len(raw) > 128:
        return None
    digest = hash_feed_token(raw)
    # Tenancy code: the calendar app fetching the URL has no session; the token is what names the agency.
    with scopes_disabled():
        feed = CalendarFeed.objects.filter(token=digest, revoked_at__isnull=True, user__is_active=True).select_related(
            "agency", "user").first()
        if feed is None or not Membership.objects.filter(agency=feed.agency, user=feed.user, is_active=True,
                                                         role__in=STAFF_ROLES).exists():
            return None
    return feed


def calendar_items(*, agency: Agency, user) -> tuple[list[Task], list[Interaction]]:
    """The member's open dated tasks (from two months back) and the meetings they logged lately; two queries.
    Tasks are those assigned to the member, so no client-visibility filter narrows them further."""
    since = timezone.now() - timedelta(days=FEED_PAST_DAYS)
    tasks = list(Task.objects.filter(agency=agency, assignee=user, done_at__isnull=True, due_at__gte=since)
                 .select_related("client", "deal").order_by("due_at")[:FEED_MAX_EVENTS])
    meetings = list(Interaction.objects.filter(agency=agency, author=user, kind=Interaction.Kind.MEETING,
                                               occurred_at__gte=since).select_related("client")
                    .order_by(F("occurred_at").desc())[:FEED_MAX_EVENTS])
    return tasks, meetings
