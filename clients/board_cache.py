"""The deals kanban's column totals (count, sum and weighted sum per stage and currency), cached per agency version,
visibility, pipeline and filters (`mrm.core.versioned_cache`).

At 30,000 clients an AM's board sums ten thousand deals (35 ms of SQL on every view of the board) for figures that
change only when a deal, a client (its owner decides who sees its deals), a team or a stage (its probability)
changes. Those rows announce themselves here (`connect`, from `ClientsConfig.ready`); the import, which writes with
`bulk_create`, calls `board_changed` itself. The TTL bounds the one thing no write announces: a closed deal leaving
the board 90 days after it closed (within five minutes of that moment).
"""
from collections.abc import Callable
from typing import TypeVar

from django.apps import apps
from django.db.models.signals import m2m_changed, post_delete, post_save

from mrm.core.versioned_cache import VersionedCache, visibility_key

T = TypeVar("T")
BOARD_SUMS = VersionedCache(namespace="clients:board-sums", ttl=300)
WATCHED = ("clients.Deal", "clients.Client", "clients.PipelineStage", "clients.Pipeline")


def board_changed(*, agency_id: int) -> None:
    BOARD_SUMS.changed(agency_id=agency_id)


def cached_board_sums(*, membership, pipeline_id, filters: dict, user, compute: Callable[[], T]) -> T:
    plain = tuple(sorted((key, str(getattr(value, "pk", value))) for key, value in filters.items()))
    parts = (visibility_key(membership), str(pipeline_id), plain, getattr(user, "pk", None))
    return BOARD_SUMS.get_or_compute(agency_id=membership.agency_id, parts=parts, compute=compute)


def _changed(sender, instance, **kwargs) -> None:
    agency_id = getattr(instance, "agency_id", None)
    if agency_id is not None:
        board_changed(agency_id=agency_id)


def _team_changed(sender, instance, action, **kwargs) -> None:
    if action in ("post_add", "post_remove", "post_clear"):
        _changed(sender, instance)


def connect() -> None:
    for label in WATCHED:
        model = apps.get_model(label)
        post_save.connect(_changed, sender=model, dispatch_uid=f"clients-board-save-{label}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"clients-board-delete-{label}")
    team = apps.get_model("clients.Client").team.through
    m2m_changed.connect(_team_changed, sender=team, dispatch_uid="clients-board-team")
