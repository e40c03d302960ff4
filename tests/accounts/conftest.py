import pytest


@pytest.fixture(autouse=True)
def _local_cache(settings):
    """Throttle and failure counters live in the cache. These tests travel in time (time-machine) past their
    windows, which a Redis TTL does not follow, so they run on a fresh per-test local-memory cache; that also
    keeps `clear()` away from the Redis database the other xdist workers share."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": "accounts-tests"}}
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
