import secrets
import uuid
from datetime import time, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager, get_scope
from django_scopes.manager import DisabledQuerySet

from mrm.core.storage import public_file_name, public_storage

hex_colour = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Use a colour like #1F6FEB."))


def _logo_path(instance, filename: str) -> str:
    return public_file_name("logos", filename)


class Agency(models.Model):
    """The tenant: one advertising or digital agency and its settings."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("agency name"), max_length=200)
    slug = models.SlugField(_("public address"), max_length=60, unique=True)
    logo = models.ImageField(_("logo"), upload_to=_logo_path, storage=public_storage, blank=True, max_length=200)
    brand_color = models.CharField(_("brand colour"), max_length=7, default="#1F6FEB", validators=[hex_colour])
    accent_color = models.CharField(_("accent colour"), max_length=7, default="#0E9F6E", validators=[hex_colour])
    currency = models.CharField(_("default currency"), max_length=3, default="RUB")
    vat_rate = models.DecimalField(
        _("VAT rate, %"), max_digits=5, decimal_places=2, default=Decimal("20.00"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    timezone = models.CharField(_("time zone"), max_length=64, default="Europe/Moscow")
    business_hours_start = models.TimeField(_("business day starts"), default=time(10, 0))
    business_hours_end = models.TimeField(_("business day ends"), default=time(19, 0))
    # ISO weekdays (1 = Monday) the agency works on, e.g. "12345".
    work_days = models.CharField(
        _("working days"), max_length=7, default="12345",
        validators=[RegexValidator(r"^[1-7]{1,7}$", _("Digits 1 (Monday) to 7 (Sunday)."))],
    )
    require_2fa = models.BooleanField(_("require two-factor authentication for staff"), default=False)
    no_contact_days = models.PositiveSmallIntegerField(
        _("flag clients with no contact for, days"), default=14,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    # The client portal: a client's portal admin may invite colleagues of their company (the agency may say no).
    portal_client_invites = models.BooleanField(
        _("client portal admins may invite their colleagues"), default=True)
    # The portfolio page (dashboards/portfolio.py): when revenue is too concentrated, and what an hour of the
    # team's time costs for the hidden costs of flagged interactions (empty: the average cost rate of time entries).
    concentration_warning_share = models.DecimalField(
        _("warn when the largest client's share of revenue exceeds, %"), max_digits=5, decimal_places=2,
        default=Decimal("25.00"), validators=[MinValueValidator(1), MaxValueValidator(100)])
    concentration_warning_hhi = models.PositiveIntegerField(
        _("warn when the Herfindahl index of revenue exceeds"), default=2500,
        validators=[MinValueValidator(1), MaxValueValidator(10000)],
        help_text=_("0–10 000: the sum of the squared revenue shares in %; above 2 500 is highly concentrated."))
    internal_hourly_cost = models.DecimalField(
        _("internal cost of an hour, for hidden costs"), max_digits=12, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("Prices the time of unplanned calls, extra revisions and urgent requests. Empty: the average "
                    "cost rate of the team's time entries."))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")

    def __str__(self) -> str:
        return self.name


class PendingScopeQuerySet(DisabledQuerySet):
    """An unscoped queryset that still raises on every use, but whose `.all()` may be taken early and is
    re-resolved later. Django calls `.all()` on a form field's queryset when a ModelForm class is built
    (import time, no scope) and again when a form is instantiated (inside the request's scope)."""

    def all(self):
        state = get_scope()
        if "agency" in state or not state.get("_enabled", True):
            return self.model._default_manager.all()
        return self._clone()


class AgencyManager(ScopedManager(agency="agency").__class__):
    def get_queryset(self):
        qs = super().get_queryset()
        if isinstance(qs, DisabledQuerySet):
            return PendingScopeQuerySet(self.model, using=self._db, missing_scopes=qs.missing_scopes)
        return qs


class AgencyOwned(models.Model):
    """Base of every agency-owned model: the agency link and a manager that refuses to run unscoped."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+", editable=False)

    objects = AgencyManager()

    class Meta:
        abstract = True


class Role(models.TextChoices):
    DIRECTOR = "director", _("Director")
    AM = "am", _("Account manager")
    SPECIALIST = "specialist", _("Project manager / specialist")
    CLIENT = "client", _("Client contact")


STAFF_ROLES = (Role.DIRECTOR, Role.AM, Role.SPECIALIST)


class Membership(AgencyOwned):
    """A person's place in an agency: the role decides what they may see and do there."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.AM)
    is_owner = models.BooleanField(default=False)
    is_active = models.BooleanField(_("active"), default=True)
    # Set for client contacts (role CLIENT): the person at the client company this login is; the portal
    # shows that contact's company. Deleting the contact deletes the membership: access ends with it.
    contact = models.ForeignKey("clients.Contact", verbose_name=_("client contact"), on_delete=models.CASCADE,
                                null=True, blank=True, related_name="portal_memberships")
    # A client login that may invite colleagues of its company into the portal (if the agency allows it).
    is_portal_admin = models.BooleanField(_("portal admin"), default=False)
    # Hours a week this person can give to project work (capacity planning; holidays and time off come off).
    weekly_capacity_hours = models.DecimalField(
        _("capacity, hours a week"), max_digits=4, decimal_places=1, default=Decimal("40"),
        validators=[MinValueValidator(0), MaxValueValidator(80)])
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [models.UniqueConstraint(fields=["agency", "user"], name="membership_unique_user")]
        indexes = [models.Index(fields=["agency", "role"])]

    def __str__(self) -> str:
        return f"{self.user} @ {self.agency_id} ({self.role})"

    @property
    def is_director(self) -> bool:
        return self.role == Role.DIRECTOR

    @property
    def is_staff_member(self) -> bool:
        return self.role in STAFF_ROLES


class Holiday(AgencyOwned):
    """A non-working day; response-time KPIs skip it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=120)

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["agency", "date"], name="holiday_unique_date")]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


def _invitation_expiry():
    return timezone.now() + timedelta(days=7)


class Invitation(AgencyOwned):
    """An e-mailed, single-use link that makes its holder a member with the given role."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField(_("e-mail"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.AM)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    # A portal invitation (role CLIENT) is for one contact of a client company: accepting it makes the
    # membership point at that contact. Deleting the contact deletes its pending invitations.
    contact = models.ForeignKey("clients.Contact", verbose_name=_("client contact"), on_delete=models.CASCADE,
                                null=True, blank=True, related_name="portal_invitations")
    portal_admin = models.BooleanField(_("portal admin"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(default=_invitation_expiry)
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["agency", "email"])]

    def __str__(self) -> str:
        return self.email

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(32)

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()


class AuditLog(AgencyOwned):
    """Who changed what and when: one row per change made through a service."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=80)
    target_type = models.ForeignKey(ContentType, on_delete=models.SET_NULL, null=True, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_repr = models.CharField(max_length=200, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["agency", "-created_at"]),
            models.Index(fields=["agency", "action", "-created_at"]),
            models.Index(fields=["agency", "actor", "-created_at"]),
            models.Index(fields=["agency", "target_type", "target_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.target_repr}"


class KpiMetric(models.TextChoices):
    RETENTION = "retention", _("Retention, %")
    NPS = "nps", _("NPS")
    UPSELL = "upsell", _("Upsell rate, %")
    RESPONSE_HOURS = "response_hours", _("First response, business hours")
    REPORT_QUALITY = "report_quality", _("Report rating, 1–5")
    REVENUE_GROWTH = "revenue_growth", _("Revenue per client growth, %/year")


# What a new agency starts with (and what a metric falls back to if its agency-wide row was removed).
KPI_TARGET_DEFAULTS = {
    KpiMetric.RETENTION: Decimal("85"), KpiMetric.NPS: Decimal("50"), KpiMetric.UPSELL: Decimal("30"),
    KpiMetric.RESPONSE_HOURS: Decimal("2"), KpiMetric.REPORT_QUALITY: Decimal("4.5"),
    KpiMetric.REVENUE_GROWTH: Decimal("10"),
}


class KpiTarget(AgencyOwned):
    """One KPI target: agency-wide, or for one account manager or one client, for all time or a period
    (inclusive dates; either end may be open). `tenancy.selectors.kpi_target` picks the most specific."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    metric = models.CharField(_("metric"), max_length=20, choices=KpiMetric.choices)
    value = models.DecimalField(_("target"), max_digits=8, decimal_places=2)
    valid_from = models.DateField(_("from"), null=True, blank=True)
    valid_to = models.DateField(_("to"), null=True, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("account manager"), on_delete=models.CASCADE,
                             null=True, blank=True, related_name="+")
    client = models.ForeignKey("clients.Client", verbose_name=_("client"), on_delete=models.CASCADE, null=True,
                               blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["metric", "valid_from", "created_at"]
        indexes = [models.Index(fields=["agency", "metric", "valid_from"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(user__isnull=True) | models.Q(client__isnull=True),
                                   name="kpitarget_user_or_client"),
            models.CheckConstraint(condition=models.Q(valid_from__isnull=True) | models.Q(valid_to__isnull=True)
                                   | models.Q(valid_to__gte=models.F("valid_from")),
                                   name="kpitarget_period_order"),
            # One open-ended agency-wide target per metric: the value the settings screen edits.
            models.UniqueConstraint(fields=["agency", "metric"], name="kpitarget_one_agency_default",
                                    condition=models.Q(user__isnull=True, client__isnull=True,
                                                       valid_from__isnull=True, valid_to__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.metric} = {self.value}"

    @property
    def is_agency_default(self) -> bool:
        return not (self.user_id or self.client_id or self.valid_from or self.valid_to)
