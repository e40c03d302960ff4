from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from mrm.core.models import TimeStamped
from mrm.core.storage import public_file_name, public_storage
from mrm.tenancy.models import AgencyOwned


class Discipline(models.TextChoices):
    """How services are grouped in the catalog (and in a proposal's estimate)."""

    STRATEGY = "strategy", _("Strategy")
    CREATIVE = "creative", _("Creative")
    SMM = "smm", _("SMM")
    CONTEXT = "context", _("Context ads")
    SEO = "seo", _("SEO")
    MEDIA = "media", _("Media buying")
    ANALYTICS = "analytics", _("Analytics")
    PRODUCTION = "production", _("Production")
    WEB = "web", _("Web development")


class LineKind(models.TextChoices):
    """How an estimate line (and the catalog service it comes from) is priced: see proposals.services.pricing."""

    TIME = "time", _("Time (hours × role rate)")
    FIXED = "fixed", _("Fixed price package")
    QUANTITY = "quantity", _("Quantity × unit price")
    MEDIA = "media", _("Media budget + commission")


class Billing(models.TextChoices):
    ONE_OFF = "one_off", _("One-off")
    MONTHLY = "monthly", _("Monthly (retainer)")


class VatMode(models.TextChoices):
    EXCLUDED = "excl", _("Prices exclude VAT (added on top)")
    INCLUDED = "incl", _("Prices include VAT")
    NONE = "none", _("No VAT (simplified tax system)")


def _default_followup_days() -> list[int]:
    return [3, 7, 14, 30, 90]


class RateRole(AgencyOwned, TimeStamped):
    """A role on the rate card: what an hour costs the client and what it costs the agency."""

    name = models.CharField(_("role"), max_length=120)
    hourly_rate = models.DecimalField(_("hourly rate"), max_digits=12, decimal_places=2,
                                      validators=[MinValueValidator(Decimal("0"))])
    cost_rate = models.DecimalField(_("internal cost per hour"), max_digits=12, decimal_places=2,
                                    default=Decimal("0"), validators=[MinValueValidator(Decimal("0"))])
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["order", "name"]
        indexes = [models.Index(fields=["agency", "is_active", "order"])]
        constraints = [models.UniqueConstraint(fields=["agency", "name"], name="raterole_unique_name")]

    def __str__(self) -> str:
        return self.name


class Service(AgencyOwned, TimeStamped):
    """A service of the catalog: what the agency sells, who delivers it and how many hours it usually takes."""

    class Unit(models.TextChoices):
        HOURS = "hours", _("project (hours)")
        MONTH = "month", _("per month")
        PIECE = "piece", _("per piece")

    discipline = models.CharField(_("discipline"), max_length=20, choices=Discipline.choices)
    name = models.CharField(_("service"), max_length=160)
    description = models.TextField(_("description"), blank=True, max_length=2000)
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices, default=Unit.HOURS)
    hours_min = models.DecimalField(_("hours from"), max_digits=7, decimal_places=1, default=Decimal("1"),
                                    validators=[MinValueValidator(Decimal("0.5"))])
    hours_max = models.DecimalField(_("hours to"), max_digits=7, decimal_places=1, default=Decimal("10"),
                                    validators=[MinValueValidator(Decimal("0.5"))])
    roles = models.ManyToManyField(RateRole, verbose_name=_("delivered by"), related_name="services", blank=True)
    price_kind = models.CharField(_("priced as"), max_length=10, choices=LineKind.choices, default=LineKind.TIME)
    price = models.DecimalField(_("package or unit price"), max_digits=12, decimal_places=2, default=Decimal("0"),
                                validators=[MinValueValidator(Decimal("0"))],
                                help_text=_("For a fixed price package or a price per piece."))
    commission_percent = models.DecimalField(_("agency commission, %"), max_digits=5, decimal_places=2,
                                             default=Decimal("0"),
                                             validators=[MinValueValidator(0), MaxValueValidator(100)],
                                             help_text=_("For a media budget passed through to ad platforms."))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["discipline", "order", "name"]
        indexes = [models.Index(fields=["agency", "is_active", "discipline", "order"])]

    def __str__(self) -> str:
        return self.name


class ProposalSettings(AgencyOwned, TimeStamped):
    """Agency-wide proposal defaults: validity, terms, the follow-up cadence and who gets public briefs."""

    followup_days = models.JSONField(_("follow up after, days"), default=_default_followup_days)
    validity_days = models.PositiveSmallIntegerField(_("proposal valid for, days"), default=14,
                                                     validators=[MinValueValidator(1), MaxValueValidator(365)])
    default_terms = models.TextField(_("default terms"), blank=True, max_length=5000)
    brief_owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("new briefs go to"),
                                    on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    brief_intro = models.TextField(_("brief form introduction"), blank=True, max_length=1000)
    brief_form_enabled = models.BooleanField(_("public brief form is on"), default=True)
    vat_mode = models.CharField(_("VAT"), max_length=4, choices=VatMode.choices, default=VatMode.EXCLUDED)

    class Meta:
        ordering = ["agency"]
        constraints = [models.UniqueConstraint(fields=["agency"], name="proposalsettings_one_per_agency")]

    def __str__(self) -> str:
        return f"proposal settings {self.agency_id}"


def _case_image_path(instance, filename: str) -> str:
    return public_file_name("cases", filename)


class Case(AgencyOwned, TimeStamped):
    """A reference shown in proposals: the agency's own work or an example that sets expectations."""

    class Kind(models.TextChoices):
        OWN = "own", _("Our work")
        REFERENCE = "reference", _("Reference we admire")

    title = models.CharField(_("title"), max_length=160)
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices, default=Kind.OWN)
    client_name = models.CharField(_("for whom"), max_length=160, blank=True)
    description = models.TextField(_("description"), max_length=1500, blank=True)
    result = models.CharField(_("result in one line"), max_length=200, blank=True)
    image = models.ImageField(_("image"), upload_to=_case_image_path, storage=public_storage, blank=True,
                              max_length=200)
    discipline = models.CharField(_("discipline"), max_length=20, choices=Discipline.choices, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["agency", "-created_at"])]

    def __str__(self) -> str:
        return self.title
