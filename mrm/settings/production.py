"""Production: everything from the environment, secure cookies and HSTS; refuses insecure defaults."""
from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F401,F403
from .base import env
from .known_secrets import GENERATE_HINT, secret_key_problem

DEBUG = False
SECRET_KEY = env.str("SECRET_KEY")
# Refuses the placeholder from .env.example, the development default and any other key seen in the repository.
if (_secret_key_problem := secret_key_problem(SECRET_KEY)) is not None:
    raise ImproperlyConfigured(f"{_secret_key_problem} {GENERATE_HINT}")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# File storages come from base.py (STORAGE_BACKEND, S3_*); only the static files change.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}}  # noqa: F405
