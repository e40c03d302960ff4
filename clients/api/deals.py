from django.contrib.auth import get_user_model
from django_filters import rest_framework as filters
from rest_framework import serializers, viewsets

from mrm.api_urls import router
from mrm.core.api import AgencyViewSetMixin
from mrm.tenancy.models import Membership, Role

from ..models import Deal
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


class DealSerializer(serializers.ModelSerializer):
    client = VisibleClientField()
    owner = AgencyStaffField(roles=EDITORS, required=False, allow_null=True,
                             help_text="E-mail of a director or account manager.")
    service_lines = serializers.ListField(child=serializers.ChoiceField(choices=Deal.ServiceLine.choices),
                                          required=False)
    custom_fields = CustomFieldsField(entity="deal")
    currency = serializers.RegexField(r"^[A-Z]{3}$", max_length=3, required=False,
                                      help_text="ISO code; defaults to the agency's currency.")

    class Meta:
        model = Deal
        fields = ["id", "client", "title", "stage", "lost_reason", "kind", "service_lines", "amount", "currency",
                  "expected_close_date", "owner", "position", "closed_at", "custom_fields", "created_at", "updated_at"]
        read_only_fields = ["id", "position", "closed_at", "created_at", "updated_at"]

    def validate(self, attrs):
        stage = attrs.get("stage", getattr(self.instance, "stage", Deal.Stage.NEW))
        reason = attrs.get("lost_reason", getattr(self.instance, "lost_reason", ""))
        if stage == Deal.Stage.LOST and not (reason or "").strip():
            raise serializers.ValidationError({"lost_reason": "Say why the deal was lost."})
        if self.instance is not None and "client" in attrs and attrs["client"].pk != self.instance.client_id:
            raise serializers.ValidationError({"client": "A deal cannot move to another client."})
        return attrs


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
        return deal_list(agency=self.agency, membership=self.membership).order_by("-created_at", "pk")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.setdefault("owner", self.request.user)  # deal.edit is for directors and AMs, who may own deals
        serializer.instance = services.deal_create(agency=self.agency, actor=self.request.user, data=data)

    def perform_update(self, serializer):
        serializer.instance = services.deal_update(agency=self.agency, actor=self.request.user,
                                                   deal=serializer.instance, data=dict(serializer.validated_data))


router.register("deals", DealViewSet, basename="deal")
