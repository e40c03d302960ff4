from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from mrm.core.models import TimeStamped
from mrm.core.numbers import hours_text
from mrm.core.storage import private_storage
from mrm.tenancy.models import AgencyOwned

from .briefs import Brief
from .catalog import Billing, Case, LineKind, RateRole, Service, VatMode


class Proposal(AgencyOwned, TimeStamped):
    """A commercial proposal (КП): cover, sections, estimate, team, cases and terms. Amounts are always
    computed by `proposals.services.pricing` from hours × role rates; the totals here are a cache of that."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENT = "sent", _("Sent")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    class DraftedBy(models.TextChoices):
        MANUAL = "manual", _("Written by hand")
        AI = "ai", _("Drafted with AI")
        RULES = "rules", _("Drafted without AI")

    client = models.ForeignKey("clients.Client", verbose_name=_("client"), on_delete=models.CASCADE,
                               related_name="proposals")
    deal = models.ForeignKey("clients.Deal", verbose_name=_("deal"), on_delete=models.SET_NULL, null=True,
                             blank=True, related_name="+")
    brief = models.ForeignKey(Brief, verbose_name=_("brief"), on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="proposals")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("account manager"), on_delete=models.SET_NULL,
                              null=True, blank=True, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    issued_on = models.DateField(_("date"))
    valid_until = models.DateField(_("valid until"))
    currency = models.CharField(_("currency"), max_length=3, default="RUB")
    vat_rate = models.DecimalField(_("VAT, %"), max_digits=5, decimal_places=2, default=Decimal("20"),
                                   validators=[MinValueValidator(0), MaxValueValidator(100)])
    vat_mode = models.CharField(_("VAT"), max_length=4, choices=VatMode.choices, default=VatMode.EXCLUDED)
    discount_percent = models.DecimalField(_("discount, %"), max_digits=5, decimal_places=2, default=Decimal("0"),
                                           validators=[MinValueValidator(0), MaxValueValidator(100)])
    discount_reason = models.CharField(_("reason for the discount"), max_length=255, blank=True)
    terms = models.TextField(_("terms"), blank=True, max_length=8000)
    cases = models.ManyToManyField(Case, verbose_name=_("cases"), blank=True, related_name="proposals")
    drafted_by = models.CharField(max_length=8, choices=DraftedBy.choices, default=DraftedBy.MANUAL)
    draft_flags = models.JSONField(default=list, blank=True)  # what the validator dropped or changed
    # Cached results of pricing.compute() — refreshed by every service that changes lines or discount.
    subtotal = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    discount_amount = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    vat_amount = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    total = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))  # for the whole term
    one_off_total = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    monthly_total = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    sent_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    pdf_file = models.FileField(upload_to="proposals/pdf/", storage=private_storage, blank=True, max_length=300)
    pdf_rendered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["agency", "-created_at"]),
            models.Index(fields=["agency", "status", "-created_at"]),
            models.Index(fields=["agency", "client", "-created_at"]),
            models.Index(fields=["agency", "owner", "-created_at"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.SENT)


class ProposalSection(AgencyOwned, TimeStamped):
    """A text block of the proposal (our understanding, goals, approach, …). Plain text, shown escaped."""

    class Kind(models.TextChoices):
        UNDERSTANDING = "understanding", _("Our understanding of the task")
        GOALS = "goals", _("Goals")
        APPROACH = "approach", _("Approach")
        QUESTIONS = "questions", _("Open questions")
        CUSTOM = "custom", _("Custom")

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="sections")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.CUSTOM)
    title = models.CharField(_("heading"), max_length=200)
    body = models.TextField(_("text"), blank=True, max_length=20000)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "created_at"]
        indexes = [models.Index(fields=["agency", "proposal", "order"])]

    def __str__(self) -> str:
        return self.title


class EstimateLine(AgencyOwned, TimeStamped):
    """One estimate row of a kind (time, fixed package, quantity × unit price, media budget + commission),
    billed once or monthly for some months, priced by `pricing.line_price`. For a time line the rate and the
    role's internal cost rate are copied from the rate card when the line is priced, so later rate changes
    move neither a sent price nor the margin it was sold at. The cost is staff-only: never on the client's
    web page or PDF."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="lines")
    service = models.ForeignKey(Service, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    role = models.ForeignKey(RateRole, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    stage = models.CharField(_("stage"), max_length=120, blank=True)
    name = models.CharField(_("service"), max_length=160)
    role_name = models.CharField(_("role"), max_length=120)
    note = models.CharField(_("note"), max_length=300, blank=True)
    kind = models.CharField(_("priced as"), max_length=10, choices=LineKind.choices, default=LineKind.TIME)
    billing = models.CharField(_("billing"), max_length=8, choices=Billing.choices, default=Billing.ONE_OFF)
    months = models.PositiveSmallIntegerField(_("months"), default=1,
                                              validators=[MinValueValidator(1), MaxValueValidator(60)])
    # time lines: hours × rate; other kinds keep hours 0 (they are money, not effort)
    hours = models.DecimalField(_("hours"), max_digits=8, decimal_places=1,
                                validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("5000"))])
    quantity = models.DecimalField(_("quantity"), max_digits=10, decimal_places=2, default=Decimal("1"))
    unit_price = models.DecimalField(_("unit price"), max_digits=12, decimal_places=2, default=Decimal("0"))
    budget = models.DecimalField(_("media budget"), max_digits=14, decimal_places=2, default=Decimal("0"))
    commission_percent = models.DecimalField(_("commission, %"), max_digits=5, decimal_places=2, default=Decimal("0"))
    fee = models.DecimalField(_("fixed fee"), max_digits=12, decimal_places=2, default=Decimal("0"))
    rate = models.DecimalField(_("rate"), max_digits=12, decimal_places=2)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2, default=Decimal("0"))
    internal_cost_rate = models.DecimalField(_("internal cost per hour"), max_digits=12, decimal_places=2,
                                             default=Decimal("0"))
    cost_amount = models.DecimalField(_("internal cost"), max_digits=14, decimal_places=2, default=Decimal("0"))
    order = models.PositiveSmallIntegerField(default=0)
    flagged = models.BooleanField(default=False)
    flag_note = models.CharField(max_length=300, blank=True)
    # An optional item: outside every total. Not `offered`, it is a suggestion the AM alone sees (the drafter's);
    # `offered`, the client sees it with a switch on the web page and the accepted choice is recorded.
    is_optional = models.BooleanField(_("optional"), default=False)
    offered = models.BooleanField(_("offered to the client as an option"), default=False)
    suggestion_reason = models.CharField(_("why it is suggested"), max_length=300, blank=True)

    class Meta:
        ordering = ["order", "created_at"]
        indexes = [models.Index(fields=["agency", "proposal", "order"])]

    def __str__(self) -> str:
        if self.kind != LineKind.TIME:
            return f"{self.name} · {self.get_kind_display()}"
        hours = _("%(h)s h") % {"h": hours_text(self.hours)}  # «18 ч», «18,5 ч»: how the audit log records a line
        return f"{self.name} · {self.role_name} · {hours}"

    @property
    def term_amount(self) -> Decimal:
        return self.amount * (self.months if self.billing == Billing.MONTHLY else 1)


class ProposalTeamMember(AgencyOwned, TimeStamped):
    """A person of the agency shown in the proposal's team block (photo and bio come from the user)."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="team")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    role_title = models.CharField(_("role in this project"), max_length=120, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "created_at"]
        constraints = [models.UniqueConstraint(fields=["proposal", "user"], name="proposalteam_unique_user")]

    def __str__(self) -> str:
        return f"{self.user} ({self.role_title})"


def _version_pdf_path(instance, filename: str) -> str:
    return f"proposals/{instance.agency_id}/pdf/{instance.proposal_id}-v{instance.number}.pdf"


class ProposalVersion(AgencyOwned, TimeStamped):
    """What exactly was sent: a frozen snapshot and its SHA-256, so an acceptance points at one text."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    snapshot = models.JSONField()
    content_hash = models.CharField(max_length=64)
    # Staff-only part of the frozen version (internal cost and margin per line), kept apart from `snapshot`
    # so it can never reach the client's page, PDF or the hash the client accepts.
    internal = models.JSONField(default=dict, blank=True)
    total = models.DecimalField(max_digits=14, decimal_places=2)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    pdf_file = models.FileField(upload_to=_version_pdf_path, storage=private_storage, blank=True, max_length=300)

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["proposal", "number"], name="proposalversion_unique_number")]
        indexes = [models.Index(fields=["agency", "proposal", "-number"])]

    def __str__(self) -> str:
        return f"{self.proposal_id} v{self.number}"
