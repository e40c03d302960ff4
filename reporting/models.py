"""Data sources, their campaigns and the daily metric facts (one row per source, campaign and day).

`DailyMetric` is the volume table (millions of rows per agency): a bigint key instead of a UUID (the facts
are never addressed in a URL; sources and campaigns are), no `updated_at`, and only the indexes the
aggregates read through. A row without a campaign is the source's total for one channel and day.
Re-imports replace rows (reporting.services.metrics), the unique constraints make doubling impossible.
"""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mrm.core.models import TimeStamped
from mrm.core.storage import private_storage
from mrm.tenancy.models import AgencyOwned


class DataSource(AgencyOwned, TimeStamped):
    """Where a client's metrics come from: a file the AM uploads, or an ad/analytics account (connectors)."""

    class Kind(models.TextChoices):
        FILE = "file", _("File (CSV/XLSX)")
        YANDEX_DIRECT = "yandex_direct", _("Yandex Direct")
        YANDEX_METRICA = "yandex_metrica", _("Yandex Metrica")
        VK_ADS = "vk_ads", _("VK Ads")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        PAUSED = "paused", _("Paused")
        ERROR = "error", _("Error")

    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="data_sources")
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, default=Kind.FILE)
    name = models.CharField(_("name"), max_length=200)
    currency = models.CharField(_("currency"), max_length=3, default="RUB")
    # What the connector reads: ad accounts (Direct/VK logins or ids), Metrica counters, chosen campaign ids.
    accounts = models.JSONField(_("accounts"), default=list, blank=True)
    counters = models.JSONField(_("counters"), default=list, blank=True)
    campaigns = models.JSONField(_("campaigns"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    last_synced_at = models.DateTimeField(_("last sync"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["agency", "client", "name"]),
                   models.Index(fields=["agency", "-last_synced_at"])]

    def __str__(self) -> str:
        return self.name


class Campaign(AgencyOwned, TimeStamped):
    """An advertising campaign of a source, as the source names it (`external_id`: its id, or for a file
    without ids the campaign's name)."""

    source = models.ForeignKey(DataSource, on_delete=models.CASCADE, related_name="campaign_set")
    external_id = models.CharField(max_length=200)
    name = models.CharField(max_length=300)
    channel = models.CharField(max_length=60, blank=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["source", "external_id"], name="reporting_campaign_unique")]

    def __str__(self) -> str:
        return self.name


class DailyMetric(AgencyOwned):
    """One day of one campaign (or of one channel of a source, without a campaign)."""

    id = models.BigAutoField(primary_key=True)
    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="+")
    source = models.ForeignKey(DataSource, on_delete=models.CASCADE, related_name="metrics")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, null=True, blank=True, related_name="metrics")
    date = models.DateField()
    channel = models.CharField(max_length=60, blank=True)
    impressions = models.BigIntegerField(default=0)
    clicks = models.BigIntegerField(default=0)
    cost = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    conversions = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    revenue = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    sessions = models.BigIntegerField(default=0)
    currency = models.CharField(max_length=3, default="RUB")
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "id"]
        constraints = [
            # A campaign's day exists once per source; a source-level row (no campaign) once per channel and day.
            models.UniqueConstraint(fields=["source", "campaign", "date"], condition=Q(campaign__isnull=False),
                                    name="reporting_metric_campaign_day"),
            models.UniqueConstraint(fields=["source", "channel", "date"], condition=Q(campaign__isnull=True),
                                    name="reporting_metric_source_day"),
        ]
        indexes = [models.Index(fields=["agency", "client", "date"], name="reporting_metric_client_date"),
                   models.Index(fields=["source", "date"], name="reporting_metric_source_date"),
                   # The agency-wide rollups of a period (portfolio, dashboards) would otherwise scan every fact.
                   models.Index(fields=["agency", "date"], name="reporting_metric_agency_date")]

    def __str__(self) -> str:
        return f"{self.date} {self.channel}"


def _import_file_path(instance, filename: str) -> str:
    return f"reporting/imports/{instance.agency_id}/{instance.id}/{filename}"


class MetricImport(AgencyOwned, TimeStamped):
    """An uploaded CSV/XLSX of daily rows for one file source: mapping, preview, the import job and its report."""

    source = models.ForeignKey(DataSource, on_delete=models.CASCADE, related_name="imports")
    file = models.FileField(upload_to=_import_file_path, storage=private_storage, max_length=300)
    original_name = models.CharField(max_length=200)
    kind = models.CharField(max_length=5, blank=True)  # csv / xlsx
    encoding = models.CharField(max_length=20, blank=True)
    delimiter = models.CharField(max_length=2, blank=True)
    headers = models.JSONField(default=list, blank=True)
    mapping = models.JSONField(default=dict, blank=True)  # column index -> field key
    sample = models.JSONField(default=list, blank=True)  # the first rows: [{"line": n, "values": [...]}]
    currency = models.CharField(_("currency"), max_length=3, default="RUB")
    channel = models.CharField(_("channel of rows without one"), max_length=60, blank=True)
    # The job that reads the stored file (headers, first rows) under the import caps; None for imports read
    # in the request before it existed.
    inspection = models.ForeignKey("jobs.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    job = models.ForeignKey("jobs.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    report = models.JSONField(default=dict, blank=True)  # outcome, counts, per-row errors
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["agency", "source", "-created_at"])]

    def __str__(self) -> str:
        return self.original_name

from .report_models import Report, ReportRating, ReportSchedule, ReportTemplate  # noqa: E402,F401 - client reports (h-reports)
from .sync_models import SourceCredential, SourceSync  # noqa: E402,F401 - connectors (h-connectors)
