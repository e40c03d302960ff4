"""Reporting REST API: data sources (CRUD), the bulk upload of daily metric rows (idempotent: a campaign's
days are replaced, never doubled) and the metric aggregates (totals, by channel, campaign, day, client)."""
from datetime import timedelta
from decimal import Decimal

from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from clients.api._fields import VisibleClientField
from clients.selectors import client_get
from mrm.api_urls import router
from mrm.core.api import AgencyViewSetMixin, AutoSchema

from . import channels, selectors
from .forms import MAX_PERIOD_DAYS
from .importing import MAX_CONVERSIONS, MAX_COUNT
from .models import DailyMetric, DataSource
from .services import metrics as metric_services
from .services import sources as services

MAX_ROWS = 10_000
MAX_GROUP_ROWS = 1000


class DataSourceSerializer(serializers.ModelSerializer):
    client = VisibleClientField()
    accounts = serializers.ListField(child=serializers.CharField(max_length=200), required=False, max_length=500)
    counters = serializers.ListField(child=serializers.CharField(max_length=200), required=False, max_length=500)
    campaigns = serializers.ListField(child=serializers.CharField(max_length=200), required=False, max_length=500,
                                      help_text="Campaign ids the connector reads; empty: all.")

    class Meta:
        model = DataSource
        fields = ["id", "client", "kind", "name", "currency", "accounts", "counters", "campaigns", "status",
                  "last_synced_at", "last_error", "created_at", "updated_at"]
        read_only_fields = ["id", "last_synced_at", "last_error", "created_at", "updated_at"]

    def validate(self, attrs):
        if self.instance is not None and "client" in attrs and attrs["client"].pk != self.instance.client_id:
            raise serializers.ValidationError({"client": "A source cannot move to another client."})
        return attrs


class MetricRowSerializer(serializers.Serializer):
    date = serializers.DateField()
    channel = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    campaign_id = serializers.CharField(max_length=200, required=False, allow_blank=True, default="",
                                        help_text="The campaign's id in the source.")
    campaign = serializers.CharField(max_length=300, required=False, allow_blank=True, default="",
                                     help_text="The campaign's name (its key when there is no id).")
    impressions = serializers.IntegerField(min_value=0, max_value=MAX_COUNT, default=0)
    clicks = serializers.IntegerField(min_value=0, max_value=MAX_COUNT, default=0)
    cost = serializers.DecimalField(max_digits=16, decimal_places=2, min_value=Decimal(0), default=Decimal(0))
    conversions = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal(0),
                                           max_value=MAX_CONVERSIONS, default=Decimal(0))
    revenue = serializers.DecimalField(max_digits=16, decimal_places=2, min_value=Decimal(0), default=Decimal(0))
    sessions = serializers.IntegerField(min_value=0, max_value=MAX_COUNT, default=0)
    currency = serializers.RegexField(r"^[A-Za-z]{3}$", required=False, allow_blank=True, default="")

    def validate_date(self, value):
        if value > timezone.localdate() + timedelta(days=1):
            raise serializers.ValidationError("The date is in the future.")
        return value

    def validate(self, attrs):
        attrs["channel"] = channels.normalize(attrs.get("channel", ""))
        attrs["currency"] = (attrs.get("currency") or "").upper()
        return attrs


class MetricUploadSerializer(serializers.Serializer):
    rows = MetricRowSerializer(many=True, allow_empty=False, max_length=MAX_ROWS)

    def validate_rows(self, rows):
        seen, errors = {}, {}
        for index, row in enumerate(rows):
            campaign = row["campaign_id"] or " ".join(row["campaign"].split()).lower()
            key = (row["date"], campaign, "" if campaign else row["channel"])
            if key in seen:
                errors[str(index)] = [f"The same day and campaign as row {seen[key]}."]
            seen.setdefault(key, index)
        if errors:
            raise serializers.ValidationError(errors)
        return rows


class MetricUploadResultSerializer(serializers.Serializer):
    rows = serializers.IntegerField()
    replaced = serializers.IntegerField(help_text="Facts of the same campaigns and days that were replaced.")
    campaigns = serializers.IntegerField()
    date_from = serializers.DateField(allow_null=True)
    date_to = serializers.DateField(allow_null=True)


class MetricFactSerializer(serializers.ModelSerializer):
    campaign_id = serializers.CharField(source="campaign.external_id", default="", read_only=True,
                                        help_text="The campaign's id in the source (`name:…` for a file's name).")
    campaign = serializers.CharField(source="campaign.name", default="", read_only=True)

    class Meta:
        model = DailyMetric
        fields = ["date", "channel", "campaign_id", "campaign", "impressions", "clicks", "cost", "conversions",
                  "revenue", "sessions", "currency", "imported_at"]


class MetricFactPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = MetricFactSerializer(many=True)


class MetricRowsQuerySerializer(serializers.Serializer):
    date_from = serializers.DateField()
    date_to = serializers.DateField()

    def validate(self, attrs):
        if attrs["date_from"] > attrs["date_to"]:
            raise serializers.ValidationError({"date_from": "The start of the period is after its end."})
        if (attrs["date_to"] - attrs["date_from"]).days >= MAX_PERIOD_DAYS:
            raise serializers.ValidationError({"date_to": "Choose a period of at most two years."})
        return attrs


class DataSourceViewSet(AgencyViewSetMixin, viewsets.ModelViewSet):
    """Data sources of the clients the caller may see. POST `{id}/metrics/` uploads daily rows, GET reads them."""

    serializer_class = DataSourceSerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    policy_actions = {"list": "reporting.view", "retrieve": "reporting.view", "create": "reporting.manage",
                      "partial_update": "reporting.manage", "destroy": "reporting.manage",
                      "metrics": "reporting.manage", "metric_rows": "reporting.view"}
    lookup_value_regex = "[0-9a-f-]{36}"
    model = DataSource
    filterset_fields = ["client", "kind", "status"]
    search_fields = ["name", "client__name"]
    ordering_fields = ["name", "last_synced_at", "created_at"]

    def get_agency_queryset(self):
        return selectors.source_list(agency=self.agency, membership=self.membership).order_by("name", "id")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        client = data.pop("client")
        serializer.instance = services.source_create(agency=self.agency, actor=self.request.user, client=client,
                                                     data=data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("client", None)
        serializer.instance = services.source_update(agency=self.agency, actor=self.request.user,
                                                     source=serializer.instance, data=data)

    def perform_destroy(self, instance):
        services.source_delete(agency=self.agency, actor=self.request.user, source=instance)

    @extend_schema(request=MetricUploadSerializer, responses={200: MetricUploadResultSerializer})
    @action(detail=True, methods=["post"])
    def metrics(self, request, pk=None):
        """Upload daily rows `{"rows": [{"date", "channel", "campaign_id", "campaign", "impressions", …}]}`
        (at most 10,000). Each campaign's (or, without a campaign, each channel's) days from its first to its
        last row are replaced: sending the same rows again changes nothing. Any invalid row: 400, nothing saved."""
        source = self.get_object()
        payload = request.data if isinstance(request.data, dict) else {"rows": request.data}
        upload = MetricUploadSerializer(data=payload)
        upload.is_valid(raise_exception=True)
        result = metric_services.metrics_replace(agency=self.agency, source=source,
                                                 rows=upload.validated_data["rows"])
        return Response(result, status=status.HTTP_200_OK)


    @extend_schema(parameters=[MetricRowsQuerySerializer,
                               OpenApiParameter("page", int, description="A page number (50 rows a page).")],
                   responses={200: MetricFactPageSerializer})
    @metrics.mapping.get
    def metric_rows(self, request, pk=None):
        """The source's daily rows from `date_from` to `date_to` (by day, paginated), as stored."""
        source = self.get_object()
        query = MetricRowsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        rows = (DailyMetric.objects.filter(agency=self.agency, source=source,
                                           date__gte=query.validated_data["date_from"],
                                           date__lte=query.validated_data["date_to"])
                .select_related("campaign").order_by("date", "id"))
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(MetricFactSerializer(page, many=True).data)


router.register("reporting/sources", DataSourceViewSet, basename="reporting-source")


class MetricsQuerySerializer(serializers.Serializer):
    client = serializers.UUIDField(required=False)
    source = serializers.UUIDField(required=False)
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    group = serializers.ChoiceField(choices=["total", "channel", "campaign", "day", "client"], default="total")
    currency = serializers.RegexField(r"^[A-Za-z]{3}$", required=False)

    def validate(self, attrs):
        if attrs["date_from"] > attrs["date_to"]:
            raise serializers.ValidationError({"date_from": "The start of the period is after its end."})
        if (attrs["date_to"] - attrs["date_from"]).days >= MAX_PERIOD_DAYS:
            raise serializers.ValidationError({"date_to": "Choose a period of at most two years."})
        return attrs


def _plain(row: dict) -> dict:
    return {k: (str(v) if isinstance(v, Decimal) else v.isoformat() if hasattr(v, "isoformat") else v)
            for k, v in row.items()}


class MetricsAggregateSerializer(serializers.Serializer):
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    group = serializers.CharField()
    currency = serializers.CharField(help_text="The currency of every sum in `rows`.")
    currencies = serializers.ListField(child=serializers.CharField(),
                                       help_text="Every currency with facts in the period, most spend first.")
    truncated = serializers.BooleanField(help_text=f"More than {MAX_GROUP_ROWS} groups: the first ones by cost.")
    rows = serializers.ListField(child=serializers.DictField(), help_text=(
        "Per group: the group's key (channel, campaign_id + campaign__name, date, client_id + client__name), the "
        "sums impressions, clicks, cost, conversions, revenue, sessions and the derived ctr, cpc, cpa, cr, roas, "
        "romi (null when the divisor is zero); money and ratios as decimal strings."))


class _OneObjectSchema(AutoSchema):
    # A router needs a viewset, whose `list` drf-spectacular documents as an array; this one answers one object.
    def _is_list_view(self, serializer=None) -> bool:
        return False


class MetricsAggregateViewSet(AgencyViewSetMixin, viewsets.ViewSet):
    """Metric sums with CTR, CPC, CPA, CR (%), ROAS and ROMI (%) over a period, for the clients the caller may
    see: `group=total|channel|campaign|day|client`. Sums never mix currencies: `currency` picks one (default:
    the one with the most spend); the answer lists the others."""

    policy_actions = {"list": "reporting.view"}
    schema = _OneObjectSchema()

    @extend_schema(parameters=[MetricsQuerySerializer], responses={200: MetricsAggregateSerializer})
    def list(self, request):
        query = MetricsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        period = selectors.Period(params["date_from"], params["date_to"])
        client = source = None
        # A filter naming a client or source the caller may not see (or another agency's) is refused like an
        # unknown id in a request body: 400, the same answer for "missing" and "not yours".
        try:
            if params.get("client"):
                client = client_get(agency=self.agency, membership=self.membership, client_id=params["client"])
            if params.get("source"):
                source = selectors.source_get(agency=self.agency, membership=self.membership,
                                              source_id=params["source"])
        except Http404:
            name = "source" if client is not None or not params.get("client") else "client"
            raise serializers.ValidationError({name: ["Not found."]}) from None
        base = selectors.metrics_queryset(agency=self.agency, membership=self.membership, period=period,
                                          client=client, source=source)
        currencies = selectors.metrics_currencies(base)
        currency = (params.get("currency") or (currencies[0] if currencies else self.agency.currency)).upper()
        qs = base.filter(currency=currency)
        if params["group"] == "total":
            rows = [selectors.metrics_totals(qs)]
        elif params["group"] == "campaign":
            rows = selectors.metrics_by_campaign(qs, limit=MAX_GROUP_ROWS + 1)
        else:
            rows = selectors.GROUPS[params["group"]](qs)[:MAX_GROUP_ROWS + 1]
        return Response({"date_from": period.date_from, "date_to": period.date_to, "group": params["group"],
                         "currency": currency, "currencies": currencies, "truncated": len(rows) > MAX_GROUP_ROWS,
                         "rows": [_plain(r) for r in rows[:MAX_GROUP_ROWS]]})


router.register("reporting/metrics", MetricsAggregateViewSet, basename="reporting-metrics")
from . import api_reports  # noqa: E402,F401 - client reports (h-reports)
from . import api_sync as _api_sync  # noqa: E402,F401 - connectors (h-connectors)
