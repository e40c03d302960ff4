"""Cached CRM figures, per agency version and visibility (`mrm.core.versioned_cache`): the deals kanban's column
totals (count, sum and weighted sum per stage and currency, per pipeline and filters) and the KAM portfolio grid.

At 30,000 clients an AM's board sums ten thousand deals (35 ms of SQL on every view) and the portfolio counts and
sorts every client the member sees (45 ms), for figures that change only when a deal, a client (its owner decides
who sees it), a team, a stage (its probability) or an account plan changes. Those rows announce themselves here
(`connect`, from `ClientsConfig.ready`); the import, which writes with `bulk_create`, calls `crm_changed` itself.
The TTL bounds what no write announces: a closed deal leaving the board 90 days after it closed, a renamed user.
"""
from collections.abc import Callable
from typing import TypeVar

from django.apps import apps
from django.db.models.signals import m2m_changed, post_delete, post_save

from mrm.core.versioned_cache import VersionedCache, visibility_key

T = TypeVar("T")
BOARD_SUMS = VersionedCache(namespace="clients:board-sums", ttl=300)
PORTFOLIO = VersionedCache(namespace="clients:portfolio", ttl=300)
# Which cache each model's writes replace (team changes: both, see `_team_changed`).
WATCHED = {"clients.Deal": (BOARD_SUMS,), "clients.Client": (BOARD_SUMS, PORTFOLIO),
           "clients.PipelineStage": (BOARD_SUMS,), "clients.Pipeline": (BOARD_SUMS,),
           "clients.AccountPlan": (PORTFOLIO,)}


def board_changed(*, agency_id: int) -> None:
    BOARD_SUMS.changed(agency_id=agency_id)


def crm_changed(*, agency_id: int) -> None:
    """A bulk write (the import): every cached CRM figure of the agency is computed again."""
    BOARD_SUMS.changed(agency_id=agency_id)
    PORTFOLIO.changed(agency_id=agency_id)


def cached_portfolio(*, membership, compute: Callable[[], T]) -> T:
    return PORTFOLIO.get_or_compute(agency_id=membership.agency_id, parts=(visibility_key(membership),),
                                    compute=compute)


def cached_board_sums(*, membership, pipeline_id, filters: dict, user, compute: Callable[[], T]) -> T:
    plain = tuple(sorted((key, str(getattr(value, "pk", value))) for key, value in filters.items()))
    parts = (visibility_key(membership), str(pipeline_id), plain, getattr(user, "pk", None))
    return BOARD_SUMS.get_or_compute(agency_id=membership.agency_id, parts=parts, compute=compute)


def _changed(sender, instance, **kwargs) -> None:
    agency_id = getattr(instance, "agency_id", None)
    if agency_id is not None:
        for cache in WATCHED[sender._meta.label]:
            cache.changed(agency_id=agency_id)


def _team_changed(sender, instance, action, **kwargs) -> None:
    agency_id = getattr(instance, "agency_id", None)
    if action in ("post_add", "post_remove", "post_clear") and agency_id is not None:
        crm_changed(agency_id=agency_id)


def connect() -> None:
    for label in WATCHED:
        model = apps.get_model(label)
        post_save.connect(_changed, sender=model, dispatch_uid=f"clients-caches-save-{label}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"clients-caches-delete-{label}")
    team = apps.get_model("clients.Client").team.through
    m2m_changed.connect(_team_changed, sender=team, dispatch_uid="clients-caches-team")
