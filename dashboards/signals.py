"""Writes that can move a dashboard figure replace the agency's figures version (dashboards.figures_cache).

Saved or deleted one at a time through the ORM, these rows announce themselves here; the status, owner and stage
history, which bulk writers create with `bulk_create` (no signals), call `figures_changed` itself
(clients.services.history). Team changes arrive as `m2m_changed` of `Client.team`.
"""
from django.apps import apps
from django.db.models.signals import m2m_changed, post_delete, post_save

from .figures_cache import figures_changed

# What the board and the portfolio read besides the history: the rows themselves, their targets and settings,
# who sees which clients, and the rollups (a rebuild ends by saving its state row).
WATCHED = ("clients.Client", "clients.ClientStatusChange", "clients.ClientOwnerChange", "clients.Deal", "clients.Invoice", "clients.AccountPlan", "portal.NpsResponse",
           "comms.ClientRequest", "reporting.ReportRating", "tenancy.KpiTarget", "tenancy.Membership",
           "tenancy.Agency", "dashboards.KpiRollupState", "dashboards.ClientEconomicsState")


def _changed(sender, instance, **kwargs) -> None:
    agency_id = instance.pk if sender._meta.label == "tenancy.Agency" else getattr(instance, "agency_id", None)
    if agency_id is not None:
        figures_changed(agency_id=agency_id)


def _team_changed(sender, instance, action, **kwargs) -> None:
    # Teams are edited from the client (its form's `team.set`); the instance is then the client.
    if action in ("post_add", "post_remove", "post_clear"):
        _changed(sender, instance)


def connect() -> None:
    for label in WATCHED:
        model = apps.get_model(label)
        post_save.connect(_changed, sender=model, dispatch_uid=f"dashboards-figures-save-{label}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"dashboards-figures-delete-{label}")
    team = apps.get_model("clients.Client").team.through
    m2m_changed.connect(_team_changed, sender=team, dispatch_uid="dashboards-figures-team")
