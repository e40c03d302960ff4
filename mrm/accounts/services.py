import zoneinfo

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from mrm.core.errors import ServiceError
from mrm.tenancy.models import Agency, Membership
from mrm.tenancy.services import agency_create, apply_changes, audit

from .models import ApiToken, User

PROFILE_FIELDS = ("full_name", "position", "phone", "bio", "language", "timezone")


def user_email_taken(*, email: str) -> bool:
    return User.objects.filter(email__iexact=email.strip()).exists()


@transaction.atomic
def user_create(*, email: str, full_name: str, password: str, language: str = "ru") -> User:
    """Create a person account; the password must pass the configured validators."""
    email = email.strip().lower()
    if user_email_taken(email=email):
        raise ServiceError(_("An account with this e-mail already exists. Log in or reset your password."),
                           field="email")
    user = User(email=email, full_name=full_name.strip(), language=language)
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
    if agency is not None:
        audit(agency=agency, actor=user, action="two_factor.disabled", target=user)
