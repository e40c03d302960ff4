"""REST API of the client health scores: `/api/v1/health/` (the clients the caller sees, with `band`, `owner` and
`search` filters, `ordering`, pages) and `/api/v1/health/<client id>/` (one client; 404 when it is not a current
client the caller sees, or another agency's). Read from the stored rows; an agency whose health was never built gets
it built on the first call, as on the page."""
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, viewsets

from mrm.api_urls import router
from mrm.core.api import AgencyViewSetMixin

from . import health
from .health_rollups import health_ensure
from .health_selectors import HealthQuery, health_list
from .models import ClientHealth


class HealthSignalSerializer(serializers.Serializer):
    key = serializers.ChoiceField(choices=list(health.SIGNALS))
    points = serializers.IntegerField(help_text="Points this signal takes off the score of 100.")
    value = serializers.DictField(help_text="The raw figures behind the signal (days, counts, amounts as strings).")
    text = serializers.CharField(help_text="The signal explained, in the caller's language.")


class NextActionSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="The worst signal's key, or `none`.")
    params = serializers.DictField()
    text = serializers.CharField()


class ClientHealthSerializer(serializers.ModelSerializer):
    client = serializers.UUIDField(source="client_id", read_only=True)
    client_name = serializers.CharField(source="client.name", read_only=True)
    account_manager = serializers.SlugRelatedField(source="client.owner", slug_field="email", read_only=True,
                                                   allow_null=True)
    signals = serializers.SerializerMethodField()
    next_action = serializers.SerializerMethodField()

    class Meta:
        model = ClientHealth
        fields = ["client", "client_name", "account_manager", "score", "band", "signals", "revenue_at_stake",
                  "currency", "next_action", "computed_at"]
        read_only_fields = fields

    @extend_schema_field(HealthSignalSerializer(many=True))
    def get_signals(self, item) -> list[dict]:
        return [{**s, "text": health.explain(s)} for s in item.signals]

    @extend_schema_field(NextActionSerializer)
    def get_next_action(self, item) -> dict:
        return {"key": item.action_key, "params": item.action_params,
                "text": health.action_text(item.action_key, item.action_params)}


class HealthFilter(filters.FilterSet):
    band = filters.ChoiceFilter(choices=ClientHealth.Band.choices)
    owner = filters.NumberFilter(field_name="client__owner_id", label="The account manager's user id")

    class Meta:
        model = ClientHealth
        fields = ["band", "owner"]


class ClientHealthViewSet(AgencyViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Health scores of the current clients the caller sees (directors: all; AMs: their own and their teams'),
    by revenue at stake (highest first) unless `ordering` says otherwise."""

    serializer_class = ClientHealthSerializer
    filterset_class = HealthFilter
    search_fields = ["client__name"]
    ordering_fields = ["score", "revenue_at_stake", "client__name", "computed_at"]
    policy_actions = {"list": "dashboard.view", "retrieve": "dashboard.view"}
    lookup_field = "client_id"
    lookup_url_kwarg = "pk"
    lookup_value_regex = "[0-9a-f-]{36}"
    model = ClientHealth

    def get_agency_queryset(self):
        health_ensure(agency=self.agency)
        return health_list(agency=self.agency, membership=self.membership, query=HealthQuery(band="all"))


router.register("health", ClientHealthViewSet, basename="health")

