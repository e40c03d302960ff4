"""REST API of the portal's areas for staff (viewsets register on mrm.api_urls.router)."""
# --- nps --------------------------------------------------------------------------------------------------------
from django_filters import rest_framework as filters
from rest_framework import serializers, viewsets

from mrm.api_urls import router
from mrm.core.api import AgencyViewSetMixin

from .models import NpsResponse
from .selectors.nps import nps_response_list


class NpsResponseSerializer(serializers.ModelSerializer):
    category = serializers.CharField(read_only=True, help_text="promoter (9–10), passive (7–8) or detractor (0–6).")
    sent_at = serializers.DateTimeField(source="survey.sent_at", read_only=True)
    trigger_label = serializers.CharField(source="survey.trigger_label", read_only=True)

    class Meta:
        model = NpsResponse
        fields = ["id", "survey", "client", "contact", "contact_name", "score", "category", "comment", "channel",
                  "trigger", "trigger_label", "sent_at", "answered_at"]
        read_only_fields = fields


class NpsResponseFilter(filters.FilterSet):
    client = filters.UUIDFilter(field_name="client_id")
    answered_after = filters.IsoDateTimeFilter(field_name="answered_at", lookup_expr="gte")
    answered_before = filters.IsoDateTimeFilter(field_name="answered_at", lookup_expr="lt")

    class Meta:
        model = NpsResponse
        fields = ["client", "trigger", "channel"]


class NpsResponseViewSet(AgencyViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """NPS answers (score 0–10, comment, contact, trigger, time) of the clients the caller may see; filter by
    `client` and a period (`answered_after`, `answered_before`) to compute NPS = % promoters − % detractors."""

    serializer_class = NpsResponseSerializer
    filterset_class = NpsResponseFilter
    ordering_fields = ["answered_at", "score"]
    policy_actions = {"list": "nps.view", "retrieve": "nps.view"}
    lookup_value_regex = "[0-9a-f-]{36}"
    model = NpsResponse

    def get_agency_queryset(self):
        return nps_response_list(agency=self.agency, membership=self.membership).select_related("survey")


router.register("nps-responses", NpsResponseViewSet, basename="nps-response")
