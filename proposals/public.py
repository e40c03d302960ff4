"""Helpers of the public (no login) pages: the signed brief-form token, the per-IP rate limit, and the
signed personal links of the proposal web view."""
import time

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.utils.crypto import constant_time_compare

from mrm.tenancy.models import Agency

FORM_SALT = "proposals.brief-form"
LINK_SALT = "proposals.web-view"
FORM_MAX_AGE = 6 * 60 * 60  # a form left open for longer asks to be sent again (data kept)
FORM_MIN_SECONDS = 2  # faster than a human can type a brief: a bot


def form_token(*, agency: Agency, issued_at: float | None = None) -> str:
    return signing.dumps({"a": str(agency.uuid), "t": int(issued_at or time.time())}, salt=FORM_SALT)


def form_token_check(*, agency: Agency, token: str) -> str:
    """'' if fine, else 'expired' / 'invalid' / 'too_fast'."""
    try:
        data = signing.loads(token or "", salt=FORM_SALT, max_age=FORM_MAX_AGE)
    except signing.SignatureExpired:
        return "expired"
    except signing.BadSignature:
        return "invalid"
    if data.get("a") != str(agency.uuid):
        return "invalid"
    if time.time() - int(data.get("t", 0)) < FORM_MIN_SECONDS:
        return "too_fast"
    return ""


def rate_limit_hit(*, scope_key: str, ip: str | None) -> bool:
    """Count one attempt for this IP; True when it is over the limit (N per window, Django cache)."""
    limit, window = getattr(settings, "PROPOSALS_BRIEF_RATE_LIMIT", (10, 3600))
    key = f"proposals:rl:{scope_key}:{ip or 'unknown'}"
    if cache.add(key, 1, timeout=window):
        return False
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window)
        return False
    return count > limit


def link_token(*, recipient) -> str:
    """The personal web-view link: signed with SECRET_KEY, so it cannot be guessed or forged; a new nonce
    or `revoked_at` on the recipient makes it stop working."""
    return signing.dumps([str(recipient.agency.uuid), str(recipient.pk), recipient.nonce], salt=LINK_SALT,
                         compress=True)


def link_token_parse(token: str) -> tuple[str, str, str] | None:
    try:
        agency_uuid, recipient_id, nonce = signing.loads(token, salt=LINK_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return str(agency_uuid), str(recipient_id), str(nonce)


def nonce_matches(recipient, nonce: str) -> bool:
    return constant_time_compare(recipient.nonce, nonce)
