"""REST API of projects (viewsets register on mrm.api_urls.router)."""


# --- change requests ----------------------------------------------------------------------------------
from decimal import Decimal  # noqa: E402

from django.db import transaction  # noqa: E402
from drf_spectacular.utils import extend_schema  # noqa: E402
from rest_framework import serializers, status, viewsets  # noqa: E402
from rest_framework.decorators import action  # noqa: E402
from rest_framework.exceptions import PermissionDenied  # noqa: E402
from rest_framework.response import Response  # noqa: E402

from clients.models import Contact  # noqa: E402
from mrm.api_urls import router  # noqa: E402
from mrm.core.api import AgencyViewSetMixin  # noqa: E402
from mrm.tenancy.policy import can  # noqa: E402
from proposals.models import RateRole  # noqa: E402

from ..models import ChangeRequest, ChangeRequestLine  # noqa: E402
from ..selectors import can_manage_project, project_list, project_visibility_q  # noqa: E402
from ..services import changes as change_services  # noqa: E402

COST_FIELDS = ("internal_cost_rate", "cost_amount")


def _http(field):
    return field.context["request"]._request


class _RateRoleField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return RateRole.objects.filter(agency=_http(self).agency, is_active=True)


class _VisibleProjectField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        request = _http(self)
        return project_list(agency=request.agency, membership=request.membership)


class ChangeRequestLineSerializer(serializers.ModelSerializer):
    role = _RateRoleField(help_text="A role of the rate card: its hourly rate prices the line.")
    hours = serializers.DecimalField(max_digits=6, decimal_places=1, min_value=Decimal("0.5"), max_value=Decimal("5000"))
    internal_cost_rate = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True, allow_null=True,
                                                  help_text="Null unless you may see costs (project.view_costs).")
    cost_amount = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True, allow_null=True,
                                           help_text="Null unless you may see costs (project.view_costs).")

    class Meta:
        model = ChangeRequestLine
        fields = ["id", "role", "role_name", "description", "hours", "rate", "amount", "internal_cost_rate",
                  "cost_amount", "source_task", "task"]
        read_only_fields = ["id", "role_name", "rate", "amount", "source_task", "task"]


class ChangeRequestSerializer(serializers.ModelSerializer):
    project = _VisibleProjectField(help_text="A project you see; it cannot change later.")
    lines = ChangeRequestLineSerializer(many=True, required=False,
                                        help_text="On PATCH a given list replaces every line (drafts only).")
    discount_percent = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=0, max_value=100,
                                                required=False)
    cost_amount = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True, allow_null=True,
                                           help_text="Null unless you may see costs (project.view_costs).")

    class Meta:
        model = ChangeRequest
        fields = ["id", "project", "number", "title", "description", "status", "currency", "vat_rate",
                  "discount_percent", "discount_reason", "hours", "subtotal", "discount_amount", "vat_amount", "total",
                  "cost_amount", "lines", "content_hash", "sent_at", "decided_at", "decided_via", "decided_by",
                  "decided_contact", "decision_note", "created_at", "updated_at"]
        read_only_fields = ["id", "number", "status", "currency", "vat_rate", "hours", "subtotal", "discount_amount",
                            "vat_amount", "total", "content_hash", "sent_at", "decided_at", "decided_via",
                            "decided_by", "decided_contact", "decision_note", "created_at", "updated_at"]

    def validate(self, attrs):
        if self.instance is not None and "project" in attrs and attrs["project"].pk != self.instance.project_id:
            raise serializers.ValidationError({"project": "A change request cannot move to another project."})
        return attrs

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not can(_http(self).membership, "project.view_costs"):
            data["cost_amount"] = None
            for line in data.get("lines") or []:
                for name in COST_FIELDS:
                    line[name] = None
        return data


class ChangeRequestSendSerializer(serializers.Serializer):
    contacts = serializers.ListField(child=serializers.UUIDField(), allow_empty=False,
                                     help_text="Ids of contacts of the project's client to e-mail.")
    message = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class ChangeRequestViewSet(AgencyViewSetMixin, viewsets.ModelViewSet):
    """Change requests of the projects you see, with their priced lines. Drafts are edited (a `lines` list replaces
    all lines), sent to the client's contacts, withdrawn; the client decides in the portal. Rates come from the rate
    card; cost fields are null without project.view_costs."""

    serializer_class = ChangeRequestSerializer
    filterset_fields = {"project": ["exact"], "status": ["exact"]}
    ordering_fields = ["number", "created_at", "sent_at", "total"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    policy_actions = {"list": "project.view", "retrieve": "project.view", "create": "change_request.edit",
                      "partial_update": "change_request.edit", "destroy": "change_request.edit",
                      "send": "change_request.edit", "withdraw": "change_request.edit"}
    lookup_value_regex = "[0-9a-f-]{36}"
    model = ChangeRequest

    def get_agency_queryset(self):
        return (ChangeRequest.objects.filter(agency=self.agency)
                .filter(project_visibility_q(membership=self.membership, prefix="project__"))
                .select_related("project").prefetch_related("lines").order_by("-created_at", "pk"))

    def _managed(self, project):
        if not can_manage_project(membership=self.membership, project=project):
            raise PermissionDenied("You do not manage this project.")

    def _add_lines(self, change_request, lines):
        for line in lines:
            change_services.line_add(agency=self.agency, actor=self.request.user, change_request=change_request,
                                     role=line["role"], description=line.get("description", ""),
                                     hours=line["hours"])

    def perform_create(self, serializer):
        data = serializer.validated_data
        self._managed(data["project"])
        with transaction.atomic():
            change_request = change_services.change_request_create(
                agency=self.agency, actor=self.request.user, project=data["project"], title=data.get("title", ""),
                description=data.get("description", ""))
            if "discount_percent" in data or "discount_reason" in data:
                change_services.change_request_update(
                    agency=self.agency, actor=self.request.user, change_request=change_request,
                    data={k: data[k] for k in ("discount_percent", "discount_reason") if k in data})
            self._add_lines(change_request, data.get("lines", []))
        serializer.instance = self.get_agency_queryset().get(pk=change_request.pk)

    def perform_update(self, serializer):
        change_request = serializer.instance
        self._managed(change_request.project)
        data = dict(serializer.validated_data)
        data.pop("project", None)
        lines = data.pop("lines", None)
        with transaction.atomic():
            if data:
                change_services.change_request_update(agency=self.agency, actor=self.request.user,
                                                      change_request=change_request, data=data)
            if lines is not None:
                for line in list(change_request.lines.filter(agency=self.agency)):
                    change_services.line_delete(agency=self.agency, actor=self.request.user,
                                                change_request=change_request, line=line)
                self._add_lines(change_request, lines)
        serializer.instance = self.get_agency_queryset().get(pk=change_request.pk)

    def perform_destroy(self, instance):
        self._managed(instance.project)
        change_services.change_request_delete(agency=self.agency, actor=self.request.user, change_request=instance)

    @extend_schema(request=ChangeRequestSendSerializer, responses=ChangeRequestSerializer)
    @action(detail=True, methods=["post"])
    def send(self, request, pk=None):
        """Freeze the text and price and e-mail the chosen contacts; they decide in the client portal."""
        change_request = self.get_object()
        self._managed(change_request.project)
        payload = ChangeRequestSendSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        wanted = set(payload.validated_data["contacts"])
        contacts = list(Contact.objects.filter(agency=self.agency, client_id=change_request.project.client_id,
                                               pk__in=wanted))
        if len(contacts) != len(wanted):
            raise serializers.ValidationError({"contacts": ["Every contact must belong to the project's client."]})
        change_services.change_request_send(agency=self.agency, actor=request.user, change_request=change_request,
                                            contacts=contacts, message=payload.validated_data.get("message", ""))
        return Response(self.get_serializer(self.get_agency_queryset().get(pk=change_request.pk)).data)

    @extend_schema(request=None, responses=ChangeRequestSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """Take back a draft or a sent request: the client can no longer decide on it."""
        change_request = self.get_object()
        self._managed(change_request.project)
        change_services.change_request_withdraw(agency=self.agency, actor=request.user, change_request=change_request)
        return Response(self.get_serializer(self.get_agency_queryset().get(pk=change_request.pk)).data,
                        status=status.HTTP_200_OK)


router.register("change-requests", ChangeRequestViewSet, basename="change-request")
