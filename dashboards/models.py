"""Daily KPI rollups: the agency-wide NPS answer counts and paid revenue per day (the agency's local date), so the
director's dashboard sums a few hundred rows instead of every answer and invoice of the trend's span. Written only
by `dashboards.rollups.kpi_rollup_rebuild` (nightly by beat, and after changes, debounced); read only while
`KpiRollupState` says the agency's rollup was built. Figures per AM, per client or behind a drill-down stay live."""
from django.db import models
from django.utils.translation import gettext_lazy as _

from mrm.tenancy.models import AgencyOwned


class KpiDailyRollup(AgencyOwned):
    """One agency day: NPS answers by category on the row with an empty `currency`; paid invoices (amount without
    VAT, kind "invoice", by the day paid) on one row per currency."""

    day = models.DateField(_("day"))
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    promoters = models.PositiveIntegerField(default=0)
    passives = models.PositiveIntegerField(default=0)
    detractors = models.PositiveIntegerField(default=0)
    paid = models.DecimalField(max_digits=16, decimal_places=2, default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "day", "currency"], name="kpi_rollup_one_per_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.currency or 'NPS'}"


class KpiRollupState(AgencyOwned):
    """When the agency's rollup was last rebuilt; no row: never built, the dashboard aggregates live."""

    built_at = models.DateTimeField(_("built at"))
    rows = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency"], name="kpi_rollup_state_one_per_agency")]

    def __str__(self) -> str:
        return f"{self.agency_id}: {self.built_at:%Y-%m-%d %H:%M}"


class ClientEconomics(AgencyOwned):
    """The portfolio page's rollup (`dashboards.portfolio_rollup`): per client and month the sums of its sources —
    paid revenue (one row per currency; rows of other currencies carry only revenue), team cost, unpriced extra work,
    hours and the minutes of flagged interactions by cause — plus one lifetime row per client (`month` empty) with
    the same sums over all time and the dates its tenure runs between. Minutes, not money: the hourly cost is applied
    when the page reads, so changing it in the settings needs no rebuild."""

    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="+")
    month = models.DateField(null=True, blank=True)  # the first day; empty: the lifetime row
    currency = models.CharField(max_length=3)
    revenue = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    # hours × cost rate keep four decimals, so sums over months round exactly as the live sum does
    team_cost = models.DecimalField(max_digits=18, decimal_places=4, default=0)
    extra_work = models.DecimalField(max_digits=18, decimal_places=4, default=0)
    hours = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    unplanned_minutes = models.PositiveIntegerField(default=0)
    revisions_minutes = models.PositiveIntegerField(default=0)
    urgent_minutes = models.PositiveIntegerField(default=0)
    began = models.DateField(null=True, blank=True)
    churned_on = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["agency", "month", "currency"], name="client_economics_month"),
                   models.Index(fields=["agency", "client", "month"], name="client_economics_client")]

    def __str__(self) -> str:
        return f"{self.client_id} {self.month or 'lifetime'} {self.currency}"


class ClientEconomicsState(AgencyOwned):
    """When the agency's portfolio rollup was last rebuilt; no row: never built, the page aggregates live."""

    built_at = models.DateTimeField(_("built at"))
    rows = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency"], name="client_economics_state_one_per_agency")]

    def __str__(self) -> str:
        return f"{self.agency_id}: {self.built_at:%Y-%m-%d %H:%M}"


class ClientHealth(AgencyOwned):
    """A client's health score as of `computed_at` (dashboards.health): one row per current client, written only by
    `health_rollups.health_rollup_rebuild` (nightly and after changes, debounced), so the at-risk list of 10,000
    clients is one indexed query. `signals` holds the language-neutral signals (key, points, raw figures)."""

    class Band(models.TextChoices):
        AT_RISK = "at_risk", _("At risk")
        WATCH = "watch", _("Watch")
        HEALTHY = "healthy", _("Healthy")

    client = models.OneToOneField("clients.Client", on_delete=models.CASCADE, related_name="health")
    score = models.PositiveSmallIntegerField(_("health score"))
    band = models.CharField(_("band"), max_length=8, choices=Band.choices)
    signals = models.JSONField(default=list)
    revenue_at_stake = models.DecimalField(_("revenue at stake"), max_digits=16, decimal_places=2, default=0)
    currency = models.CharField(_("currency"), max_length=3)
    action_key = models.CharField(max_length=20)
    action_params = models.JSONField(default=dict)
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        ordering = ["score"]
        indexes = [
            models.Index(fields=["agency", "band", "-revenue_at_stake"], name="health_band_revenue"),
            models.Index(fields=["agency", "-revenue_at_stake"], name="health_revenue"),
            models.Index(fields=["agency", "band", "score"], name="health_band_score"),
            models.Index(fields=["agency", "score"], name="health_score"),
        ]

    def __str__(self) -> str:
        return f"{self.client_id}: {self.score}"


class ClientHealthState(AgencyOwned):
    """When the agency's health rows were last rebuilt; no row: never built (the page builds them first)."""

    built_at = models.DateTimeField(_("built at"))
    rows = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency"], name="health_state_one_per_agency")]

    def __str__(self) -> str:
        return f"{self.agency_id}: {self.built_at:%Y-%m-%d %H:%M}"
