import re
import zoneinfo

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from mrm.core.errors import ServiceError
from mrm.tenancy.models import Agency, Membership
from mrm.tenancy.services import agency_create, apply_changes, audit

from .emails import email_normalize
from .lockout import account_lock_clear
from .models import ApiToken, User

PROFILE_FIELDS = ("full_name", "position", "phone", "bio", "language", "timezone")


def user_email_taken(*, email: str) -> bool:
    return User.objects.filter(email__iexact=email_normalize(email)).exists()


@transaction.atomic
def user_create(*, email: str, full_name: str, password: str | None, language: str = "ru") -> User:
    """Create a person account; the password must pass the configured validators. No password (None): a
    client contact who logs in with e-mailed links only (mrm.accounts.magic_link) and may set one later."""
    email = email_normalize(email)
    if user_email_taken(email=email):
        raise ServiceError(_("An account with this e-mail already exists. Log in or reset your password."),
                           field="email")
    user = User(email=email, full_name=full_name.strip(), language=language)
    if password is None:
        user.set_unusable_password()
    else:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ServiceError(" ".join(exc.messages), field="password") from exc
        user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:  # a concurrent sign-up with the same address
        raise ServiceError(_("An account with this e-mail already exists."), field="email") from exc
    return user


@transaction.atomic
def signup(*, agency_name: str, full_name: str, email: str, password: str, language: str = "ru") -> tuple[User, Agency]:
    """A new agency with its owner: the owner becomes its director."""
    user = user_create(email=email, full_name=full_name, password=password, language=language)
    agency = agency_create(name=agency_name, owner=user)
    return user, agency


@transaction.atomic
def profile_update(*, user: User, agency: Agency | None, data: dict, photo=None) -> User:
    if "timezone" in data:
        try:
            zoneinfo.ZoneInfo(data["timezone"])
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            raise ServiceError(_("Unknown time zone."), field="timezone") from exc
    changes = apply_changes(user, {k: v for k, v in data.items() if k in PROFILE_FIELDS})
    if photo is not None:
        user.photo = photo
        changes["photo"] = ("", photo.name)
    if changes:
        user.save()
        if agency is not None:
            audit(agency=agency, actor=user, action="profile.updated", target=user, changes=changes)
    return user


@transaction.atomic
def api_token_create(*, user: User, membership: Membership, name: str) -> tuple[ApiToken, str]:
    """A new API key for this membership; the raw key is returned once and never stored."""
    raw, prefix, digest = ApiToken.generate()
    token = ApiToken.objects.create(
        agency=membership.agency, user=user, membership=membership, name=name.strip() or _("API key"),
        prefix=prefix, key_hash=digest,
    )
    audit(agency=membership.agency, actor=user, action="api_token.created", target=token)
    return token, raw


def api_token_get(*, user: User, agency: Agency, token_id) -> ApiToken:
    """The user's own key in this agency, or 404 (another person's or agency's key is "missing")."""
    token = ApiToken.objects.filter(agency=agency, user=user, pk=token_id).first()
    if token is None:
        raise Http404
    return token


@transaction.atomic
def api_token_revoke(*, user: User, agency: Agency, token: ApiToken) -> ApiToken:
    """Revoke a key; compare-and-set so a second revoke is a clear error, not a silent no-op."""
    revoked = ApiToken.objects.filter(agency=agency, user=user, pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now())
    if not revoked:
        raise ServiceError(_("This key is already revoked."), code="revoked")
    audit(agency=agency, actor=user, action="api_token.revoked", target=token)
    return token


def totp_device_get(*, user: User, confirmed: bool | None = True) -> TOTPDevice | None:
    qs = TOTPDevice.objects.filter(user=user)
    if confirmed is not None:
        qs = qs.filter(confirmed=confirmed)
    return qs.order_by("-id").first()


@transaction.atomic
def totp_setup_start(*, user: User) -> TOTPDevice:
    """An unconfirmed authenticator for the user to scan; replaces earlier unconfirmed ones."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=_("Authenticator app"), confirmed=False)


@transaction.atomic
def totp_setup_confirm(*, user: User, agency: Agency | None, token: str) -> TOTPDevice:
    device = totp_device_get(user=user, confirmed=False)
    if device is None or not device.verify_token(token.strip()):
        raise ServiceError(_("That code is not right. Check the time on your phone and try the newest code."),
                           field="token")
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    if agency is not None:
        audit(agency=agency, actor=user, action="two_factor.enabled", target=user)
    return device


@transaction.atomic
def totp_disable(*, user: User, agency: Agency | None) -> None:
    if agency is not None and agency.require_2fa:
        raise ServiceError(_("Your agency requires two-factor authentication."))
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()  # backup codes stand in for the app; without it they go too
    if agency is not None:
        audit(agency=agency, actor=user, action="two_factor.disabled", target=user)


def user_sessions_end(*, user_ids) -> int:
    """Log these people out everywhere at once: their session auth hash changes, so Django drops every
    session on its next request (and their unused log-in links stop working)."""
    return User.objects.filter(pk__in=list(user_ids)).update(session_epoch=F("session_epoch") + 1)


def user_unlock(*, user: User) -> int:
    """Lift the log-in lockout of this account: a password reset by e-mail has just proved who they are."""
    return account_lock_clear(email=user.email)


BACKUP_CODE_COUNT = 10
_TOTP_CODE = re.compile(r"\d{6}")


def backup_code_normalize(code: str) -> str:
    """Backup codes are shown as `abcd efgh`; accept them with spaces or dashes and in any case."""
    return re.sub(r"[\s-]+", "", code).lower()


def backup_codes_remaining(*, user: User) -> int | None:
    """Unused backup codes, or None when the user has never generated any."""
    device = StaticDevice.objects.filter(user=user, confirmed=True).first()
    return None if device is None else device.token_set.count()


@transaction.atomic
def backup_codes_generate(*, user: User, agency: Agency | None) -> list[str]:
    """A fresh set of single-use backup codes (returned once, to show); every earlier code stops working."""
    if totp_device_get(user=user) is None:
        raise ServiceError(_("Turn on two-factor authentication first: backup codes stand in for the app."))
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=_("Backup codes"), confirmed=True)
    codes: set[str] = set()
    while len(codes) < BACKUP_CODE_COUNT:
        codes.add(StaticToken.random_token())
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    if agency is not None:
        audit(agency=agency, actor=user, action="two_factor.backup_codes_generated", target=user)
    return sorted(codes)


def _backup_code_consume(device: StaticDevice, code: str) -> bool:
    # Deleting is the claim: of two requests racing with one code only one deletes the row, so it works once.
    deleted, _rows = StaticToken.objects.filter(device=device, token=code).delete()
    if deleted:
        device.throttle_reset(commit=False)
        device.set_last_used_timestamp(commit=False)
        device.save()
        return True
    device.throttle_increment()
    return False


def second_factor_verify(*, user: User, code: str) -> Device:
    """The device that accepts this code at log-in: a 6-digit app code or a single-use backup code."""
    code = backup_code_normalize(code)
    wrong = ServiceError(_("That code is not right. Try the newest code from the app, or a backup code."),
                         field="token")
    if _TOTP_CODE.fullmatch(code):
        device, consume = totp_device_get(user=user), None
    else:
        device = StaticDevice.objects.filter(user=user, confirmed=True).first()
        consume = _backup_code_consume
    if device is None:
        raise wrong
    allowed, _reason = device.verify_is_allowed()
    if not allowed:
        raise ServiceError(_("Too many wrong codes. Wait a minute and try again."), field="token", code="throttled")
    if not (device.verify_token(code) if consume is None else consume(device, code)):
        raise wrong
    return device
