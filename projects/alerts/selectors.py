"""Reads of alerts, with the same visibility as projects (projects.selectors)."""
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
