"""REST API of the KPI values: `/api/v1/kpis/` (the six tiles for a period; `?client=<id>` for one client) and
`/api/v1/kpis/team/` (per AM). The period takes the page's parameters: `period=month|quarter|year|custom`, `on`, or
`start` and `end`; bad ones answer 400 with the message. Directors get the agency's figures, AMs their clients'."""
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from clients.selectors.companies import client_list
from mrm.api_urls import router
from mrm.core.api import AgencyViewSetMixin, AutoSchema

from . import board
from .forms import PeriodForm
from .templatetags.dashboards import status_text


class KpiTileSerializer(serializers.Serializer):
    metric = serializers.CharField()
    title = serializers.CharField()
    unit = serializers.CharField()
    value = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    previous = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    delta = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    target = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    judged = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True,
                                      help_text="What the status compares with the target when not `value` "
                                                "(revenue: its growth year over year, %).")
    status = serializers.ChoiceField(choices=["green", "amber", "red", "none"])
    status_text = serializers.SerializerMethodField()
    facts = serializers.SerializerMethodField()
    trend = serializers.SerializerMethodField()

    def get_status_text(self, tile) -> str:
        return status_text(tile.status)

    def get_facts(self, tile) -> dict:
        return {k: (str(v) if v is not None and not isinstance(v, (int, bool, dict)) else
                    ({c: str(a) for c, a in v.items()} if isinstance(v, dict) else v)) for k, v in tile.facts.items()}

    def get_trend(self, tile) -> list[dict]:
        return [{"period": label, "value": None if value is None else str(value)} for label, value in tile.trend]


class KpiBoardSerializer(serializers.Serializer):
    period = serializers.ChoiceField(choices=["month", "quarter", "year", "custom"])
    start = serializers.DateField()
    end = serializers.DateField(help_text="The period's last day (inclusive).")
    previous_start = serializers.DateField()
    previous_end = serializers.DateField()
    currency = serializers.CharField()
    client = serializers.UUIDField(allow_null=True, required=False)
    results = KpiTileSerializer(many=True)


class KpiTeamRowSerializer(serializers.Serializer):
    account_manager = serializers.IntegerField(allow_null=True, help_text="The user id; null: clients without an AM.")
    name = serializers.CharField()
    kpis = KpiTileSerializer(many=True)


class KpiTeamSerializer(serializers.Serializer):
    period = serializers.ChoiceField(choices=["month", "quarter", "year", "custom"])
    start = serializers.DateField()
    end = serializers.DateField()
    previous_start = serializers.DateField()
    previous_end = serializers.DateField()
    currency = serializers.CharField()
    results = KpiTeamRowSerializer(many=True)


PERIOD_PARAMS = [
    OpenApiParameter("period", OpenApiTypes.STR, enum=["month", "quarter", "year", "custom"]),
    OpenApiParameter("on", OpenApiTypes.DATE, description="Any day of the month/quarter/year (default today)."),
    OpenApiParameter("start", OpenApiTypes.DATE, description="Custom: the first day."),
    OpenApiParameter("end", OpenApiTypes.DATE, description="Custom: the last day (inclusive)."),
]


class ObjectAnswerSchema(AutoSchema):
    """`list` here answers one object (the period and its tiles), not an array of rows."""

    def _is_list_view(self, serializer=None) -> bool:
        return False


class KpiViewSet(AgencyViewSetMixin, viewsets.ViewSet):
    """The KPI values of the dashboard (no database rows of their own: computed per request)."""

    schema = ObjectAnswerSchema()
    policy_actions = {"list": "dashboard.view", "team": "dashboard.view"}
    serializer_class = KpiTileSerializer

    def _period(self, request):
        from django.utils import timezone

        form = PeriodForm(request.query_params or None)
        if form.is_bound and not form.is_valid():
            raise ValidationError({("non_field_errors" if k == "__all__" else k): [str(m) for m in v]
                                   for k, v in form.errors.items()})
        return form.period_for(timezone.localdate())

    def _meta(self, period) -> dict:
        return {"period": period.kind, "start": period.start, "end": period.last_day,
                "previous_start": period.previous().start, "previous_end": period.previous().last_day,
                "currency": self.agency.currency}

    @extend_schema(parameters=[*PERIOD_PARAMS, OpenApiParameter("client", OpenApiTypes.UUID)],
                   responses={200: KpiBoardSerializer,
                              404: OpenApiResponse(description="The client is not one you see (or another agency's).")})
    def list(self, request):
        period = self._period(request)
        client = None
        if request.query_params.get("client"):
            client = client_list(agency=self.agency, membership=self.membership).filter(
                pk=_uuid(request.query_params["client"])).first()
            if client is None:
                raise NotFound()
        tiles = board.kpi_board(agency=self.agency, membership=self.membership, period=period, client=client)
        return Response({**self._meta(period), "client": client.pk if client else None,
                         "results": KpiTileSerializer(tiles, many=True).data})

    @extend_schema(parameters=PERIOD_PARAMS, responses={200: KpiTeamSerializer})
    @action(detail=False, methods=["get"], url_path="team")
    def team(self, request):
        period = self._period(request)
        rows = board.kpi_team(agency=self.agency, membership=self.membership, period=period)
        return Response({**self._meta(period), "results": [
            {"account_manager": row.am_id, "name": row.name,
             "kpis": KpiTileSerializer(list(row.tiles.values()), many=True).data} for row in rows]})


def _uuid(value: str):
    import uuid

    try:
        return uuid.UUID(value)
    except ValueError:
        raise ValidationError({"client": ["Not a valid client id."]}) from None


router.register("kpis", KpiViewSet, basename="kpi")

from . import api_health  # noqa: E402,F401 - the client health API registers itself on the router
