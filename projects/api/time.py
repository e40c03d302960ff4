"""REST API of projects (viewsets register on mrm.api_urls.router)."""

# --- time: entries, the running timer, time off, capacity ---------------------------------------------------
from decimal import Decimal  # noqa: E402
from uuid import UUID  # noqa: E402

from django.core.exceptions import PermissionDenied  # noqa: E402
from django_filters import rest_framework as filters  # noqa: E402
from drf_spectacular.types import OpenApiTypes  # noqa: E402
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field  # noqa: E402
from rest_framework import mixins, serializers, status, viewsets  # noqa: E402
from rest_framework.decorators import action  # noqa: E402
from rest_framework.response import Response  # noqa: E402

from clients.api.deals import AgencyStaffField  # noqa: E402
from mrm.api_urls import router  # noqa: E402
from mrm.core.api import AgencyViewSetMixin  # noqa: E402
from mrm.tenancy.models import STAFF_ROLES  # noqa: E402
from mrm.tenancy.policy import can  # noqa: E402

from ..models import ProjectTask, TimeEntry, TimeOff  # noqa: E402
from ..selectors import project_list  # noqa: E402
from ..selectors_time import time_entry_list, time_off_list  # noqa: E402
from ..services import time as time_services  # noqa: E402
from ..services.capacity import capacity_overview  # noqa: E402


def _api_request(field):
    return field.context["request"]._request


@extend_schema_field(OpenApiTypes.UUID)
class VisibleProjectField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        request = _api_request(self)
        return project_list(agency=request.agency, membership=request.membership)


@extend_schema_field(OpenApiTypes.UUID)
class AgencyTaskField(serializers.PrimaryKeyRelatedField):
    """A task of the agency; the serializer checks it is a task of the entry's project."""

    def get_queryset(self):
        return ProjectTask.objects.filter(agency=_api_request(self).agency).select_related("role")


HOURS_FIELD = {"max_digits": 5, "decimal_places": 2, "min_value": Decimal("0.01"), "max_value": Decimal("24")}


class TimeEntrySerializer(serializers.ModelSerializer):
    project = VisibleProjectField(help_text="A project you can see; a specialist logs only on projects they are on.")
    task = AgencyTaskField(required=False, allow_null=True, help_text="A task of the same project.")
    user = serializers.SlugRelatedField(slug_field="email", read_only=True)
    role = serializers.SlugRelatedField(slug_field="name", read_only=True, allow_null=True)
    hours = serializers.DecimalField(**HOURS_FIELD, help_text="Up to 24 per person and day over all projects.")
    cost_rate = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True, allow_null=True,
                                         help_text="Internal cost per hour; null without project.view_costs.")
    is_running = serializers.BooleanField(read_only=True)
    is_outside_project = serializers.BooleanField(read_only=True,
                                                  help_text="The date is outside the project's start and end.")

    class Meta:
        model = TimeEntry
        fields = ["id", "project", "task", "user", "role", "date", "hours", "note", "billable", "sell_rate",
                  "cost_rate", "is_running", "started_at", "is_outside_project", "created_at", "updated_at"]
        read_only_fields = ["id", "user", "role", "sell_rate", "cost_rate", "started_at", "created_at",
                            "updated_at"]

    def validate(self, attrs):
        project = attrs.get("project", getattr(self.instance, "project", None))
        if self.instance is not None and "project" in attrs and attrs["project"].pk != self.instance.project_id:
            raise serializers.ValidationError({"project": "An entry cannot move to another project."})
        task = attrs.get("task")
        if task is not None and project is not None and task.project_id != project.pk:
            raise serializers.ValidationError({"task": "Choose a task of this project."})
        return attrs

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not can(_api_request(self).membership, "project.view_costs"):
            data["cost_rate"] = None
        return data


class TimeEntryFilter(filters.FilterSet):
    project = filters.UUIDFilter(field_name="project_id")
    task = filters.UUIDFilter(field_name="task_id")
    user = filters.CharFilter(field_name="user__email", lookup_expr="iexact", label="The person's e-mail")
    date_after = filters.DateFilter(field_name="date", lookup_expr="gte", label="On or after this date")
    date_before = filters.DateFilter(field_name="date", lookup_expr="lte", label="On or before this date")
    billable = filters.BooleanFilter()

    class Meta:
        model = TimeEntry
        fields = ["project", "task", "user", "billable"]


class TimeEntryViewSet(AgencyViewSetMixin, viewsets.ModelViewSet):
    """Time entries on the projects the caller sees. Creating logs the caller's own time (no future day, at most
    24 h a day, on a project they are on); rates are copied from the task's or the member's role at entry time.
    Changing or deleting: the author, or a director."""

    serializer_class = TimeEntrySerializer
    filterset_class = TimeEntryFilter
    search_fields = ["note", "task__title"]
    ordering_fields = ["date", "hours", "created_at"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    policy_actions = {"list": "project.view", "retrieve": "project.view", "create": "project.work",
                      "partial_update": "project.work", "destroy": "project.work"}
    lookup_value_regex = "[0-9a-f-]{36}"
    model = TimeEntry

    def get_agency_queryset(self):
        return time_entry_list(agency=self.agency, membership=self.membership).order_by("-date", "-created_at", "pk")

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = time_services.time_entry_create(
            agency=self.agency, membership=self.membership, project=data["project"], task=data.get("task"),
            day=data["date"], hours=data["hours"], note=data.get("note", ""), billable=data.get("billable", True))

    def perform_update(self, serializer):
        entry = serializer.instance
        if not time_services.may_change_entry(membership=self.membership, entry=entry):
            raise PermissionDenied
        data = {k: v for k, v in serializer.validated_data.items() if k != "project"}
        serializer.instance = time_services.time_entry_update(agency=self.agency, membership=self.membership,
                                                              entry=entry, data=data)

    def perform_destroy(self, instance):
        if not time_services.may_change_entry(membership=self.membership, entry=instance):
            raise PermissionDenied
        time_services.time_entry_delete(agency=self.agency, membership=self.membership, entry=instance)


class TimerStartSerializer(serializers.Serializer):
    project = VisibleProjectField()
    task = AgencyTaskField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=500)

    def validate(self, attrs):
        task = attrs.get("task")
        if task is not None and task.project_id != attrs["project"].pk:
            raise serializers.ValidationError({"task": "Choose a task of this project."})
        return attrs


class TimerStateSerializer(serializers.Serializer):
    running = TimeEntrySerializer(allow_null=True, help_text="The running timer's entry, or null.")


class TimerStopSerializer(serializers.Serializer):
    entries = TimeEntrySerializer(many=True, help_text="What was logged: one entry a day (a timer that ran past "
                                                      "midnight is split), empty if no timer ran.")


class TimerViewSet(AgencyViewSetMixin, viewsets.GenericViewSet):
    """The caller's running timer: one per person. Starting stops a running one first; stopping turns the
    elapsed time into hours (to 0.05 h)."""

    serializer_class = TimerStateSerializer
    pagination_class = None
    filter_backends = []
    policy_actions = {"current": "project.work", "start": "project.work", "stop": "project.work"}
    model = TimeEntry

    def get_agency_queryset(self):
        return TimeEntry.objects.filter(agency=self.agency, user=self.request.user, started_at__isnull=False)

    @extend_schema(responses=TimerStateSerializer)
    @action(detail=False, methods=["get"])
    def current(self, request):
        """The running timer, if any."""
        running = time_services.running_timer(agency=self.agency, user=request.user)
        return Response(TimerStateSerializer({"running": running}, context=self.get_serializer_context()).data)

    @extend_schema(request=TimerStartSerializer, responses={201: TimeEntrySerializer})
    @action(detail=False, methods=["post"])
    def start(self, request):
        """Start a timer on a project (and a task)."""
        payload = TimerStartSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        entry = time_services.timer_start(agency=self.agency, membership=self.membership, project=data["project"],
                                          task=data.get("task"), note=data.get("note", ""))
        return Response(TimeEntrySerializer(entry, context=self.get_serializer_context()).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=TimerStopSerializer)
    @action(detail=False, methods=["post"])
    def stop(self, request):
        """Stop the running timer and log its time."""
        entries = time_services.timer_stop(agency=self.agency, membership=self.membership)
        return Response(TimerStopSerializer({"entries": entries}, context=self.get_serializer_context()).data)


class TimeOffSerializer(serializers.ModelSerializer):
    user = AgencyStaffField(roles=STAFF_ROLES, required=False,
                            help_text="E-mail of a team member; defaults to the caller (only a director may "
                                      "add someone else's).")

    class Meta:
        model = TimeOff
        fields = ["id", "user", "start_date", "end_date", "kind", "note", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]

    def validate(self, attrs):
        start = attrs.get("start_date", getattr(self.instance, "start_date", None))
        end = attrs.get("end_date", getattr(self.instance, "end_date", None))
        if start and end and end < start:
            raise serializers.ValidationError({"end_date": "The last day is before the first."})
        if self.instance is not None and "user" in attrs and attrs["user"].pk != self.instance.user_id:
            raise serializers.ValidationError({"user": "Time off cannot move to another person."})
        return attrs


class TimeOffViewSet(AgencyViewSetMixin, viewsets.ModelViewSet):
    """Time off (vacation, sick leave): one's own; a director sees and changes everyone's. It comes off capacity."""

    serializer_class = TimeOffSerializer
    filterset_fields = {"start_date": ["gte", "lte"], "end_date": ["gte", "lte"], "kind": ["exact"]}
    ordering_fields = ["start_date", "end_date"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    policy_actions = {"list": "project.work", "retrieve": "project.work", "create": "project.work",
                      "partial_update": "project.work", "destroy": "project.work"}
    lookup_value_regex = "[0-9a-f-]{36}"
    model = TimeOff

    def get_agency_queryset(self):
        return time_off_list(agency=self.agency, membership=self.membership).order_by("start_date", "pk")

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = time_services.time_off_create(
            agency=self.agency, membership=self.membership, user=data.get("user") or self.request.user,
            start_date=data["start_date"], end_date=data["end_date"], kind=data.get("kind", TimeOff.Kind.VACATION),
            note=data.get("note", ""))

    def perform_update(self, serializer):
        data = {k: v for k, v in serializer.validated_data.items() if k != "user"}
        serializer.instance = time_services.time_off_update(agency=self.agency, membership=self.membership,
                                                            time_off=serializer.instance, data=data)

    def perform_destroy(self, instance):
        time_services.time_off_delete(agency=self.agency, membership=self.membership, time_off=instance)


class CapacityWeekSerializer(serializers.Serializer):
    week_start = serializers.DateField(source="monday")
    capacity = serializers.DecimalField(max_digits=7, decimal_places=1)
    booked = serializers.DecimalField(max_digits=9, decimal_places=1)
    free = serializers.DecimalField(max_digits=9, decimal_places=1)
    load_pct = serializers.IntegerField(allow_null=True)
    state = serializers.ChoiceField(choices=["over", "busy", "ok", "free", "off"])


class CapacityPersonSerializer(serializers.Serializer):
    email = serializers.EmailField(source="user.email")
    name = serializers.CharField(source="user.full_name")
    role = serializers.CharField(source="membership.role")
    weekly_capacity_hours = serializers.DecimalField(source="membership.weekly_capacity_hours", max_digits=4,
                                                     decimal_places=1)
    weeks = CapacityWeekSerializer(many=True)
    undated_hours = serializers.DecimalField(max_digits=9, decimal_places=1,
                                             help_text="Remaining estimate of open tasks without a due date.")


class CapacityViewSet(AgencyViewSetMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Each active staff member's next 8 weeks: capacity (weekly hours × working days, less holidays and time
    off) against the remaining estimates of their open tasks. Read-only."""

    serializer_class = CapacityPersonSerializer
    filter_backends = []
    policy_actions = {"list": "project.view"}
    model = TimeEntry  # the schema generator's empty queryset; the list is computed

    def get_agency_queryset(self):
        return TimeEntry.objects.none()  # not a model list: `list` computes the overview

    @extend_schema(parameters=[OpenApiParameter("role", str, description="A rate-card role id: people on a "
                                                "project team in that role or with open tasks of it.")])
    def list(self, request, *args, **kwargs):
        role = request.query_params.get("role") or None
        role_id = _uuid_or_none(role)
        if role and role_id is None:
            raise serializers.ValidationError({"role": ["Must be a valid UUID."]})
        overview = capacity_overview(agency=self.agency, today=time_services.agency_today(self.agency),
                                     role_id=role_id)
        page = self.paginate_queryset(overview.people)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


def _uuid_or_none(value):
    try:
        return UUID(str(value)) if value else None
    except ValueError:
        return None


router.register("time-entries", TimeEntryViewSet, basename="time-entry")
router.register("timer", TimerViewSet, basename="timer")
router.register("time-off", TimeOffViewSet, basename="time-off")
router.register("capacity", CapacityViewSet, basename="capacity")
