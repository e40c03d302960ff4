"""REST API: one's notifications (list, read, mark read) and notification preferences (registered on the router)."""
from django.http import Http404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from mrm.api_urls import router
from mrm.core.api import AgencyViewSetMixin

from . import selectors, services
from .kinds import KINDS
from .models import Notification


class NotificationSerializer(serializers.ModelSerializer):
    is_read = serializers.BooleanField(read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "url", "is_read", "read_at", "created_at"]
        read_only_fields = fields


class NotificationViewSet(AgencyViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                          viewsets.GenericViewSet):
    """The caller's notifications in this agency, newest first. `?unread=true` lists only unread ones."""

    serializer_class = NotificationSerializer
    model = Notification
    filter_backends = []
    lookup_value_regex = "[0-9a-f-]{36}"
    policy_actions = {"list": "notification.view", "retrieve": "notification.view", "read": "notification.view",
                      "read_all": "notification.view"}

    def get_agency_queryset(self):
        qs = Notification.objects.filter(agency=self.agency, recipient=self.request.user).order_by("-created_at", "-pk")
        if self.action == "list" and self.request.query_params.get("unread") in ("true", "1"):
            qs = qs.filter(read_at__isnull=True)
        return qs

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        """Mark one notification read."""
        note = self.get_object()
        note = services.notification_mark_read(agency=self.agency, user=request.user, notification=note)
        return Response(NotificationSerializer(note).data)

    @extend_schema(request=None, responses=inline_serializer("NotificationsReadAll", {"updated": serializers.IntegerField()}))
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        """Mark every unread notification read."""
        updated = services.notifications_mark_all_read(agency=self.agency, user=request.user)
        return Response({"updated": updated})


class PreferenceSerializer(serializers.Serializer):
    kind = serializers.CharField(read_only=True)
    label = serializers.CharField(read_only=True)
    in_app = serializers.BooleanField(required=False)
    email = serializers.BooleanField(required=False)
    telegram = serializers.BooleanField(required=False)
    digest = serializers.BooleanField(required=False, help_text="E-mail and Telegram once a day instead of at once.")


class NotificationPreferenceViewSet(AgencyViewSetMixin, viewsets.GenericViewSet):
    """How each kind of notification reaches the caller (a kind without a saved choice shows its defaults).
    PATCH `/notification-preferences/{kind}/` (e.g. `task.assigned`) changes one kind."""

    serializer_class = PreferenceSerializer
    model = Notification
    pagination_class = None
    filter_backends = []
    lookup_value_regex = r"[a-z0-9_.-]+"  # the kind, e.g. task.assigned
    http_method_names = ["get", "patch", "head", "options"]
    policy_actions = {"list": "notification.view", "partial_update": "notification.view"}

    def _rows(self) -> list[dict]:
        rows = selectors.preference_rows(agency=self.agency, user=self.request.user,
                                         is_client=services.is_client(self.membership))
        return [{**row, "label": str(row["label"])} for row in rows]

    def list(self, request):
        return Response(PreferenceSerializer(self._rows(), many=True).data)

    def partial_update(self, request, pk=None):
        kind = pk
        row = next((r for r in self._rows() if r["kind"] == kind), None)
        if row is None or kind not in KINDS:
            raise Http404
        serializer = PreferenceSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        merged = {c: serializer.validated_data.get(c, row[c]) for c in ("in_app", "email", "telegram", "digest")}
        services.preferences_save(agency=self.agency, user=request.user, choices={kind: services.Channels(**merged)})
        row = next(r for r in self._rows() if r["kind"] == kind)
        return Response(PreferenceSerializer(row).data)


router.register("notifications", NotificationViewSet, basename="notification")
router.register("notification-preferences", NotificationPreferenceViewSet, basename="notification-preference")
