"""Writes that can move a dashboard figure replace the agency's figures version (dashboards.figures_cache).

Saved or deleted one at a time through the ORM, these rows announce themselves here; the status, owner and stage
history, which bulk writers create with `bulk_create` (no signals), call `figures_changed` itself
(clients.services.history). Team changes arrive as `m2m_changed` of `Client.team`.
"""
from mrm.core.versioned_cache import watch_writes

from .figures_cache import figures_changed

# What the board and the portfolio read besides the history: the rows themselves, their targets and settings,
# who sees which clients, and the rollups (a rebuild ends by saving its state row).
WATCHED = ("clients.Client", "clients.ClientStatusChange", "clients.ClientOwnerChange", "clients.Deal", "clients.Invoice", "clients.AccountPlan", "portal.NpsResponse",
           "comms.ClientRequest", "reporting.ReportRating", "tenancy.KpiTarget", "tenancy.Membership",
           "tenancy.Agency", "dashboards.KpiRollupState", "dashboards.ClientEconomicsState")


def connect() -> None:
    watch_writes(figures_changed, labels=WATCHED, relations=("clients.Client.team",), uid="dashboards-figures")
