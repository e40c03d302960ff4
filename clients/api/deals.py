from django.contrib.auth import get_user_model
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, viewsets

from mrm.api_urls import router
from mrm.core.api import AgencyViewSetMixin
from mrm.tenancy.models import Membership, Role

from ..models import Deal, Pipeline, PipelineStage
from ..selectors.deals import deal_list
from ..services import deals as services
from ._fields import VisibleClientField
from .custom_fields import CustomFieldsField

EDITORS = (Role.DIRECTOR, Role.AM)


class AgencyStaffField(serializers.SlugRelatedField):
    """A member of the caller's agency, by e-mail (optionally only some roles)."""

    def __init__(self, roles=None, **kwargs):
        self.roles = roles
        super().__init__(slug_field="email", **kwargs)

    def get_queryset(self):
        request = self.context["request"]._request
        members = Membership.objects.filter(agency=request.agency, is_active=True)
        if self.roles:
            members = members.filter(role__in=self.roles)
        return get_user_model().objects.filter(pk__in=members.values("user_id"))


@extend_schema_field(OpenApiTypes.UUID)
class AgencyPipelineField(serializers.PrimaryKeyRelatedField):
    """A pipeline or a stage of the caller's agency (another agency's id reads as "does not exist")."""

    def __init__(self, model, **kwargs):
        self.model = model
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.model.objects.filter(agency=self.context["request"]._request.agency)


class DealSerializer(serializers.ModelSerializer):
    client = VisibleClientField()
    pipeline = AgencyPipelineField(Pipeline, required=False, write_only=True,
                                   help_text="The pipeline id (answered too); with a `stage` code: that step of "
                                             "this pipeline.")
    pipeline_stage = AgencyPipelineField(PipelineStage, required=False,
                                         help_text="The stage id (it must belong to `pipeline` if both are sent).")
    probability = serializers.IntegerField(source="pipeline_stage.probability", read_only=True)
    owner = AgencyStaffField(roles=EDITORS, required=False, allow_null=True,
                             help_text="E-mail of a director or account manager.")
    service_lines = serializers.ListField(child=serializers.ChoiceField(choices=Deal.ServiceLine.choices),
                                          required=False)
    custom_fields = CustomFieldsField(entity="deal")
    currency = serializers.RegexField(r"^[A-Z]{3}$", max_length=3, required=False,
                                      help_text="ISO code; defaults to the agency's currency.")

    class Meta:
        model = Deal
        fields = ["id", "client", "title", "pipeline", "pipeline_stage", "stage", "probability", "lost_reason", "kind",
                  "service_lines", "amount", "currency", "expected_close_date", "owner", "position", "closed_at",
                  "custom_fields", "created_at", "updated_at"]
        read_only_fields = ["id", "position", "closed_at", "created_at", "updated_at"]
        extra_kwargs = {"stage": {"help_text": "The stage code (new … won, lost); `pipeline_stage` is the column."}}

    def validate(self, attrs):
        column, pipeline = attrs.get("pipeline_stage"), attrs.get("pipeline")
        if column is not None and pipeline is not None and column.pipeline_id != pipeline.pk:
            raise serializers.ValidationError({"pipeline_stage": "The stage belongs to another pipeline."})
        if column is not None:
            attrs["stage"] = column.code
        stage = attrs.get("stage", getattr(self.instance, "stage", Deal.Stage.NEW))
        reason = attrs.get("lost_reason", getattr(self.instance, "lost_reason", ""))
        if stage == Deal.Stage.LOST and not (reason or "").strip():
            raise serializers.ValidationError({"lost_reason": "Say why the deal was lost."})
        if column is not None and column.is_archived and (self.instance is None
                                                          or column.pk != self.instance.pipeline_stage_id):
            raise serializers.ValidationError({"pipeline_stage": "This stage is archived."})
        if self.instance is not None and "client" in attrs and attrs["client"].pk != self.instance.client_id:
            raise serializers.ValidationError({"client": "A deal cannot move to another client."})
        return attrs

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["pipeline"] = str(instance.pipeline_stage.pipeline_id)
        return data


class DealFilter(filters.FilterSet):
    # Declared as plain ids: a model-choice filter would query the scoped manager at import time.
    client = filters.UUIDFilter(field_name="client_id")
    owner = filters.CharFilter(field_name="owner__email", lookup_expr="iexact", label="Owner's e-mail")
    is_open = filters.BooleanFilter(method="filter_open", label="Open (not won or lost)")
    expected_close_before = filters.DateFilter(field_name="expected_close_date", lookup_expr="lte")
    expected_close_after = filters.DateFilter(field_name="expected_close_date", lookup_expr="gte")

    class Meta:
        model = Deal
        fields = ["client", "stage", "kind", "owner", "currency"]

    pipeline = filters.UUIDFilter(field_name="pipeline_stage__pipeline_id")
    pipeline_stage = filters.UUIDFilter(field_name="pipeline_stage_id")

    def filter_open(self, queryset, name, value):
        return queryset.filter(stage__in=Deal.OPEN_STAGES) if value else queryset.exclude(stage__in=Deal.OPEN_STAGES)


class DealViewSet(AgencyViewSetMixin, viewsets.ModelViewSet):
    """Deals of the clients the caller may see. PATCH `stage` moves a deal (a lost deal needs `lost_reason`;
    won/lost set `closed_at`, reopening clears it). Directors and AMs may create and change deals."""

    serializer_class = DealSerializer
    filterset_class = DealFilter
    search_fields = ["title", "client__name"]
    ordering_fields = ["created_at", "amount", "expected_close_date", "title", "position", "closed_at"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    policy_actions = {"list": "deal.view", "retrieve": "deal.view", "create": "deal.edit",
                      "partial_update": "deal.edit"}
    lookup_value_regex = "[0-9a-f-]{36}"
    model = Deal

    def get_agency_queryset(self):
        return deal_list(agency=self.agency, membership=self.membership).select_related(
            "pipeline_stage__pipeline").order_by("-created_at", "pk")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.setdefault("owner", self.request.user)  # deal.edit is for directors and AMs, who may own deals
        serializer.instance = services.deal_create(agency=self.agency, actor=self.request.user, data=data)

    def perform_update(self, serializer):
        serializer.instance = services.deal_update(agency=self.agency, actor=self.request.user,
                                                   deal=serializer.instance, data=dict(serializer.validated_data))


router.register("deals", DealViewSet, basename="deal")


class PipelineStageSerializer(serializers.ModelSerializer):
    semantic = serializers.CharField(read_only=True, help_text="open, won or lost")

    class Meta:
        model = PipelineStage
        fields = ["id", "name", "order", "probability", "code", "semantic", "is_archived"]


class PipelineSerializer(serializers.ModelSerializer):
    stages = PipelineStageSerializer(many=True, read_only=True)

    class Meta:
        model = Pipeline
        fields = ["id", "name", "kind", "order", "is_default", "is_archived", "stages"]


class PipelineViewSet(AgencyViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """The agency's pipelines with their stages in board order (ids for a deal's `pipeline` and
    `pipeline_stage`). They are edited in the settings (directors)."""

    serializer_class = PipelineSerializer
    policy_actions = {"list": "deal.view", "retrieve": "deal.view"}
    lookup_value_regex = "[0-9a-f-]{36}"
    model = Pipeline

    def get_agency_queryset(self):
        from django.db.models import Prefetch

        from ..selectors.pipelines import pipeline_list

        pipeline_list(agency=self.agency)  # the default pipeline exists
        stages = PipelineStage.objects.filter(agency=self.agency).order_by("order", "created_at")
        return Pipeline.objects.filter(agency=self.agency).prefetch_related(
            Prefetch("stages", queryset=stages)).order_by("-is_default", "order", "created_at")


router.register("pipelines", PipelineViewSet, basename="pipeline")
