"""Brute-force protection of the password log-in.

Two independent fences:
- per account (django-axes, AXES_LOCKOUT_PARAMETERS counts by "username"): AXES_FAILURE_LIMIT wrong passwords for one
  e-mail, in any spelling and from anywhere, lock that account for AXES_COOLOFF_TIME; other people behind the same
  address are not affected; a password reset by e-mail lifts the lock;
- per client address (a cache counter, below): LOGIN_FAILURE_IP_LIMIT failures in LOGIN_FAILURE_IP_WINDOW seconds
  pause password log-ins from that address — far higher than the account limit, so an office shares it easily.
"""
import math
from datetime import timedelta

from axes.helpers import get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.conf import settings
from django.db.models import Max
from django.shortcuts import render
from django.utils import timezone

from mrm.tenancy.context import client_ip

from .emails import email_normalize
from .ratelimit import failure_record, failure_wait

LOGIN_IP_SCOPE = "login-ip"


def axes_username(request, credentials: dict | None) -> str | None:
    """AXES_USERNAME_CALLABLE: the normalised e-mail, so `PM@…` and `pm@…` share one failure count."""
    value = None
    if credentials:
        value = credentials.get(settings.AXES_USERNAME_FORM_FIELD) or credentials.get("email")
    if value is None and request is not None:
        value = request.POST.get(settings.AXES_USERNAME_FORM_FIELD) or request.POST.get("email")
    return email_normalize(value) or None


def account_lock_remaining(*, email: str, request=None) -> timedelta:
    """How long the account stays locked: the cool-off counts from its latest failure."""
    cool_off = get_cool_off(request) or timedelta(0)
    latest = AccessAttempt.objects.filter(username=email_normalize(email)).aggregate(at=Max("attempt_time"))["at"]
    if latest is None:
        return cool_off
    return max(latest + cool_off - timezone.now(), timedelta(0))


def account_lock_clear(*, email: str) -> int:
    """Forget the failed log-ins of one account (every spelling of it); returns how many records went."""
    return axes_reset(username=email_normalize(email))


def lockout_response(request, original_response=None, credentials: dict | None = None):
    """AXES_LOCKOUT_CALLABLE: say which account is locked, for how long, and how to unlock it now."""
    email = axes_username(request, credentials) or ""
    remaining = account_lock_remaining(email=email, request=request)
    return render(request, "accounts/locked_out.html", {
        "email": email,
        "minutes": max(1, math.ceil(remaining.total_seconds() / 60)),
        "failure_limit": get_failure_limit(request, credentials),
    }, status=settings.AXES_HTTP_RESPONSE_CODE)


def login_ip_wait(request) -> int:
    """Seconds until password log-ins from this client address are allowed again (0: allowed now)."""
    ip = client_ip(request)
    if not ip:
        return 0
    return failure_wait(scope=LOGIN_IP_SCOPE, ident=ip, limit=settings.LOGIN_FAILURE_IP_LIMIT,
                        window=settings.LOGIN_FAILURE_IP_WINDOW)


def login_failed_receiver(sender, credentials=None, request=None, **kwargs) -> None:
    """`user_login_failed`: count the failure against the client address as well."""
    ip = client_ip(request) if request is not None else None
    if ip:
        failure_record(scope=LOGIN_IP_SCOPE, ident=ip, window=settings.LOGIN_FAILURE_IP_WINDOW)
