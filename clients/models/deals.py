from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from mrm.core.models import TimeStamped
from mrm.core.storage import private_storage
from mrm.tenancy.models import AgencyOwned

from .company import Client
from .pipelines import PipelineStage


class Deal(AgencyOwned, TimeStamped):
    """An opportunity in the agency's pipeline: new business, upsell, cross-sell or renewal."""

    class Stage(models.TextChoices):
        NEW = "new", _("New")
        BRIEF_RECEIVED = "brief_received", _("Brief received")
        PROPOSAL_SENT = "proposal_sent", _("Proposal sent")
        NEGOTIATION = "negotiation", _("Negotiation")
        WON = "won", _("Won")
        LOST = "lost", _("Lost")

    OPEN_STAGES = (Stage.NEW, Stage.BRIEF_RECEIVED, Stage.PROPOSAL_SENT, Stage.NEGOTIATION)

    class Kind(models.TextChoices):
        NEW_BUSINESS = "new_business", _("New business")
        UPSELL = "upsell", _("Upsell")
        CROSS_SELL = "cross_sell", _("Cross-sell")
        RENEWAL = "renewal", _("Renewal")

    class ServiceLine(models.TextChoices):
        STRATEGY = "strategy", _("Strategy")
        CREATIVE = "creative", _("Creative")
        SMM = "smm", _("SMM")
        CONTEXT = "context", _("Context ads")
        SEO = "seo", _("SEO")
        MEDIA = "media", _("Media buying")
        ANALYTICS = "analytics", _("Analytics")
        PRODUCTION = "production", _("Production")
        WEB = "web", _("Web development")

    client = models.ForeignKey(Client, verbose_name=_("client"), on_delete=models.CASCADE, related_name="deals")
    title = models.CharField(_("title"), max_length=200)
    # The kanban column (the agency's pipeline stage); `stage` is its code, denormalised by the deal services
    # for the funnel reports, the stage history and the filters (indexed, no join).
    pipeline_stage = models.ForeignKey(PipelineStage, verbose_name=_("stage"), on_delete=models.PROTECT,
                                       related_name="deals")
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.NEW)
    lost_reason = models.CharField(_("reason lost"), max_length=255, blank=True)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, default=Kind.NEW_BUSINESS)
    service_lines = models.JSONField(_("service lines"), default=list, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2, default=Decimal("0"),
                                 validators=[MinValueValidator(0)])
    currency = models.CharField(_("currency"), max_length=3, default="RUB")
    expected_close_date = models.DateField(_("expected close"), null=True, blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.SET_NULL,
                              null=True, blank=True, related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)
    position = models.PositiveIntegerField(default=0)  # order inside a kanban column
    external_id = models.CharField(_("external id"), max_length=100, blank=True)
    custom = models.JSONField(_("custom fields"), default=dict, blank=True)  # see clients.models.custom

    class Meta:
        ordering = ["position", "-created_at"]
        indexes = [
            # The kanban column in board order, LIMIT n per stage (also serves (agency, stage, position)).
            models.Index(fields=["agency", "stage", "position", "-created_at"], name="clients_deal_board_idx"),
            # The kanban column of a pipeline stage, in board order (LIMIT n per column).
            models.Index(fields=["agency", "pipeline_stage", "position", "-created_at"], name="clients_deal_column_idx"),
            models.Index(fields=["agency", "client", "stage"]),
            models.Index(fields=["agency", "owner", "stage"]),
            models.Index(fields=["agency", "kind", "closed_at"]),
            models.Index(fields=["agency", "expected_close_date"]),
            models.Index(fields=["agency", "external_id"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.stage in self.OPEN_STAGES


class Invoice(AgencyOwned, TimeStamped):
    """An invoice or act; paid invoices are the recognised revenue the KPIs use."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENT = "sent", _("Sent")
        PAID = "paid", _("Paid")
        OVERDUE = "overdue", _("Overdue")
        CANCELLED = "cancelled", _("Cancelled")

    class Kind(models.TextChoices):
        INVOICE = "invoice", _("Invoice")
        ACT = "act", _("Act")

    client = models.ForeignKey(Client, verbose_name=_("client"), on_delete=models.PROTECT, related_name="invoices")
    deal = models.ForeignKey(Deal, verbose_name=_("deal"), on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="invoices")
    project_id = models.UUIDField(null=True, blank=True)  # the projects app links here later
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices, default=Kind.INVOICE)
    number = models.CharField(_("number"), max_length=40, blank=True)  # blank: the service takes the next one
    issued_on = models.DateField(_("issued"))
    due_on = models.DateField(_("due"), null=True, blank=True)
    paid_on = models.DateField(_("paid"), null=True, blank=True)
    amount = models.DecimalField(_("amount without VAT"), max_digits=14, decimal_places=2,
                                 validators=[MinValueValidator(0)])
    vat_rate = models.DecimalField(_("VAT, %"), max_digits=5, decimal_places=2, default=Decimal("20"))
    vat_amount = models.DecimalField(_("VAT"), max_digits=14, decimal_places=2, default=Decimal("0"))
    total = models.DecimalField(_("total"), max_digits=14, decimal_places=2, default=Decimal("0"))
    currency = models.CharField(_("currency"), max_length=3, default="RUB")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    description = models.CharField(_("description"), max_length=255, blank=True)
    # The printed document (счёт / акт), rendered by a job into the private storage; sent_at: e-mailed.
    pdf_file = models.FileField(upload_to="invoices/pdf/", storage=private_storage, blank=True, max_length=300)
    pdf_rendered_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-issued_on", "-number"]
        indexes = [
            models.Index(fields=["agency", "client", "-issued_on"]),
            models.Index(fields=["agency", "status", "due_on"]),
            models.Index(fields=["agency", "paid_on"]),
        ]
        constraints = [models.UniqueConstraint(fields=["agency", "kind", "number"], name="invoice_unique_number")]

    def __str__(self) -> str:
        return f"№ {self.number}"
