"""API keys: `Authorization: Token mrm_…`, resolved by the tenancy middleware, checked here."""
import hashlib

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_scopes import scopes_disabled
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed, PermissionDenied, Throttled

from mrm.tenancy.context import client_ip

from .models import ApiToken
from .ratelimit import failure_record, failure_wait

API_KEY_FAILURE_SCOPE = "api-key-ip"


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


def api_token_blocked_by_2fa(*, token: ApiToken) -> bool:
    """Where the agency requires two-factor authentication, a staff member's keys work only once it is set up."""
    return (
        token.agency.require_2fa and token.membership.is_staff_member
        and not TOTPDevice.objects.filter(user=token.user, confirmed=True).exists()
    )


class ApiTokenAuthentication(BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        if token_from_header(request) is None:
            return None
        ip = client_ip(request._request) or "unknown"
        wait = failure_wait(scope=API_KEY_FAILURE_SCOPE, ident=ip, limit=settings.API_KEY_FAILURE_LIMIT,
                            window=settings.API_KEY_FAILURE_WINDOW)
        if wait:
            # Every key from this address waits, a right one too: otherwise a hit would stand out among the 429s.
            raise Throttled(wait=wait, detail=_(
                "Too many wrong API keys from your address. Try again in %(seconds)s seconds.") % {"seconds": wait})
        token = getattr(request._request, "api_token", None)
        if token is None:
            failure_record(scope=API_KEY_FAILURE_SCOPE, ident=ip, window=settings.API_KEY_FAILURE_WINDOW)
            raise AuthenticationFailed(_("Invalid or revoked API key."))
        if api_token_blocked_by_2fa(token=token):
            raise PermissionDenied(_(
                "Your agency requires two-factor authentication: API keys stop working until you turn it on "
                "for your account (Profile → Two-factor authentication)."), code="two_factor_required")
        return token.user, token

    def authenticate_header(self, request) -> str:
        return self.keyword
