"""Connector API: a source's connection (tokens in, never out) and its syncs (start one, follow it).

`PUT/PATCH /api/v1/reporting/connections/{source id}/` saves tokens (write-only) and answers what is saved
(`connected`, `token_hint`, `expires_at`); `POST /api/v1/reporting/syncs/` `{"source", "date_from", "date_to"}`
queues a sync (202) whose `status` and `job` the caller polls at `GET /api/v1/reporting/syncs/{id}/`."""
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from mrm.api_urls import router
from mrm.core.api import AgencyViewSetMixin

from . import selectors
from .models import DataSource, SourceSync
from .selectors_sync import credential_get
from .services import connections, syncs


class SourceSyncSerializer(serializers.ModelSerializer):
    source = serializers.UUIDField(source="source_id")
    job = serializers.UUIDField(source="job_id", read_only=True, allow_null=True)
    job_status = serializers.CharField(source="job.status", read_only=True, allow_null=True, default=None)
    job_progress = serializers.IntegerField(source="job.progress", read_only=True, allow_null=True, default=None)

    class Meta:
        model = SourceSync
        fields = ["id", "source", "trigger", "status", "date_from", "date_to", "partial_from", "rows", "replaced",
                  "notes", "error", "job", "job_status", "job_progress", "created_at", "finished_at"]
        read_only_fields = [f for f in fields if f not in ("source", "date_from", "date_to")]
        extra_kwargs = {"date_from": {"required": False}, "date_to": {"required": False},
                        "partial_from": {"help_text": "Days from here on were still incomplete when read."}}


class SourceSyncViewSet(AgencyViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Syncs of the connector sources the caller may see, newest first (`?source=<id>` filters)."""

    serializer_class = SourceSyncSerializer
    policy_actions = {"list": "reporting.view", "retrieve": "reporting.view", "create": "reporting.manage"}
    lookup_value_regex = "[0-9a-f-]{36}"
    model = SourceSync
    filterset_fields = ["source", "status", "trigger"]

    def get_agency_queryset(self):
        visible = selectors.source_list(agency=self.agency, membership=self.membership)
        return (SourceSync.objects.filter(agency=self.agency, source__in=visible.values("pk"))
                .select_related("job").order_by("-created_at"))

    @extend_schema(responses={202: SourceSyncSerializer})
    def create(self, request, *args, **kwargs):
        """Queue a sync of a connected source (default period: the last days up to today); 400 when the
        source is not connected, a file source, or already syncing."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            source = selectors.source_get(agency=self.agency, membership=self.membership,
                                          source_id=data["source_id"])
        except Http404:
            raise serializers.ValidationError({"source": ["Not found."]}) from None
        sync = syncs.sync_start(agency=self.agency, actor=request.user, source=source,
                                date_from=data.get("date_from"), date_to=data.get("date_to"),
                                trigger=SourceSync.Trigger.API)
        return Response(self.get_serializer(sync).data, status=status.HTTP_202_ACCEPTED)


router.register("reporting/syncs", SourceSyncViewSet, basename="reporting-sync")


class ConnectionSerializer(serializers.Serializer):
    access_token = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=4000)
    refresh_token = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=4000)
    client_id = serializers.CharField(required=False, allow_blank=True, max_length=200)
    client_secret = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=4000)
    expires_in = serializers.IntegerField(write_only=True, required=False, min_value=60, max_value=10 ** 8,
                                          help_text="Seconds the access token lives (VK Ads: renewed before).")
    connected = serializers.BooleanField(read_only=True)
    token_hint = serializers.CharField(read_only=True)
    expires_at = serializers.DateTimeField(read_only=True, allow_null=True)
    refreshed_at = serializers.DateTimeField(read_only=True, allow_null=True)


def _connection(source: DataSource) -> dict:
    credential = credential_get(source=source)
    return {"connected": bool(credential and (credential.access_token or credential.refresh_token)),
            "token_hint": credential.token_hint if credential else "",
            "client_id": credential.client_id if credential else "",
            "expires_at": credential.expires_at if credential else None,
            "refreshed_at": credential.refreshed_at if credential else None}


class SourceConnectionViewSet(AgencyViewSetMixin, viewsets.GenericViewSet):
    """The connection of a connector source, by the source's id. Tokens are write-only."""

    serializer_class = ConnectionSerializer
    policy_actions = {"retrieve": "reporting.view", "update": "reporting.manage",
                      "partial_update": "reporting.manage"}
    lookup_value_regex = "[0-9a-f-]{36}"
    model = DataSource

    def get_agency_queryset(self):
        return selectors.source_list(agency=self.agency, membership=self.membership).exclude(
            kind=DataSource.Kind.FILE)

    def retrieve(self, request, pk=None):
        return Response(ConnectionSerializer(_connection(self.get_object())).data)

    @extend_schema(request=ConnectionSerializer, responses={200: ConnectionSerializer})
    def update(self, request, pk=None, partial=False):
        source = self.get_object()
        serializer = ConnectionSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        connections.credential_save(agency=self.agency, actor=request.user, source=source,
                                    **serializer.validated_data)
        return Response(ConnectionSerializer(_connection(source)).data)

    @extend_schema(request=ConnectionSerializer, responses={200: ConnectionSerializer})
    def partial_update(self, request, pk=None):
        return self.update(request, pk=pk, partial=True)


router.register("reporting/connections", SourceConnectionViewSet, basename="reporting-connection")
