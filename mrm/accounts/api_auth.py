"""API keys: `Authorization: Token mrm_…`, resolved by the tenancy middleware, checked here."""
import hashlib

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import scopes_disabled
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from .models import ApiToken


def token_from_header(request) -> str | None:
    parts = get_authorization_header(request).split()
    if len(parts) != 2 or parts[0].lower() != b"token":
        return None
    try:
        return parts[1].decode()
    except UnicodeError:
        return ""


def token_resolve(*, raw: str) -> ApiToken | None:
    """The live token for a raw key, or None; marks it used (at most once a minute)."""
    digest = hashlib.sha256(raw.encode()).hexdigest()
    # Tenancy code: the token is what tells us the agency.
    with scopes_disabled():
        token = (
            ApiToken.objects.filter(key_hash=digest, revoked_at__isnull=True, membership__is_active=True,
                                    user__is_active=True)
            .select_related("user", "membership", "agency")
            .first()
        )
        if token and (token.last_used_at is None or (timezone.now() - token.last_used_at).total_seconds() > 60):
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token


class ApiTokenAuthentication(BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        if token_from_header(request) is None:
            return None
        token = getattr(request._request, "api_token", None)
        if token is None:
            raise AuthenticationFailed(_("Invalid or revoked API key."))
        return token.user, token

    def authenticate_header(self, request) -> str:
        return self.keyword
