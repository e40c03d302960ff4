import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _clean_cache():
    """Throttle and failure counters live in the cache: every test starts and ends with none."""
    cache.clear()
    yield
    cache.clear()
