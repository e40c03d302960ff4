"""API throttles: per API key, per user and per anonymous client address; rates from DEFAULT_THROTTLE_RATES.

DRF's own classes read the rates once at import; these read them per request, so `settings` overrides apply.
"""
from django.core.exceptions import ImproperlyConfigured
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from mrm.tenancy.context import client_ip

from .models import ApiToken


class _RateFromSettings(SimpleRateThrottle):
    def get_rate(self) -> str | None:
        try:
            return api_settings.DEFAULT_THROTTLE_RATES[self.scope]
        except KeyError as exc:
            raise ImproperlyConfigured(f"No DEFAULT_THROTTLE_RATES entry for the {self.scope!r} throttle.") from exc

    def _key(self, ident) -> str:
        return self.cache_format % {"scope": self.scope, "ident": ident}


class ApiKeyRateThrottle(_RateFromSettings):
    """Each API key on its own budget."""

    scope = "api_key"

    def get_cache_key(self, request, view) -> str | None:
        return self._key(request.auth.pk) if isinstance(request.auth, ApiToken) else None


class UserRateThrottle(_RateFromSettings):
    """All of one person's traffic — every key and the browser session — on one budget."""

    scope = "user"

    def get_cache_key(self, request, view) -> str | None:
        return self._key(request.user.pk) if request.user and request.user.is_authenticated else None


class AnonRateThrottle(_RateFromSettings):
    """Unauthenticated calls (the schema, the docs, refused requests) per client address."""

    scope = "anon"

    def get_cache_key(self, request, view) -> str | None:
        if request.user and request.user.is_authenticated:
            return None
        return self._key(client_ip(request._request) or "unknown")
