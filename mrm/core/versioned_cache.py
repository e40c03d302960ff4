"""Per-agency caches of computed figures that no reader sees older than the agency's last relevant change.

Each namespace keeps one version token per agency in the cache; a cached value's key carries the token it was
computed under. A change calls `changed(agency_id=…)`: the token is dropped at once (so the writer's own
transaction, and a test without commits, read fresh figures) and again after the commit (so a reader that
computed from the old rows between the two cannot leave its value under the new token). The next reader draws a
new token and recomputes. `ttl` bounds what a change that no hook sees (a bulk SQL update) can leave behind.
"""
import hashlib
import time
from collections.abc import Callable, Hashable
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
