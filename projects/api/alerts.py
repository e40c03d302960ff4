"""REST API of projects (viewsets register on mrm.api_urls.router)."""


# --- alerts -------------------------------------------------------------------------------------------
from django.core.exceptions import PermissionDenied  # noqa: E402
from django_filters import rest_framework as filters  # noqa: E402
from drf_spectacular.utils import extend_schema  # noqa: E402
from rest_framework import serializers, viewsets  # noqa: E402
from rest_framework.decorators import action  # noqa: E402
from rest_framework.response import Response  # noqa: E402

from mrm.api_urls import router  # noqa: E402
from mrm.core.api import AgencyViewSetMixin  # noqa: E402

from ..alerts import rules as alert_rules  # noqa: E402
from ..alerts.selectors import alert_list  # noqa: E402
from ..models import Alert  # noqa: E402
from ..selectors import can_manage_project  # noqa: E402


class AlertSerializer(serializers.ModelSerializer):
    reason = serializers.CharField(source="reason_display", read_only=True,
                                   help_text="Why, with the numbers, in the caller's language.")
    acknowledged_by = serializers.SlugRelatedField(slug_field="email", read_only=True, allow_null=True)
    is_open = serializers.BooleanField(read_only=True)
    value = serializers.FloatField(read_only=True, help_text="How bad it is, in the kind's unit (larger is worse).")

    class Meta:
        model = Alert
        fields = ["id", "project", "kind", "severity", "subject_key", "subject_label", "reason", "url", "value",
                  "is_open", "first_raised_at", "raised_at", "last_seen_at", "resolved_at", "acknowledged_at",
                  "acknowledged_by", "acknowledged_value"]
        read_only_fields = fields


class AlertFilter(filters.FilterSet):
    project = filters.UUIDFilter(field_name="project_id")
    kind = filters.ChoiceFilter(choices=alert_rules.KIND_CHOICES)
    open = filters.BooleanFilter(field_name="resolved_at", lookup_expr="isnull", label="Open (not resolved)")
    acknowledged = filters.BooleanFilter(field_name="acknowledged_at", lookup_expr="isnull", exclude=True,
                                         label="Acknowledged")

    class Meta:
        model = Alert
        fields = ["project", "kind", "severity"]


class AlertViewSet(AgencyViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Predictive alerts of the projects the caller sees (milestone at risk, budget burn, critical path,
    client approval, client silence). POST `.../acknowledge/` quiets an open alert until it gets worse."""

    serializer_class = AlertSerializer
    filterset_class = AlertFilter
    ordering_fields = ["raised_at", "value", "severity"]
    policy_actions = {"list": "project.view", "retrieve": "project.view", "acknowledge": "project.manage"}
    lookup_value_regex = "[0-9a-f-]{36}"
    model = Alert

    def get_agency_queryset(self):
        return alert_list(agency=self.agency, membership=self.membership).order_by("-raised_at", "pk")

    @extend_schema(request=None, responses=AlertSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        """Acknowledge the alert (its PM, the AM or a director); acknowledging twice changes nothing, a
        resolved alert answers 400."""
        from ..services.alerts import alert_acknowledge

        alert = self.get_object()
        if not can_manage_project(membership=self.membership, project=alert.project):
            raise PermissionDenied
        alert = alert_acknowledge(agency=self.agency, actor=request.user, alert=alert)
        return Response(AlertSerializer(alert, context=self.get_serializer_context()).data)


router.register("alerts", AlertViewSet, basename="alert")
