"""Helpers of the public (no login) pages: the signed brief-form token, the brief form's limits (per address,
per agency, confirmation mails per recipient), and the signed personal links of the proposal web view."""
import time

from django.conf import settings
from django.core import signing
from django.utils.crypto import constant_time_compare

from mrm.core.ratelimit import rate_limit_hit
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


HOUR = 60 * 60
DAY = 24 * HOUR


def brief_ip_limit_hit(*, agency: Agency, ip: str | None) -> bool:
    """Count one post of a brief form (any agency's) from this address; True when over BRIEF_FORM_LIMIT_PER_IP
    per hour. One counter for all agencies, so a sender cannot go round the limit through many agencies' forms."""
    return rate_limit_hit(scope="brief-ip", subject=ip, limit=settings.BRIEF_FORM_LIMIT_PER_IP,
                          window=HOUR)


def brief_agency_limit_hit(*, agency: Agency) -> bool:
    """Count one accepted brief for the agency, whoever sends it; True when over BRIEF_FORM_LIMIT_PER_AGENCY per
    hour (many addresses together cannot flood an agency or use its form to mail strangers in bulk)."""
    return rate_limit_hit(scope="brief-agency", subject=str(agency.pk), limit=settings.BRIEF_FORM_LIMIT_PER_AGENCY,
                          window=HOUR)


def brief_confirmation_allowed(*, email: str) -> bool:
    """Count one confirmation e-mail to this address (for any agency); False when over
    BRIEF_CONFIRMATION_LIMIT_PER_EMAIL per day: the form must not become a way to mail someone repeatedly."""
    return not rate_limit_hit(scope="brief-mail", subject=email, limit=settings.BRIEF_CONFIRMATION_LIMIT_PER_EMAIL,
                              window=DAY)


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
