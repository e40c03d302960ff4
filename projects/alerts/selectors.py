"""Reads of alerts, with the same visibility as projects (projects.selectors)."""
import time

from django.core.cache import cache
from django.db import transaction
from django.db.models import QuerySet

from mrm.tenancy.fences import refuse_client
from mrm.tenancy.models import Agency, Membership

from ..models import Alert
from ..selectors import project_visibility_q


def alert_list(*, agency: Agency, membership: Membership) -> QuerySet[Alert]:
    """Alerts of the projects the member sees (open and resolved; filter `resolved_at` for the open ones)."""
    refuse_client(membership)
    return (Alert.objects.filter(agency=agency)
            .filter(project_visibility_q(membership=membership, prefix="project__"))
            .select_related("project", "project__client", "acknowledged_by"))


def open_alert_count(*, agency: Agency, membership: Membership) -> int:
    """Open alerts nobody acknowledged yet, for the menu badge: one COUNT query."""
    refuse_client(membership)
    return (Alert.objects.filter(agency=agency, resolved_at__isnull=True, acknowledged_at__isnull=True)
            .filter(project_visibility_q(membership=membership, prefix="project__")).count())


# The menu badge is on every staff page: its count is cached per member for BADGE_TTL under the agency's badge
# version, which every change of the agency's alerts replaces (`alert_badge_changed`, after the commit), so no
# member reads a count older than the last change. Only a change of project visibility (a member joins a team)
# waits for the TTL.
BADGE_TTL = 120


def _version_key(agency_id: int) -> str:
    return f"projects:alert-badge-version:{agency_id}"


def alert_badge_changed(*, agency_id: int) -> None:
    """The agency's alerts changed: every member's badge counts again (a new version, after the commit)."""
    transaction.on_commit(lambda: cache.set(_version_key(agency_id), time.time_ns(), timeout=None))


def open_alert_badge(*, agency: Agency, membership: Membership) -> int:
    """`open_alert_count` through the cache: no query on a page whose member's count is known."""
    refuse_client(membership)
    version = cache.get(_version_key(agency.pk))
    if version is None:
        cache.add(_version_key(agency.pk), time.time_ns(), timeout=None)
        version = cache.get(_version_key(agency.pk))
    key = f"projects:alert-badge:{agency.pk}:{version}:{membership.pk}"
    count = cache.get(key)
    if count is None:
        count = open_alert_count(agency=agency, membership=membership)
        cache.set(key, count, timeout=BADGE_TTL)
    return count
