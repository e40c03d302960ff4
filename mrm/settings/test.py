"""Tests: the same stack as production (DATABASE_URL / CELERY_BROKER_URL from .ci/run), fast hashing."""
import os
from pathlib import Path

from .base import *  # noqa: F401,F403
from .base import CACHES, DATABASES, VAR_DIR
from .file_storage import storages_setting

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Unit tests run tasks in-process; tests marked celery_worker start a real worker on the real broker.
CELERY_TASK_ALWAYS_EAGER = os.environ.get("MRM_CELERY_WORKER") != "1"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or VAR_DIR / "test-media")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory, so that a Celery worker process can open the same test database.
    # Per process, so parallel runs on one machine never share a file.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}
if os.environ.get("MRM_TEST_DB_NAME"):
    # Set for the Celery worker subprocess started by the integration tests.
    DATABASES["default"]["NAME"] = os.environ["MRM_TEST_DB_NAME"]
AXES_FAILURE_LIMIT = 5
# Local public/private storages whatever the environment says; the S3 tests switch to a local S3 fake
# (tests/fakes/s3.py). PRIVATE_MEDIA_ROOT is moved per test by tests/conftest.py, like MEDIA_ROOT.
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT") or VAR_DIR / "test-private")
STORAGES = storages_setting(backend="local")
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "1000/min", "user": "10000/min",  # noqa: F405
                                                                 "api_key": "10000/min"}}
# Brute-force limits out of the way of the rest of the suite; tests/accounts override them where they test them.
LOGIN_FAILURE_IP_LIMIT = 10_000
API_KEY_FAILURE_LIMIT = 10_000

# --- Shared cache (hardening #9) ---------------------------------------------------------------
# CI points every xdist worker at one Redis (REDIS_URL): a prefix per worker keeps their counters apart, and
# tests/conftest.py clears only its own keys. Without Redis each test process keeps its cache in memory.
if not (os.environ.get("CACHE_URL") or os.environ.get("REDIS_URL")):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CACHES["default"]["KEY_PREFIX"] = f"mrm-test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"

# Connectors (h-connectors): nothing leaves the machine; tests that sync point these at tests/fakes servers.
YANDEX_DIRECT_API_URL = YANDEX_METRICA_API_URL = VK_ADS_API_URL = "http://127.0.0.1:9"
CONNECTOR_BACKOFF_SECONDS = 0.01
CONNECTOR_TIMEOUT_SECONDS = 5.0
