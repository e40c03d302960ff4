import hashlib
import secrets
import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone as dj_timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from mrm.core.storage import public_file_name, public_storage
from mrm.tenancy.models import AgencyOwned, Membership

from .emails import email_normalize


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra):
        if not email:
            raise ValueError("An e-mail is required.")
        user = self.model(email=email_normalize(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=email_normalize(username))


def _photo_path(instance, filename: str) -> str:
    return public_file_name("people", filename)


class User(AbstractBaseUser, PermissionsMixin):
    """A person: logs in with e-mail; belongs to agencies through memberships."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField(_("e-mail"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150)
    position = models.CharField(_("position"), max_length=120, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    photo = models.ImageField(_("photo"), upload_to=_photo_path, storage=public_storage, blank=True, max_length=200)
    bio = models.TextField(_("short bio"), blank=True, max_length=600)
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES, default="ru")
    timezone = models.CharField(_("time zone"), max_length=64, default="Europe/Moscow")
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)  # Django admin access, not an agency role
    date_joined = models.DateTimeField(default=dj_timezone.now)
    # Bumped to end every session of this person at once (portal access revoked, contact removed):
    # it is part of the session auth hash that Django checks on every request.
    session_epoch = models.PositiveIntegerField(default=0, db_default=0, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name"]
        verbose_name = _("user")

    def __str__(self) -> str:
        return self.full_name or self.email

    def _get_session_auth_hash(self, secret=None) -> str:
        # Also what the SECRET_KEY_FALLBACKS hashes are made with, so a rotated key cannot revive an ended session.
        base = super()._get_session_auth_hash(secret=secret)
        if not self.session_epoch:
            return base  # unchanged for everyone whose sessions were never ended (no mass log-out on deploy)
        return salted_hmac("mrm.accounts.session_epoch", f"{base}:{self.session_epoch}", secret=secret,
                           algorithm="sha256").hexdigest()

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def initials(self) -> str:
        parts = [p for p in self.full_name.split() if p][:2]
        return "".join(p[0] for p in parts).upper() or self.email[:1].upper()


class ApiToken(AgencyOwned):
    """A personal API key bound to one agency membership; only its hash is stored."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=80)
    prefix = models.CharField(max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["agency", "user"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def generate() -> tuple[str, str, str]:
        raw = "mrm_" + secrets.token_urlsafe(32)
        return raw, raw[:10], hashlib.sha256(raw.encode()).hexdigest()


class CalendarFeed(AgencyOwned):
    """A secret, revocable iCal address of one member's tasks and meetings."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
