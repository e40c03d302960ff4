"""REST API of client requests (staff): threads of the clients the caller sees, their messages, answering and
closing. `/api/v1/client-requests/` and `/api/v1/request-messages/`; another agency's thread answers 404."""
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from clients.selectors.deals import visible_to
from mrm.api_urls import router
from mrm.core.api import AgencyViewSetMixin

from .models import Attachment, ClientRequest, Message
from .selectors import request_list
from .services import BODY_MAX, request_close, request_reply


class AttachmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Attachment
        fields = ["id", "name", "content_type", "size", "created_at"]


class MessageSerializer(serializers.ModelSerializer):
    author = serializers.SlugRelatedField(slug_field="email", read_only=True, allow_null=True)  # none: the client
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = Message
        fields = ["id", "thread", "channel", "direction", "external_message_id", "author", "author_contact", "body",
                  "attachments", "created_at"]
        read_only_fields = fields


@extend_schema_serializer(component_name="ClientRequestThread")  # not "ClientRequest": the Client serializer's request body
class ClientRequestSerializer(serializers.ModelSerializer):
    within_target = serializers.BooleanField(read_only=True, allow_null=True)

    class Meta:
        model = ClientRequest
        fields = ["id", "number", "client", "kind", "subject", "status", "channel", "opened_by_contact",
                  "target_minutes", "due_at", "first_reply_at", "response_minutes", "within_target", "awaiting_since",
                  "last_message_at", "closed_at", "created_at", "updated_at"]
        read_only_fields = fields


class ReplySerializer(serializers.Serializer):
    body = serializers.CharField(max_length=BODY_MAX, trim_whitespace=True)


class ClientRequestViewSet(AgencyViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                           viewsets.GenericViewSet):
    """Requests of the clients the caller sees (directors: all; AMs: their clients and their teams')."""

    serializer_class = ClientRequestSerializer
    filterset_fields = ["client", "status", "kind", "channel"]
    search_fields = ["subject"]
    ordering_fields = ["last_message_at", "created_at", "number", "awaiting_since"]
    policy_actions = {"list": "request.view", "retrieve": "request.view", "reply": "request.reply",
                      "close": "request.reply"}
    lookup_value_regex = "[0-9a-f-]{36}"
    model = ClientRequest

    def get_agency_queryset(self):
        return request_list(agency=self.agency, membership=self.membership).order_by("-last_message_at", "pk")

    @extend_schema(request=ReplySerializer, responses={201: MessageSerializer})
    @action(detail=True, methods=["post"])
    def reply(self, request, pk=None):
        """The agency's answer in the thread; the first one fixes the response time."""
        thread = self.get_object()
        payload = ReplySerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        message = request_reply(agency=self.agency, actor=request.user, thread=thread,
                                body=payload.validated_data["body"])
        return Response(MessageSerializer(message).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: ClientRequestSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        thread = request_close(agency=self.agency, actor=request.user, thread=self.get_object())
        return Response(ClientRequestSerializer(thread).data)


class RequestMessageViewSet(AgencyViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                            viewsets.GenericViewSet):
    """Messages of the requests the caller sees, oldest first (filter by `thread`)."""

    serializer_class = MessageSerializer
    filterset_fields = ["thread", "direction", "channel"]
    ordering_fields = ["created_at"]
    policy_actions = {"list": "request.view", "retrieve": "request.view"}
    lookup_value_regex = "[0-9a-f-]{36}"
    model = Message

    def get_agency_queryset(self):
        qs = Message.objects.filter(agency=self.agency).select_related("author").prefetch_related("attachments")
        return visible_to(qs, agency=self.agency, membership=self.membership, field_name="thread__client").order_by(
            "created_at", "pk")


router.register("client-requests", ClientRequestViewSet, basename="client-request")
router.register("request-messages", RequestMessageViewSet, basename="request-message")
