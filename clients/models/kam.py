from decimal import Decimal

from django.db import models
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from mrm.core.models import TimeStamped
from mrm.tenancy.models import AgencyOwned

from .company import Client

# Named criteria, each scored 1–5. Averages ≥ 3 count as "high".
ATTRACTIVENESS_CRITERIA = {
    "revenue_potential": _("Revenue potential"),
    "margin": _("Margin"),
    "growth": _("Client's growth"),
    "strategic_fit": _("Fit with our services"),
}
RELATIONSHIP_CRITERIA = {
    "access": _("Access to decision makers"),
    "trust": _("Trust"),
    "share_of_wallet": _("Share of their marketing budget"),
    "tenure": _("Length of relationship"),
}
HIGH = Decimal("3")


class AccountPlan(AgencyOwned, TimeStamped):
    """Key-account view of one client: relationship stage, scores and the KAM quadrant."""

    class Stage(models.TextChoices):
        TACTICAL = "tactical", _("Tactical")
        OPERATIONAL = "operational", _("Operational")
        STRATEGIC = "strategic", _("Strategic")

    class Quadrant(models.TextChoices):
        STRATEGIC = "strategic", _("Strategic")  # invest, keep profitable
        STAR = "star", _("Star")  # invest, profit later
        STATUS = "status", _("Status")  # maintain
        STREAMLINE = "streamline", _("Streamline")  # manage for profit

    client = models.OneToOneField(Client, on_delete=models.CASCADE, related_name="account_plan")
    relationship_stage = models.CharField(_("relationship stage"), max_length=12, choices=Stage.choices,
                                          default=Stage.TACTICAL)
    attractiveness_scores = models.JSONField(default=dict, blank=True)
    relationship_scores = models.JSONField(default=dict, blank=True)
    # Derived from the scores by the service that saves them; stored so the portfolio grid can filter in SQL.
    attractiveness = models.DecimalField(max_digits=3, decimal_places=2, default=Decimal("0"))
    relationship_strength = models.DecimalField(max_digits=3, decimal_places=2, default=Decimal("0"))
    quadrant = models.CharField(_("KAM quadrant"), max_length=12, choices=Quadrant.choices, blank=True)
    summary = models.TextField(_("strategy in a few lines"), blank=True)

    class Meta:
        ordering = ["client__name"]
        indexes = [
            models.Index(fields=["agency", "quadrant"]),
            # The portfolio cell: strongest first, LIMIT n per quadrant (no window over every plan).
            models.Index(F("agency"), F("quadrant"), (F("attractiveness") + F("relationship_strength")).desc(),
                         name="clients_plan_cell_score_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.client} account plan"

    @staticmethod
    def quadrant_for(attractiveness: Decimal, strength: Decimal) -> str:
        high_a, high_r = attractiveness >= HIGH, strength >= HIGH
        if high_a and high_r:
            return AccountPlan.Quadrant.STRATEGIC
        if high_a:
            return AccountPlan.Quadrant.STAR
        if high_r:
            return AccountPlan.Quadrant.STATUS
        return AccountPlan.Quadrant.STREAMLINE


class AccountObjective(AgencyOwned, TimeStamped):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACHIEVED = "achieved", _("Achieved")
        MISSED = "missed", _("Missed")

    plan = models.ForeignKey(AccountPlan, on_delete=models.CASCADE, related_name="objectives")
    title = models.CharField(_("objective"), max_length=200)
    kpi = models.CharField(_("KPI"), max_length=200, blank=True)
    target = models.CharField(_("target value"), max_length=100, blank=True)
    due_on = models.DateField(_("due"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)

    class Meta:
        ordering = ["due_on", "created_at"]

    def __str__(self) -> str:
        return self.title
