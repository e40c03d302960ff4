"""Fixed-window counters in the shared cache (Redis in production): "at most N of X per window".

The cache must be shared by every process (see CACHES in settings) or each gunicorn worker counts alone.
Keys are hashed, so e-mail addresses and other personal data do not appear in the cache in clear.
"""
import hashlib

from django.core.cache import cache


def _key(scope: str, subject: str) -> str:
    digest = hashlib.sha256(subject.strip().lower().encode()).hexdigest()[:32]
    return f"rl:{scope}:{digest}"


def rate_limit_hit(*, scope: str, subject: str | None, limit: int, window: int) -> bool:
    """Count one event of `subject` (an IP, an agency id, an address) in `scope`; True when this event is over
    `limit` per `window` seconds. Counting is atomic on Redis (INCR), so parallel requests cannot slip by."""
    key = _key(scope, subject or "unknown")
    if cache.add(key, 1, timeout=window):
        return 1 > limit
    try:
        count = cache.incr(key)
    except ValueError:  # the window ended between add() and incr()
        cache.add(key, 1, timeout=window)
        count = 1
    return count > limit


def rate_limit_reached(*, scope: str, subject: str | None, limit: int) -> bool:
    """True when `subject` has already used its `limit` in the current window (nothing is counted)."""
    return (cache.get(_key(scope, subject or "unknown")) or 0) >= limit
