from rest_framework import serializers, viewsets
from rest_framework.exceptions import PermissionDenied

from mrm.api_urls import router
from mrm.core.api import AgencyViewSetMixin

from ..models import Interaction
from ..selectors.timeline import interaction_list
from ..services import interactions as services
from ._fields import ContactField, DealField, InteractionField, VisibleClientField


class InteractionSerializer(serializers.ModelSerializer):
    client = VisibleClientField()
    contacts = ContactField(many=True, required=False)
    deal = DealField(required=False, allow_null=True)
    reply_to = InteractionField(required=False, allow_null=True)
    author = serializers.SlugRelatedField(slug_field="email", read_only=True)

    class Meta:
        model = Interaction
        fields = ["id", "client", "kind", "direction", "channel", "occurred_at", "duration_minutes", "subject",
                  "summary", "contacts", "deal", "is_unplanned", "is_extra_revision", "is_urgent", "needs_reply",
                  "reply_to", "replied_at", "author", "created_at", "updated_at"]
        read_only_fields = ["id", "replied_at", "author", "created_at", "updated_at"]
        extra_kwargs = {"channel": {"required": False}, "occurred_at": {"required": False}}

    def validate(self, attrs):
        client = attrs.get("client") or getattr(self.instance, "client", None)
        if self.instance is not None and "client" in attrs and attrs["client"].pk != self.instance.client_id:
            raise serializers.ValidationError({"client": "An interaction cannot move to another client."})
        for name in ("deal", "reply_to"):
            obj = attrs.get(name)
            if obj is not None and obj.client_id != client.pk:
                raise serializers.ValidationError({name: "Must belong to the same client."})
        if any(c.client_id != client.pk for c in attrs.get("contacts", [])):
            raise serializers.ValidationError({"contacts": "Participants must be contacts of this client."})
        if self.instance is not None and "reply_to" in attrs and attrs["reply_to"] != self.instance.reply_to:
            raise serializers.ValidationError({"reply_to": "Log a new interaction to answer another message."})
        return attrs


class InteractionViewSet(AgencyViewSetMixin, viewsets.ModelViewSet):
    """The timeline: calls, meetings, e-mails, messages and notes at the clients the caller may see."""

    serializer_class = InteractionSerializer
    filterset_fields = ["client", "kind", "direction", "needs_reply", "is_unplanned", "is_extra_revision",
                        "is_urgent"]
    search_fields = ["subject", "summary"]
    ordering_fields = ["occurred_at", "created_at"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    policy_actions = {"list": "interaction.view", "retrieve": "interaction.view", "create": "interaction.log",
                      "partial_update": "interaction.log"}
    lookup_value_regex = "[0-9a-f-]{36}"
    model = Interaction

    def get_agency_queryset(self):
        return interaction_list(agency=self.agency, membership=self.membership)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        client, contacts, reply_to = data.pop("client"), data.pop("contacts", []), data.pop("reply_to", None)
        serializer.instance = services.interaction_log(agency=self.agency, actor=self.request.user, client=client,
                                                       data=data, contacts=contacts, reply_to=reply_to)

    def perform_update(self, serializer):
        if not services.can_change_interaction(membership=self.membership, interaction=serializer.instance):
            raise PermissionDenied("Only the author or a director can change an interaction.")
        data = {k: v for k, v in serializer.validated_data.items() if k not in ("client", "contacts", "reply_to")}
        serializer.instance = services.interaction_update(
            agency=self.agency, actor=self.request.user, interaction=serializer.instance, data=data,
            contacts=serializer.validated_data.get("contacts"))


router.register("interactions", InteractionViewSet, basename="interaction")
