"""Per-agency caches of computed figures that no reader sees older than the agency's last relevant change.

Each namespace keeps one version token per agency in the cache; a cached value's key carries the token it was
computed under. A change calls `changed(agency_id=…)`: the token is dropped at once (so the writer's own
transaction, and a test without commits, read fresh figures) and again after the commit (so a reader that
computed from the old rows between the two cannot leave its value under the new token). The next reader draws a
new token and recomputes. `ttl` bounds what a change that no hook sees (a bulk SQL update) can leave behind.
"""
import hashlib
import time
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from django.core.cache import cache
from django.db import transaction

T = TypeVar("T")
_MISSING = object()


@dataclass(frozen=True)
class VersionedCache:
    namespace: str
    ttl: int

    def _version_key(self, agency_id: int) -> str:
        return f"{self.namespace}:version:{agency_id}"

    def changed(self, *, agency_id: int) -> None:
        """The agency's figures changed: every cached value of this namespace is computed again."""
        key = self._version_key(agency_id)
        cache.delete(key)
        transaction.on_commit(lambda: cache.delete(key))

    def version(self, *, agency_id: int) -> int:
        key = self._version_key(agency_id)
        version = cache.get(key)
        if version is None:
            cache.add(key, time.time_ns(), timeout=None)
            version = cache.get(key)
        return version

    def get_or_compute(self, *, agency_id: int, parts: tuple[Hashable, ...], compute: Callable[[], T]) -> T:
        """The value of `compute()` for `parts` (everything the value depends on besides the agency's rows)."""
        digest = hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()
        key = f"{self.namespace}:{agency_id}:{self.version(agency_id=agency_id)}:{digest}"
        value = cache.get(key, _MISSING)
        if value is _MISSING:
            value = compute()
            cache.set(key, value, timeout=self.ttl)
        return value


def visibility_key(membership) -> Hashable:
    """Who sees the same rows: every director the whole agency; anyone else their own clients and teams."""
    return "agency" if membership.is_director else (membership.role, membership.user_id)


def watch_writes(changed: Callable[..., None], *, labels: Iterable[str], relations: Iterable[str] = (),
                 uid: str) -> None:
    """Call `changed(agency_id=…)` after every save or delete of the models `labels` ("app.Model"; an agency row
    is its own agency) and every add, remove or clear of the many-to-many `relations` ("app.Model.field", the
    instance being the model's row). Writes that send no signals (`bulk_create`, `update`) must call `changed`
    themselves. Connected once per `uid` (call it from `AppConfig.ready`)."""
    from django.apps import apps
    from django.db.models.signals import m2m_changed, post_delete, post_save

    def on_write(sender, instance, **kwargs) -> None:
        agency_id = instance.pk if instance._meta.label == "tenancy.Agency" else getattr(instance, "agency_id", None)
        if agency_id is not None:
            changed(agency_id=agency_id)

    def on_relation(sender, instance, action, **kwargs) -> None:
        if action in ("post_add", "post_remove", "post_clear"):
            on_write(sender, instance)

    for label in labels:
        model = apps.get_model(label)
        post_save.connect(on_write, sender=model, weak=False, dispatch_uid=f"{uid}-save-{label}")
        post_delete.connect(on_write, sender=model, weak=False, dispatch_uid=f"{uid}-delete-{label}")
    for relation in relations:
        label, field = relation.rsplit(".", 1)
        through = getattr(apps.get_model(label), field).through
        m2m_changed.connect(on_relation, sender=through, weak=False, dispatch_uid=f"{uid}-m2m-{relation}")
