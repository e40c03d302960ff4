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
