"""Per-request facts that services read without threading the request through every call."""
import ipaddress
from contextvars import ContextVar

from django.conf import settings

current_ip: ContextVar[str | None] = ContextVar("current_ip", default=None)


def _valid_ip(value: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """The address of whoever sent the request, as far as it can be trusted.

    `X-Forwarded-For` is written by the client and then appended to by each proxy, so only the entries our own
    proxies added are true. With `TRUSTED_PROXY_COUNT = 0` (the default: no proxy in front, e.g. `make run`) the
    header is ignored and the socket peer (REMOTE_ADDR) is the client. With N proxies the client is the Nth
    address from the right (each proxy appends the peer it saw); anything left of it may be forged. This is the
    one place the app reads REMOTE_ADDR / X-Forwarded-For: the public-form rate limits, the audit log, proposal
    tracking and acceptance evidence and the login lockout (AXES_CLIENT_IP_CALLABLE) all call it, and so must
    any new rate limit or throttle.
    """
    remote = _valid_ip(request.META.get("REMOTE_ADDR"))
    proxies = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies <= 0 or not forwarded:
        return remote
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    if not hops:
        return remote
    # Fewer hops than proxies: the request skipped the outer ones; the leftmost hop was still added by ours.
    return _valid_ip(hops[-min(proxies, len(hops))]) or remote
