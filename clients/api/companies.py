from rest_framework import serializers, viewsets

from mrm.api_urls import router
from mrm.core.api import AgencyViewSetMixin

from ..models import Client
from ..selectors import client_list
from ..services import companies as services
from .custom_fields import CustomFieldsField


class ClientSerializer(serializers.ModelSerializer):
    owner = serializers.SlugRelatedField(slug_field="email", read_only=True)
    tags = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    custom_fields = CustomFieldsField(entity="client")

    class Meta:
        model = Client
        fields = ["id", "name", "legal_name", "industry", "website", "size", "source", "status", "churn_reason",
                  "owner", "tags", "start_date", "notes", "last_contact_at", "custom_fields", "created_at", "updated_at"]
        read_only_fields = ["id", "owner", "tags", "last_contact_at", "created_at", "updated_at"]

    def validate(self, attrs):
        status = attrs.get("status", getattr(self.instance, "status", None))
        reason = attrs.get("churn_reason", getattr(self.instance, "churn_reason", ""))
        if status == Client.Status.CHURNED and not reason:
            raise serializers.ValidationError({"churn_reason": "Say why the client left."})
        return attrs


class ClientViewSet(AgencyViewSetMixin, viewsets.ModelViewSet):
    """Clients the caller may see (directors: all; AMs: their own and their teams')."""

    serializer_class = ClientSerializer
    filterset_fields = ["status", "industry", "source", "size"]
    search_fields = ["name", "legal_name"]
    ordering_fields = ["name", "created_at", "status", "last_contact_at"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    policy_actions = {"list": "client.view", "retrieve": "client.view", "create": "client.create",
                      "partial_update": "client.edit"}
    lookup_value_regex = "[0-9a-f-]{36}"

    model = Client

    def get_agency_queryset(self):
        return client_list(agency=self.agency, membership=self.membership).prefetch_related("tags").order_by(
            "name", "pk")

    def perform_create(self, serializer):
        serializer.instance = services.client_create(agency=self.agency, actor=self.request.user,
                                                     data=serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.client_update(agency=self.agency, actor=self.request.user,
                                                     client=serializer.instance, data=serializer.validated_data)


router.register("clients", ClientViewSet, basename="client")
