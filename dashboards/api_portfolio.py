"""REST API of the portfolio page: `/api/v1/portfolio/` (totals, concentration and the per-client rows, paginated,
with `ordering`, `search` and `loss_only`) and `/api/v1/portfolio/workload/` (per AM). The period takes the KPI
API's parameters; money is in the agency's currency (`currency`), other currencies apart. Directors get the
agency's clients, AMs theirs; bad parameters answer 400 with the message."""
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from mrm.api_urls import router
from mrm.core.api import AgencyViewSetMixin

from . import portfolio_board as board
from .api import PERIOD_PARAMS, KpiViewSet, ObjectAnswerSchema
from .portfolio_read import MAX_PAGE, portfolio_page

MONEY = {"max_digits": 18, "decimal_places": 2}
PAGE_SIZE, MAX_PAGE_SIZE = 50, 500
CLIENT_ORDERING = [f"{sign}{key}" for key in board.CLIENT_SORTS for sign in ("", "-")]
WORKLOAD_ORDERING = [f"{sign}{key}" for key in board.WORKLOAD_SORTS for sign in ("", "-")]


class EconomicsSerializer(serializers.Serializer):
    revenue = serializers.DecimalField(**MONEY)
    team_cost = serializers.DecimalField(**MONEY)
    unplanned_calls = serializers.DecimalField(source="unplanned", **MONEY)
    extra_revisions = serializers.DecimalField(source="revisions", **MONEY)
    urgent_requests = serializers.DecimalField(source="urgent", **MONEY)
    unpriced_extra_work = serializers.DecimalField(source="extra_work", **MONEY)
    hidden_costs = serializers.DecimalField(source="hidden", **MONEY)
    real_profit = serializers.DecimalField(source="profit", **MONEY)
    hours = serializers.DecimalField(max_digits=12, decimal_places=2)


class ClientRowSerializer(serializers.Serializer):
    client = serializers.UUIDField(source="client_id")
    name = serializers.CharField()
    status = serializers.CharField()
    account_manager = serializers.IntegerField(source="owner_id", allow_null=True)
    period = EconomicsSerializer()
    to_date = EconomicsSerializer(source="lifetime")
    tenure_months = serializers.DecimalField(source="tenure", max_digits=8, decimal_places=1, allow_null=True)
    monthly_margin = serializers.DecimalField(source="margin", allow_null=True, **MONEY)
    projected_ltv = serializers.DecimalField(source="ltv", allow_null=True, **MONEY)
    loss_making = serializers.BooleanField()
    other_currencies = serializers.DictField(child=serializers.DecimalField(**MONEY),
                                             help_text="Paid in the period in other currencies (not converted).")


class ConcentrationSerializer(serializers.Serializer):
    top1_share = serializers.DecimalField(source="top1", max_digits=5, decimal_places=1, allow_null=True)
    top3_share = serializers.DecimalField(source="top3", max_digits=5, decimal_places=1, allow_null=True)
    top5_share = serializers.DecimalField(source="top5", max_digits=5, decimal_places=1, allow_null=True)
    hhi = serializers.IntegerField(allow_null=True, help_text="Herfindahl–Hirschman index, 0–10 000.")
    warn_share = serializers.DecimalField(max_digits=5, decimal_places=2)
    warn_hhi = serializers.IntegerField()
    warning = serializers.BooleanField()


class TotalsSerializer(serializers.Serializer):
    clients = serializers.IntegerField()
    period = EconomicsSerializer()
    to_date = EconomicsSerializer(source="lifetime")
    projected_ltv = serializers.DecimalField(source="ltv", **MONEY)
    loss_making = serializers.IntegerField()
    other_currencies = serializers.DictField(child=serializers.DecimalField(**MONEY))


class PortfolioSerializer(serializers.Serializer):
    period = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    currency = serializers.CharField()
    hourly_cost = serializers.DecimalField(**MONEY)
    retention_12m = serializers.DecimalField(max_digits=6, decimal_places=4, allow_null=True)
    expected_lifetime_months = serializers.DecimalField(max_digits=6, decimal_places=1, allow_null=True)
    figures_as_of = serializers.DateTimeField(allow_null=True, help_text="When the per-client rollup the figures come "
                                              "from was built; null: computed live for this request.")
    totals = TotalsSerializer()
    concentration = ConcentrationSerializer()
    count = serializers.IntegerField()
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    results = ClientRowSerializer(many=True)


class WorkloadRowSerializer(serializers.Serializer):
    account_manager = serializers.IntegerField(source="am_id", allow_null=True)
    name = serializers.CharField()
    clients = serializers.IntegerField()
    revenue = serializers.DecimalField(**MONEY)
    hours = serializers.DecimalField(max_digits=12, decimal_places=2)
    real_profit = serializers.DecimalField(source="profit", **MONEY)


class WorkloadSerializer(serializers.Serializer):
    period = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    currency = serializers.CharField()
    results = WorkloadRowSerializer(many=True)


def _ordering(value: str, allowed: list[str], default: str) -> tuple[str, bool]:
    value = value or default
    if value not in allowed:
        raise ValidationError({"ordering": [f"Choose one of: {', '.join(allowed)}."]})
    return value.lstrip("-"), value.startswith("-")


def _positive(request, name: str, default: int, maximum: int | None = None) -> int:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValidationError({name: ["A whole number is required."]}) from None
    if value < 1 or (maximum is not None and value > maximum):
        raise ValidationError({name: [f"Between 1 and {maximum}." if maximum else "At least 1."]})
    return value


class PortfolioViewSet(AgencyViewSetMixin, viewsets.ViewSet):
    """The portfolio figures (computed per request from the agency's invoices, time and interactions)."""

    schema = ObjectAnswerSchema()
    policy_actions = {"list": "dashboard.view", "workload": "dashboard.view"}
    serializer_class = ClientRowSerializer
    _period = KpiViewSet._period

    def _meta(self, period) -> dict:
        return {"period": period.kind, "start": period.start, "end": period.last_day, "currency": self.agency.currency}

    @extend_schema(parameters=[
        *PERIOD_PARAMS,
        OpenApiParameter("ordering", OpenApiTypes.STR, enum=CLIENT_ORDERING, description="Default: -revenue."),
        OpenApiParameter("search", OpenApiTypes.STR, description="Part of the client's name."),
        OpenApiParameter("loss_only", OpenApiTypes.BOOL, description="Only clients that cost more than they pay."),
        OpenApiParameter("page", OpenApiTypes.INT), OpenApiParameter("page_size", OpenApiTypes.INT,
                                                                     description=f"1–{MAX_PAGE_SIZE}, default 50.")],
        responses={200: PortfolioSerializer})
    def list(self, request):
        period = self._period(request)
        sort, descending = _ordering(request.query_params.get("ordering", ""), CLIENT_ORDERING, "-revenue")
        loss = request.query_params.get("loss_only", "").lower()
        if loss not in ("", "true", "false", "1", "0"):
            raise ValidationError({"loss_only": ["true or false."]})
        page_number = _positive(request, "page", 1, MAX_PAGE)
        size = _positive(request, "page_size", PAGE_SIZE, MAX_PAGE_SIZE)
        data = portfolio_page(agency=self.agency, membership=self.membership, period=period,
                              search=request.query_params.get("search", "")[:100], loss_only=loss in ("true", "1"),
                              sort=sort, descending=descending, page=page_number, per_page=size)
        if data.page != page_number:
            raise NotFound("No such page.")
        return Response({
            **self._meta(period), "hourly_cost": str(data.hourly_cost),
            "retention_12m": None if data.retention is None else str(round(data.retention, 4)),
            "expected_lifetime_months": None if data.lifetime_months is None else str(data.lifetime_months),
            "figures_as_of": serializers.DateTimeField().to_representation(data.built_at) if data.built_at else None,
            "totals": TotalsSerializer(data.totals).data, "concentration": ConcentrationSerializer(data.concentration).data,
            "count": data.count, "page": data.page, "pages": data.pages,
            "results": ClientRowSerializer(data.rows, many=True).data})

    @extend_schema(parameters=[*PERIOD_PARAMS, OpenApiParameter("ordering", OpenApiTypes.STR, enum=WORKLOAD_ORDERING,
                                                                description="Default: name.")],
                   responses={200: WorkloadSerializer})
    @action(detail=False, methods=["get"], url_path="workload")
    def workload(self, request):
        period = self._period(request)
        sort, descending = _ordering(request.query_params.get("ordering", ""), WORKLOAD_ORDERING, "name")
        data = portfolio_page(agency=self.agency, membership=self.membership, period=period, per_page=1)
        loads = board.workload_table(data.workload, sort=sort, descending=descending)
        return Response({**self._meta(period), "results": WorkloadRowSerializer(loads, many=True).data})


router.register("portfolio", PortfolioViewSet, basename="portfolio")
