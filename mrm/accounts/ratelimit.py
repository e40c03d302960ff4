"""Failure counters in Django's cache: "N failures from this client in a window" blocks it until the window ends.

The window opens with the first failure and lasts `window` seconds (cache expiry); `cache.incr` keeps the expiry,
so a burst of failures cannot extend it. Works with any shared cache (Redis in production); the local-memory
cache is per process, which is enough for development and tests.
"""
import hashlib
import math
import time

from django.core.cache import cache


def _keys(scope: str, ident: str) -> tuple[str, str]:
    digest = hashlib.sha256(ident.encode()).hexdigest()[:40]
    return f"mrm-fail:{scope}:{digest}", f"mrm-fail:{scope}:{digest}:since"


def failure_record(*, scope: str, ident: str, window: int) -> int:
    """Count one failure of `ident`; returns the failures in its current window, this one included."""
    key, since_key = _keys(scope, ident)
    now = time.time()
    cache.add(since_key, now, timeout=window)
    cache.add(key, 0, timeout=window)
    try:
        return cache.incr(key)
    except ValueError:  # the window expired between add() and incr(): this failure opens a new one
        cache.set(since_key, now, timeout=window)
        cache.set(key, 1, timeout=window)
        return 1


def failure_wait(*, scope: str, ident: str, limit: int, window: int) -> int:
    """Seconds until `ident` may try again (0 when it has fewer than `limit` failures in its window)."""
    key, since_key = _keys(scope, ident)
    if (cache.get(key) or 0) < limit:
        return 0
    since = cache.get(since_key) or time.time()
    return max(1, math.ceil(since + window - time.time()))


def failure_reset(*, scope: str, ident: str) -> None:
    cache.delete_many(list(_keys(scope, ident)))
