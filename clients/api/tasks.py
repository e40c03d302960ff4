from django.utils import timezone
from django_filters import rest_framework as filters
from rest_framework import serializers, viewsets

from mrm.api_urls import router
from mrm.core.api import AgencyViewSetMixin
from mrm.tenancy.models import STAFF_ROLES

from ..models import Task
from ..selectors.deals import deal_list
from ..selectors.tasks import task_list
from ..services import tasks as services
from ._fields import VisibleClientField
from .deals import AgencyStaffField


class VisibleDealField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        request = self.context["request"]._request
        return deal_list(agency=request.agency, membership=request.membership)


class TaskSerializer(serializers.ModelSerializer):
    client = VisibleClientField(required=False, allow_null=True)
    deal = VisibleDealField(required=False, allow_null=True)
    assignee = AgencyStaffField(roles=STAFF_ROLES, required=False, allow_null=True,
                                help_text="E-mail of a team member; defaults to the caller.")
    done = serializers.BooleanField(required=False, write_only=True,
                                    help_text="true completes the task, false reopens it.")
    is_done = serializers.BooleanField(read_only=True)
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = Task
        fields = ["id", "title", "kind", "priority", "due_at", "assignee", "client", "deal", "notes", "done",
                  "is_done", "is_overdue", "done_at", "created_at", "updated_at"]
        read_only_fields = ["id", "done_at", "created_at", "updated_at"]


class TaskFilter(filters.FilterSet):
    client = filters.UUIDFilter(field_name="client_id")
    deal = filters.UUIDFilter(field_name="deal_id")
    assignee = filters.CharFilter(field_name="assignee__email", lookup_expr="iexact", label="Assignee's e-mail")
    is_done = filters.BooleanFilter(field_name="done_at", lookup_expr="isnull", exclude=True, label="Done")
    overdue = filters.BooleanFilter(method="filter_overdue", label="Open and past the due time")
    due_before = filters.IsoDateTimeFilter(field_name="due_at", lookup_expr="lte")
    due_after = filters.IsoDateTimeFilter(field_name="due_at", lookup_expr="gte")

    class Meta:
        model = Task
        fields = ["client", "deal", "kind", "priority", "assignee"]

    def filter_overdue(self, queryset, name, value):
        overdue = {"done_at__isnull": True, "due_at__lt": timezone.now()}
        return queryset.filter(**overdue) if value else queryset.exclude(**overdue)


class TaskViewSet(AgencyViewSetMixin, viewsets.ModelViewSet):
    """Tasks and follow-ups: the caller's own and those on the clients they may see (directors: all).
    PATCH `{"done": true}` completes a task, `{"done": false}` reopens it."""

    serializer_class = TaskSerializer
    filterset_class = TaskFilter
    search_fields = ["title", "notes", "client__name"]
    ordering_fields = ["due_at", "created_at", "priority", "done_at"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    policy_actions = {"list": "task.view", "retrieve": "task.view", "create": "task.edit",
                      "partial_update": "task.edit"}
    lookup_value_regex = "[0-9a-f-]{36}"
    model = Task

    def get_agency_queryset(self):
        return task_list(agency=self.agency, membership=self.membership).order_by("done_at", "due_at", "pk")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        done = data.pop("done", False)
        task = services.task_create(agency=self.agency, actor=self.request.user, data=data)
        if done:
            task = services.task_complete(agency=self.agency, actor=self.request.user, task=task)
        serializer.instance = task

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        done = data.pop("done", None)
        task = services.task_update(agency=self.agency, actor=self.request.user, task=serializer.instance, data=data)
        if done is True:
            task = services.task_complete(agency=self.agency, actor=self.request.user, task=task)
        elif done is False:
            task = services.task_reopen(agency=self.agency, actor=self.request.user, task=task)
        serializer.instance = task


router.register("tasks", TaskViewSet, basename="task")
