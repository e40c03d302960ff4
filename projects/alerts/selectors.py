"""Reads of alerts, with the same visibility as projects (projects.selectors)."""
from django.db.models import QuerySet

from mrm.core.versioned_cache import VersionedCache
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


# The menu badge is on every staff page: its count is cached per member under the agency's badge version, which
# every change of the agency's alerts replaces (`alert_badge_changed`), so no member reads a count older than the
# last change. Only a change of project visibility (a member joins a team) waits for the TTL.
BADGES = VersionedCache(namespace="projects:alert-badge", ttl=120)


def alert_badge_changed(*, agency_id: int) -> None:
    """The agency's alerts changed: every member's badge counts again."""
    BADGES.changed(agency_id=agency_id)


def open_alert_badge(*, agency: Agency, membership: Membership) -> int:
    """`open_alert_count` through the cache: no query on a page whose member's count is known."""
    refuse_client(membership)
    return BADGES.get_or_compute(agency_id=agency.pk, parts=(membership.pk,),
                                 compute=lambda: open_alert_count(agency=agency, membership=membership))
