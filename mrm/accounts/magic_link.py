"""Log-in links for client contacts (portal users): signed, expiring, single-use, rate-limited.

The token is a signed, timestamped object (`django.core.signing`) carrying the person's uuid and a hash of their
login state (last log-in, session epoch, password hash). Logging in changes `last_login` (claimed with a
compare-and-set), so a link works once; ending the person's sessions or changing the password kills it too.
Staff log in with a password (and their second factor): links are only ever made for client logins.

Asking for a link answers the same whether the address exists or not: the lookup and the mail run in a task.
"""
from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_scopes import scopes_disabled

from mrm.core.errors import ServiceError
from mrm.core.ratelimit import rate_limit_hit
from mrm.tenancy.models import Membership, Role

from .emails import email_normalize
from .models import User

SALT = "mrm.accounts.magic-link"
MAX_AGE = 15 * 60  # seconds a link stays valid
ADDRESS_LIMIT, ADDRESS_WINDOW = 3, 15 * 60  # links per e-mail address
IP_LIMIT, IP_WINDOW = 10, 60 * 60  # requests per client address


def _state(user: User) -> str:
    raw = f"{user.pk}:{user.last_login.isoformat() if user.last_login else ''}:{user.session_epoch}:{user.password}"
    return salted_hmac(SALT, raw, algorithm="sha256").hexdigest()[:32]


def _memberships(user: User) -> list[tuple[str, object]]:
    # Tenancy-wide question about one person (any agency): no request scope exists at log-in.
    with scopes_disabled():
        return list(Membership.objects.filter(user=user, is_active=True).values_list("role", "contact_id"))


def mailbox_login_allowed(*, user: User) -> bool:
    """May proof of the mailbox alone (a link e-mailed to it) log this person in: an active person with no
    staff membership anywhere and no second factor (staff log in with a password and their second factor)."""
    if not user.is_active or TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return False
    return all(role == Role.CLIENT for role, _contact in _memberships(user))


def magic_link_allowed(*, user: User) -> bool:
    """Only active client logins with a contact, no staff membership and no second factor get links."""
    roles = _memberships(user)
    if not roles or any(role != Role.CLIENT or contact_id is None for role, contact_id in roles):
        return False
    return mailbox_login_allowed(user=user)


def magic_link_token(*, user: User) -> str:
    return signing.dumps({"u": str(user.uuid), "s": _state(user)}, salt=SALT, compress=True)


def magic_link_user(*, token: str) -> User | None:
    """The person a link is for, if it is genuine, younger than MAX_AGE and not used yet; else None."""
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except (signing.BadSignature, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), str) or not isinstance(data.get("s"), str):
        return None
    try:
        user = User.objects.filter(uuid=data["u"], is_active=True).first()
    except Exception:  # noqa: BLE001 - a malformed uuid in a validly signed token cannot happen; be safe anyway
        return None
    if user is None or not constant_time_compare(data["s"], _state(user)) or not magic_link_allowed(user=user):
        return None
    return user


@transaction.atomic
def magic_link_consume(*, token: str) -> User:
    """Use a link: the person to log in. Compare-and-set on last_login, so two clicks log in once."""
    user = magic_link_user(token=token)
    if user is None:
        raise ServiceError(_("This login link is not valid any more: it works once, for 15 minutes. "
                             "Ask for a new one."), code="invalid")
    claimed = User.objects.filter(pk=user.pk, last_login=user.last_login).update(last_login=timezone.now())
    if not claimed:
        raise ServiceError(_("This login link has already been used. Ask for a new one."), code="used")
    user.refresh_from_db(fields=["last_login"])
    return user


def magic_link_request(*, email: str, ip: str | None, language: str) -> bool:
    """Ask for a link to `email`. False when this client address asks too often (the caller answers 429);
    otherwise True whether or not a link is sent — the answer never tells if the address has an account."""
    from .tasks import magic_link_send_task

    if rate_limit_hit(scope="magic-link-ip", subject=ip, limit=IP_LIMIT, window=IP_WINDOW):
        return False
    email = email_normalize(email)
    if rate_limit_hit(scope="magic-link-address", subject=email, limit=ADDRESS_LIMIT, window=ADDRESS_WINDOW):
        return True  # quietly: at most ADDRESS_LIMIT links a window reach one mailbox
    transaction.on_commit(lambda: magic_link_send_task.delay(email=email, language=language))
    return True
