"""REST API of projects (viewsets register on mrm.api_urls.router).

shell: projects (list / retrieve / create / partial update), their team members and budget lines. Every
route reads projects through `projects.selectors.project_list` (the same visibility as the pages); changes
need `can_manage_project` too. Internal cost fields are null unless the caller may see costs."""
from django.core.exceptions import PermissionDenied
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field
from rest_framework import mixins, serializers, viewsets

from clients.api._fields import DealField, VisibleClientField
from mrm.api_urls import router
from mrm.core.api import AgencyViewSetMixin
from mrm.tenancy.policy import can
from proposals.models import RateRole

from ..models import BudgetLine, Project, ProjectMember
from ..selectors import can_manage_project, project_list
from ..selectors_work import staff_users
from ..services import shell as services

COST_FIELDS = ("budget_cost",)


def _request(serializer_field):
    return serializer_field.context["request"]._request


class StaffField(serializers.SlugRelatedField):
    """An active staff member of the caller's agency, by e-mail."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="email", **kwargs)

    def get_queryset(self):
        return staff_users(agency=_request(self).agency)


class RateRoleField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return RateRole.objects.filter(agency=_request(self).agency)


class VisibleProjectField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        request = _request(self)
        return project_list(agency=request.agency, membership=request.membership)


def _can_see_costs(serializer) -> bool:
    request = serializer.context.get("request")
    return bool(request is not None and can(request._request.membership, "project.view_costs"))


class ProjectSerializer(serializers.ModelSerializer):
    client = VisibleClientField()
    deal = DealField(required=False, allow_null=True)
    manager = StaffField(required=False, allow_null=True, help_text="E-mail of the project manager.")
    account_manager = StaffField(required=False, allow_null=True, help_text="E-mail of the account manager.")
    currency = serializers.RegexField(r"^[A-Z]{3}$", max_length=3, required=False,
                                      help_text="ISO code; defaults to the agency's currency.")
    budget_cost = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, required=False,
                                           allow_null=True,
                                           help_text="Internal cost budget; null unless the caller may see costs.")

    class Meta:
        model = Project
        fields = ["id", "client", "deal", "proposal", "proposal_version", "name", "description", "kind", "status",
                  "start_date", "end_date", "manager", "account_manager", "currency", "budget_amount",
                  "budget_hours", "budget_cost", "retainer_hours", "retainer_amount", "rollover",
                  "rollover_cap_hours", "approval_days", "closed_at", "created_at", "updated_at"]
        read_only_fields = ["id", "proposal", "proposal_version", "closed_at", "created_at", "updated_at"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not _can_see_costs(self):
            for name in COST_FIELDS:
                data[name] = None
        return data

    def validate(self, attrs):
        if not _can_see_costs(self):
            attrs.pop("budget_cost", None)
        elif attrs.get("budget_cost", 0) is None:
            attrs.pop("budget_cost")
        deal, client = attrs.get("deal"), attrs.get("client", getattr(self.instance, "client", None))
        if deal is not None and client is not None and deal.client_id != client.pk:
            raise serializers.ValidationError({"deal": "The deal must belong to the project's client."})
        return attrs


class ProjectFilter(filters.FilterSet):
    # Plain ids: a model-choice filter would query the scoped manager at import time.
    client = filters.UUIDFilter(field_name="client_id")
    manager = filters.CharFilter(field_name="manager__email", lookup_expr="iexact", label="PM's e-mail")
    is_open = filters.BooleanFilter(method="filter_open", label="Open (planning, active or paused)")

    class Meta:
        model = Project
        fields = ["client", "status", "kind", "manager"]

    def filter_open(self, queryset, name, value):
        return (queryset.filter(status__in=Project.OPEN_STATUSES) if value
                else queryset.exclude(status__in=Project.OPEN_STATUSES))


class ProjectViewSet(AgencyViewSetMixin, viewsets.ModelViewSet):
    """Projects the caller may see. PATCH `status` to done or cancelled sets `closed_at` (reopening clears it).
    Directors and AMs create projects; a PM changes the projects they manage."""

    serializer_class = ProjectSerializer
    filterset_class = ProjectFilter
    search_fields = ["name", "client__name"]
    ordering_fields = ["created_at", "name", "start_date", "end_date", "budget_amount", "status"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    policy_actions = {"list": "project.view", "retrieve": "project.view", "create": "project.create",
                      "partial_update": "project.manage"}
    lookup_value_regex = "[0-9a-f-]{36}"
    model = Project

    def get_agency_queryset(self):
        return project_list(agency=self.agency, membership=self.membership).order_by("-created_at", "pk")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        status = data.pop("status", None)
        project = services.project_create(agency=self.agency, actor=self.request.user, data=data)
        if status and status != project.status:
            project = services.project_set_status(agency=self.agency, actor=self.request.user, project=project,
                                                  status=status)
        serializer.instance = project

    def perform_update(self, serializer):
        project = serializer.instance
        if not can_manage_project(membership=self.membership, project=project):
            raise PermissionDenied
        data = dict(serializer.validated_data)
        status = data.pop("status", None)
        project = services.project_update(agency=self.agency, actor=self.request.user, project=project, data=data)
        if status:
            project = services.project_set_status(agency=self.agency, actor=self.request.user, project=project,
                                                  status=status)
        serializer.instance = project_list(agency=self.agency, membership=self.membership).get(pk=project.pk)


class ProjectMemberSerializer(serializers.ModelSerializer):
    project = VisibleProjectField()
    user = StaffField(help_text="E-mail of a staff member.")
    role = RateRoleField(required=False, allow_null=True)
    name = serializers.CharField(source="user.full_name", read_only=True)

    class Meta:
        model = ProjectMember
        fields = ["id", "project", "user", "name", "role", "title", "created_at"]
        read_only_fields = ["id", "name", "created_at"]

    def validate(self, attrs):
        if self.instance is not None:
            if "project" in attrs and attrs["project"].pk != self.instance.project_id:
                raise serializers.ValidationError({"project": "A member cannot move to another project."})
            if "user" in attrs and attrs["user"].pk != self.instance.user_id:
                raise serializers.ValidationError({"user": "Remove the member and add the other person."})
        return attrs


class ProjectMemberFilter(filters.FilterSet):
    project = filters.UUIDFilter(field_name="project_id")

    class Meta:
        model = ProjectMember
        fields = ["project"]


class ProjectMemberViewSet(AgencyViewSetMixin, viewsets.ModelViewSet):
    """Team members of the visible projects; adding, changing and removing need the right to manage the
    project."""

    serializer_class = ProjectMemberSerializer
    filterset_class = ProjectMemberFilter
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    policy_actions = {"list": "project.view", "retrieve": "project.view", "create": "project.manage",
                      "partial_update": "project.manage", "destroy": "project.manage"}
    lookup_value_regex = "[0-9a-f-]{36}"
    ordering_fields = ["created_at"]
    model = ProjectMember

    def get_agency_queryset(self):
        visible = project_list(agency=self.agency, membership=self.membership)
        return (ProjectMember.objects.filter(agency=self.agency, project__in=visible.values("pk"))
                .select_related("project", "user", "role").order_by("created_at", "pk"))

    def _check(self, project):
        if not can_manage_project(membership=self.membership, project=project):
            raise PermissionDenied

    def perform_create(self, serializer):
        data = serializer.validated_data
        self._check(data["project"])
        serializer.instance = services.member_add(agency=self.agency, actor=self.request.user,
                                                  project=data["project"], user=data["user"],
                                                  role=data.get("role"), title=data.get("title", ""))

    def perform_update(self, serializer):
        member = serializer.instance
        self._check(member.project)
        data = serializer.validated_data
        serializer.instance = services.member_update(
            agency=self.agency, actor=self.request.user, member=member,
            role=data["role"] if "role" in data else member.role,
            title=data["title"] if "title" in data else member.title)

    def perform_destroy(self, instance):
        self._check(instance.project)
        services.member_remove(agency=self.agency, actor=self.request.user, member=instance)


@extend_schema_field({"type": "string", "format": "decimal", "nullable": True,
                      "pattern": r"^-?\d{0,12}(?:\.\d{0,2})?$"})
class CostField(serializers.Field):
    """A money amount shown only to those who may see internal costs (null otherwise)."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)

    def get_attribute(self, instance):
        return instance

    def to_representation(self, instance):
        if not _can_see_costs(self.parent):
            return None
        value = getattr(instance, self.source_name)
        return None if value is None else f"{value:.2f}"

    def bind(self, field_name, parent):
        super().bind(field_name, parent)
        self.source_name = field_name


class BudgetLineSerializer(serializers.ModelSerializer):
    cost_rate = CostField(help_text="Internal cost per hour; null unless the caller may see costs.")
    cost_amount = CostField(help_text="Internal cost; null unless the caller may see costs.")

    class Meta:
        model = BudgetLine
        fields = ["id", "project", "role", "role_name", "hours", "sell_rate", "amount", "cost_rate", "cost_amount",
                  "source", "change_request_id", "created_at"]
        read_only_fields = fields


class BudgetLineFilter(filters.FilterSet):
    project = filters.UUIDFilter(field_name="project_id")

    class Meta:
        model = BudgetLine
        fields = ["project", "source"]


class BudgetLineViewSet(AgencyViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                        viewsets.GenericViewSet):
    """The budget by role of the visible projects (from the accepted proposal, by hand, or change requests)."""

    serializer_class = BudgetLineSerializer
    filterset_class = BudgetLineFilter
    policy_actions = {"list": "project.view", "retrieve": "project.view"}
    lookup_value_regex = "[0-9a-f-]{36}"
    ordering_fields = ["created_at", "amount", "hours"]
    model = BudgetLine

    def get_agency_queryset(self):
        visible = project_list(agency=self.agency, membership=self.membership)
        return BudgetLine.objects.filter(agency=self.agency, project__in=visible.values("pk")).order_by(
            "created_at", "pk")


router.register("projects", ProjectViewSet, basename="project")
router.register("project-members", ProjectMemberViewSet, basename="project-member")
router.register("budget-lines", BudgetLineViewSet, basename="budget-line")
