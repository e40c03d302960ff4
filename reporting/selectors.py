"""Reads of the reporting app: the sources a member may see (the CRM's client visibility), imports, and the
metric aggregates computed in SQL.

Derived metrics divide sums, never averages of ratios, and every division goes through `NullIf(…, 0)`:
no clicks means no CPC (NULL, shown as «—»), never a division error or a fake zero.
"""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import BigIntegerField, Count, DecimalField, Max, Min, QuerySet, Sum, Value
from django.db.models.functions import Cast, Coalesce, NullIf, Round
from django.http import Http404

from clients.selectors import client_visibility_q
from mrm.tenancy.models import Agency, Membership

from . import channels
from .models import Campaign, DailyMetric, DataSource, MetricImport

NUMERIC = DecimalField(max_digits=30, decimal_places=6)
MONEY = DecimalField(max_digits=20, decimal_places=2)


# --- sources ---------------------------------------------------------------------------------------
def source_list(*, agency: Agency, membership: Membership, client=None) -> QuerySet[DataSource]:
    """The sources of the clients the member may see (directors: all), with their client."""
    qs = DataSource.objects.filter(agency=agency).filter(client_visibility_q(membership=membership,
                                                                             prefix="client__"))
    if client is not None:
        qs = qs.filter(client=client)
    return qs.select_related("client")


def source_get(*, agency: Agency, membership: Membership, source_id) -> DataSource:
    source = source_list(agency=agency, membership=membership).filter(pk=source_id).first()
    if source is None:
        raise Http404
    return source


def source_campaign_count(*, source: DataSource) -> int:
    return Campaign.objects.filter(agency_id=source.agency_id, source=source).count()


def source_metric_span(*, source: DataSource) -> dict:
    """How much data a source holds: rows and the first and last day."""
    return DailyMetric.objects.filter(agency_id=source.agency_id, source=source).aggregate(
        rows=Count("id"), first=Min("date"), last=Max("date"))


# --- imports ---------------------------------------------------------------------------------------
def metric_import_list(*, agency: Agency, source: DataSource) -> QuerySet[MetricImport]:
    return MetricImport.objects.filter(agency=agency, source=source).select_related("job", "inspection", "uploaded_by")


def metric_import_get(*, agency: Agency, membership: Membership, import_id) -> MetricImport:
    """An import of a source the member may see; else 404."""
    item = (MetricImport.objects.filter(agency=agency, pk=import_id)
            .filter(client_visibility_q(membership=membership, prefix="source__client__"))
            .select_related("source", "source__client", "job", "inspection").first())
    if item is None:
        raise Http404
    return item


# --- metrics ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Period:
    date_from: date
    date_to: date

    @property
    def days(self) -> int:
        return (self.date_to - self.date_from).days + 1


SUMS = {
    "t_impressions": Coalesce(Sum("impressions"), Value(0), output_field=BigIntegerField()),
    "t_clicks": Coalesce(Sum("clicks"), Value(0), output_field=BigIntegerField()),
    "t_cost": Coalesce(Sum("cost"), Value(Decimal(0)), output_field=MONEY),
    "t_conversions": Coalesce(Sum("conversions"), Value(Decimal(0)), output_field=MONEY),
    "t_revenue": Coalesce(Sum("revenue"), Value(Decimal(0)), output_field=MONEY),
    "t_sessions": Coalesce(Sum("sessions"), Value(0), output_field=BigIntegerField()),
}


def _ratio(numerator, denominator, *, scale: int = 1, places: int = 2):
    """numerator / denominator × scale in SQL, NULL when the denominator is 0 (safe division)."""
    value = Cast(numerator, NUMERIC) * Value(Decimal(scale), output_field=NUMERIC) / NullIf(
        Cast(denominator, NUMERIC), Value(Decimal(0), output_field=NUMERIC))
    return Round(value, places, output_field=NUMERIC)


DERIVED_KEYS = ("ctr", "cpc", "cpa", "cr", "roas", "romi")
SUM_KEYS = ("impressions", "clicks", "cost", "conversions", "revenue", "sessions")
METRIC_KEYS = (*SUM_KEYS, *DERIVED_KEYS)


def _named(row: dict) -> dict:
    # The sums are selected as t_<field> (an alias may not shadow a model field) and handed out by field name.
    return {(k[2:] if k.startswith("t_") else k): v for k, v in row.items()}


def _sum_derived():
    # The derived metrics over the sums of the group: written out on the aggregates (not on the aliases),
    # which is what GROUP BY … SELECT SUM(clicks) / NULLIF(SUM(impressions), 0) needs.
    s = {k: Sum(k) for k in ("impressions", "clicks", "cost", "conversions", "revenue")}
    return {
        "ctr": _ratio(s["clicks"], s["impressions"], scale=100),
        "cpc": _ratio(s["cost"], s["clicks"]),
        "cpa": _ratio(s["cost"], s["conversions"]),
        "cr": _ratio(s["conversions"], s["clicks"], scale=100),
        "roas": _ratio(s["revenue"], s["cost"], scale=100),
        "romi": _ratio(s["revenue"] - s["cost"], s["cost"], scale=100),
    }


def metrics_queryset(*, agency: Agency, membership: Membership, period: Period, client=None, clients=None,
                     source=None, currency: str | None = None) -> QuerySet[DailyMetric]:
    """The facts of the period the member may see, narrowed to a client, a list of clients or a source."""
    qs = DailyMetric.objects.filter(agency=agency, date__gte=period.date_from, date__lte=period.date_to)
    if client is not None:
        qs = qs.filter(client=client)
    elif clients is not None:
        qs = qs.filter(client__in=clients)
    if source is not None:
        qs = qs.filter(source=source)
    if currency:
        qs = qs.filter(currency=currency)
    return qs.filter(client_visibility_q(membership=membership, prefix="client__"))


def metrics_currencies(qs: QuerySet[DailyMetric]) -> list[str]:
    """The currencies of the facts, most money first: sums are never mixed across currencies."""
    return list(qs.order_by().values("currency").annotate(total=Sum("cost")).order_by("-total", "currency")
                .values_list("currency", flat=True))


def metrics_totals(qs: QuerySet[DailyMetric]) -> dict:
    """The period's totals with the derived metrics, in one query."""
    return _named(qs.order_by().aggregate(**SUMS, **_sum_derived()))


def metrics_by_channel(qs: QuerySet[DailyMetric]) -> list[dict]:
    rows = [_named(r) for r in qs.order_by().values("channel").annotate(**SUMS, **_sum_derived())
            .order_by("-t_cost", "channel")]
    for row in rows:
        row["label"] = channels.label(row["channel"])
    return rows


def metrics_by_campaign(qs: QuerySet[DailyMetric], *, limit: int | None = None, offset: int = 0) -> list[dict]:
    """Per campaign (rows without a campaign: one line per channel), most spent first."""
    rows = (qs.order_by().values("campaign_id", "campaign__name", "channel")
            .annotate(**SUMS, **_sum_derived()).order_by("-t_cost", "campaign__name", "channel"))
    if limit is not None:
        rows = rows[offset:offset + limit]
    rows = [_named(r) for r in rows]
    for row in rows:
        row["label"] = channels.label(row["channel"])
    return rows


def metrics_campaign_count(qs: QuerySet[DailyMetric]) -> int:
    return qs.order_by().values("campaign_id", "channel").distinct().count()


def metrics_by_day(qs: QuerySet[DailyMetric]) -> list[dict]:
    return [_named(r) for r in qs.order_by().values("date").annotate(**SUMS, **_sum_derived()).order_by("date")]


def metrics_by_client(qs: QuerySet[DailyMetric]) -> list[dict]:
    return [_named(r) for r in qs.order_by().values("client_id", "client__name")
            .annotate(**SUMS, **_sum_derived()).order_by("-t_cost", "client__name")]


GROUPS = {"channel": metrics_by_channel, "campaign": metrics_by_campaign, "day": metrics_by_day,
          "client": metrics_by_client}

