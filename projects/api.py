"""REST API of projects (viewsets register on mrm.api_urls.router)."""

# --- timeline ---------------------------------------------------------------------------------------------------
from uuid import UUID  # noqa: E402

from drf_spectacular.utils import OpenApiParameter, extend_schema  # noqa: E402
from rest_framework import exceptions, serializers, viewsets  # noqa: E402
from rest_framework.response import Response  # noqa: E402

from mrm.api_urls import router  # noqa: E402
from mrm.core.api import AgencyViewSetMixin, AutoSchema  # noqa: E402

from .selectors import project_get  # noqa: E402
from .services.timeline import ZOOMS, timeline_for_project  # noqa: E402


class TimelineItemSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[("task", "task"), ("milestone", "milestone")])
    id = serializers.UUIDField()
    title = serializers.CharField()
    status = serializers.CharField(help_text="A task's status, or `open` / `reached` for a milestone.")
    status_label = serializers.CharField()
    assignee_name = serializers.CharField(help_text="Empty for milestones and unassigned tasks.")
    start = serializers.DateField(allow_null=True)
    end = serializers.DateField(allow_null=True)
    start_assumed = serializers.BooleanField(help_text="The task has no start date: drawn from its duration.")
    end_assumed = serializers.BooleanField(help_text="The task has no due date: drawn from its duration.")
    undated = serializers.BooleanField(help_text="A milestone without a due date (listed, not drawn).")
    baseline_start = serializers.DateField(allow_null=True)
    baseline_end = serializers.DateField(allow_null=True)
    slip_days = serializers.IntegerField(allow_null=True, help_text="Working days later (+) or earlier (−) than "
                                         "the baseline due date; null without both dates.")
    slipped = serializers.BooleanField()
    overdue = serializers.BooleanField()
    done = serializers.BooleanField()
    outside_project = serializers.BooleanField(help_text="Dated before the project's start or after its end.")
    y = serializers.IntegerField(help_text="Top of the row, px.")
    x = serializers.FloatField(allow_null=True, help_text="Bar's left edge (a milestone: its centre), px.")
    width = serializers.FloatField()
    baseline_x = serializers.FloatField(allow_null=True)
    baseline_width = serializers.FloatField()


class TimelineGroupSerializer(serializers.Serializer):
    id = serializers.UUIDField(allow_null=True, help_text="The workstream; null for items without one.")
    name = serializers.CharField()
    y = serializers.IntegerField()
    items = TimelineItemSerializer(many=True)


class TimelineLinkSerializer(serializers.Serializer):
    predecessor_id = serializers.UUIDField()
    successor_id = serializers.UUIDField()
    x1 = serializers.FloatField()
    y1 = serializers.FloatField()
    x2 = serializers.FloatField()
    y2 = serializers.FloatField()
    path = serializers.CharField(help_text="SVG path data of the arrow.")
    violated = serializers.BooleanField(help_text="The successor starts before its predecessor is due.")


class TimelineTickSerializer(serializers.Serializer):
    x = serializers.FloatField()
    label = serializers.CharField()


class TimelineBandSerializer(serializers.Serializer):
    x = serializers.FloatField()
    width = serializers.FloatField()
    label = serializers.CharField()


class TimelineSpanSerializer(serializers.Serializer):
    x = serializers.FloatField()
    width = serializers.FloatField()


class TimelineSerializer(serializers.Serializer):
    client_view = serializers.BooleanField()
    zoom = serializers.ChoiceField(choices=[(z, z) for z in ZOOMS])
    zoom_auto = serializers.BooleanField()
    is_empty = serializers.BooleanField()
    today = serializers.DateField()
    project_start = serializers.DateField(allow_null=True)
    project_end = serializers.DateField(allow_null=True)
    start = serializers.DateField(allow_null=True, help_text="First day drawn (null when empty).")
    end = serializers.DateField(allow_null=True)
    today_x = serializers.FloatField(allow_null=True)
    px_per_day = serializers.IntegerField()
    width = serializers.FloatField()
    height = serializers.IntegerField()
    header_height = serializers.IntegerField()
    row_height = serializers.IntegerField()
    ticks = TimelineTickSerializer(many=True)
    bands = TimelineBandSerializer(many=True)
    off_days = TimelineSpanSerializer(many=True)
    groups = TimelineGroupSerializer(many=True)
    links = TimelineLinkSerializer(many=True)
    task_count = serializers.IntegerField()
    milestone_count = serializers.IntegerField()
    slipped_count = serializers.IntegerField()
    overdue_count = serializers.IntegerField()


class TimelineQuerySerializer(serializers.Serializer):
    zoom = serializers.ChoiceField(choices=[(z, z) for z in ZOOMS], required=False)
    client_view = serializers.BooleanField(required=False, default=False)


class TimelineSchema(AutoSchema):
    """One object per project, not a list (drf-spectacular would take the `list` action for an array)."""

    def _is_list_view(self, serializer=None):
        return False


class ProjectTimelineViewSet(AgencyViewSetMixin, viewsets.ViewSet):
    """The project's timeline: the same rows, bars and links the Timeline tab draws."""

    policy_actions = {"list": "project.view"}
    http_method_names = ["get", "head", "options"]
    schema = TimelineSchema()

    @extend_schema(
        summary="Timeline of a project (workstreams, tasks, milestones, dependencies, baseline slippage)",
        parameters=[
            OpenApiParameter("project_id", str, OpenApiParameter.PATH, description="The project's id (UUID)."),
            OpenApiParameter("zoom", str, enum=list(ZOOMS), description="Scale; chosen by the range without it."),
            OpenApiParameter("client_view", bool, description="Only what the client sees (the portal's view)."),
        ],
        responses={200: TimelineSerializer})
    def list(self, request, project_id=None):
        try:
            project_id = UUID(project_id)
        except (TypeError, ValueError):
            raise exceptions.NotFound from None
        params = TimelineQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        project = project_get(agency=self.agency, membership=self.membership, project_id=project_id)
        timeline = timeline_for_project(agency=self.agency, project=project, zoom=params.validated_data.get("zoom"),
                                        client_view=params.validated_data["client_view"])
        return Response(TimelineSerializer(timeline).data)


router.register(r"projects/(?P<project_id>[0-9a-f-]{36})/timeline", ProjectTimelineViewSet,
                basename="project-timeline")

# --- alerts -------------------------------------------------------------------------------------------
from django.core.exceptions import PermissionDenied  # noqa: E402
from django_filters import rest_framework as filters  # noqa: E402
from drf_spectacular.utils import extend_schema  # noqa: E402
from rest_framework import serializers, viewsets  # noqa: E402
from rest_framework.decorators import action  # noqa: E402

from mrm.api_urls import router  # noqa: E402
from mrm.core.api import AgencyViewSetMixin  # noqa: E402

from .alerts import rules as alert_rules  # noqa: E402
from .alerts.selectors import alert_list  # noqa: E402
from .models import Alert  # noqa: E402
from .selectors import can_manage_project  # noqa: E402


class AlertSerializer(serializers.ModelSerializer):
    reason = serializers.CharField(source="reason_display", read_only=True,
                                   help_text="Why, with the numbers, in the caller's language.")
    acknowledged_by = serializers.SlugRelatedField(slug_field="email", read_only=True, allow_null=True)
    is_open = serializers.BooleanField(read_only=True)
    value = serializers.FloatField(read_only=True, help_text="How bad it is, in the kind's unit (larger is worse).")

    class Meta:
        model = Alert
        fields = ["id", "project", "kind", "severity", "subject_key", "subject_label", "reason", "url", "value",
                  "is_open", "first_raised_at", "raised_at", "last_seen_at", "resolved_at", "acknowledged_at",
                  "acknowledged_by", "acknowledged_value"]
        read_only_fields = fields


class AlertFilter(filters.FilterSet):
    project = filters.UUIDFilter(field_name="project_id")
    kind = filters.ChoiceFilter(choices=alert_rules.KIND_CHOICES)
    open = filters.BooleanFilter(field_name="resolved_at", lookup_expr="isnull", label="Open (not resolved)")
    acknowledged = filters.BooleanFilter(field_name="acknowledged_at", lookup_expr="isnull", exclude=True,
                                         label="Acknowledged")

    class Meta:
        model = Alert
        fields = ["project", "kind", "severity"]


class AlertViewSet(AgencyViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Predictive alerts of the projects the caller sees (milestone at risk, budget burn, critical path,
    client approval, client silence). POST `.../acknowledge/` quiets an open alert until it gets worse."""

    serializer_class = AlertSerializer
    filterset_class = AlertFilter
    ordering_fields = ["raised_at", "value", "severity"]
    policy_actions = {"list": "project.view", "retrieve": "project.view", "acknowledge": "project.manage"}
    lookup_value_regex = "[0-9a-f-]{36}"
    model = Alert

    def get_agency_queryset(self):
        return alert_list(agency=self.agency, membership=self.membership).order_by("-raised_at", "pk")

    @extend_schema(request=None, responses=AlertSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        """Acknowledge the alert (its PM, the AM or a director); acknowledging twice changes nothing, a
        resolved alert answers 400."""
        from .services.alerts import alert_acknowledge

        alert = self.get_object()
        if not can_manage_project(membership=self.membership, project=alert.project):
            raise PermissionDenied
        alert = alert_acknowledge(agency=self.agency, actor=request.user, alert=alert)
        return Response(AlertSerializer(alert, context=self.get_serializer_context()).data)


router.register("alerts", AlertViewSet, basename="alert")

# work: milestones, project tasks (with finish-to-start predecessors), task comments ----------------------------
from django.db import transaction  # noqa: E402
from django.db.models import Prefetch  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_filters import rest_framework as work_filters  # noqa: E402
from rest_framework import serializers as work_serializers  # noqa: E402
from rest_framework import viewsets as work_viewsets  # noqa: E402

from mrm.api_urls import router as work_router  # noqa: E402
from mrm.core.api import AgencyViewSetMixin as WorkViewSetMixin  # noqa: E402
from mrm.tenancy.policy import can as policy_can  # noqa: E402

from .models import Comment, Milestone, ProjectTask, TaskDependency, Workstream  # noqa: E402
from .selectors import project_list, project_visibility_q  # noqa: E402
from .selectors_work import staff_users  # noqa: E402
from .services import work as work_services  # noqa: E402


def _work_request(field):
    return field.context["request"]._request


class VisibleProjectField(work_serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        request = _work_request(self)
        return project_list(agency=request.agency, membership=request.membership)


class _AgencyRowField(work_serializers.PrimaryKeyRelatedField):
    """A row of the caller's agency; the serializer checks it belongs to the same project."""

    model = None

    def get_queryset(self):
        return self.model.objects.filter(agency=_work_request(self).agency)


class WorkstreamField(_AgencyRowField):
    model = Workstream


class MilestoneField(_AgencyRowField):
    model = Milestone


class StaffEmailField(work_serializers.SlugRelatedField):
    def __init__(self, **kwargs):
        super().__init__(slug_field="email", **kwargs)

    def get_queryset(self):
        return staff_users(agency=_work_request(self).agency)


class RoleField(work_serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        from proposals.models import RateRole

        return RateRole.objects.filter(agency=_work_request(self).agency)


def _same_project(attrs: dict, project, names=("workstream", "milestone")) -> None:
    for name in names:
        linked = attrs.get(name)
        if linked is not None and linked.project_id != project.pk:
            raise work_serializers.ValidationError({name: ["Choose one of this project's own."]})


def _require_manage(view, project) -> None:
    if not (policy_can(view.membership, "project.manage")
            and can_manage_project(membership=view.membership, project=project)):
        raise PermissionDenied


class MilestoneSerializer(work_serializers.ModelSerializer):
    project = VisibleProjectField()
    workstream = WorkstreamField(required=False, allow_null=True)
    reached = work_serializers.BooleanField(required=False, write_only=True,
                                            help_text="true marks the milestone reached (now), false reopens it.")

    class Meta:
        model = Milestone
        fields = ["id", "project", "title", "due_date", "baseline_due_date", "workstream", "client_visible",
                  "order", "reached", "reached_at", "created_at", "updated_at"]
        read_only_fields = ["id", "baseline_due_date", "reached_at", "created_at", "updated_at"]

    def validate(self, attrs):
        project = attrs.get("project") or getattr(self.instance, "project", None)
        if self.instance is not None and "project" in attrs and attrs["project"].pk != self.instance.project_id:
            raise work_serializers.ValidationError({"project": ["A milestone cannot move to another project."]})
        if project is not None:
            _same_project(attrs, project, names=("workstream",))
        return attrs


class MilestoneFilter(work_filters.FilterSet):
    project = work_filters.UUIDFilter(field_name="project_id")
    reached = work_filters.BooleanFilter(field_name="reached_at", lookup_expr="isnull", exclude=True)

    class Meta:
        model = Milestone
        fields = ["project", "client_visible"]


class MilestoneViewSet(WorkViewSetMixin, work_viewsets.ModelViewSet):
    """Milestones of the projects the caller sees. PATCH `{"reached": true}` marks one reached (an event for
    the client when it is client-visible); creating and changing needs the right to manage the project."""

    serializer_class = MilestoneSerializer
    filterset_class = MilestoneFilter
    search_fields = ["title"]
    ordering_fields = ["due_date", "created_at", "order"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    policy_actions = {"list": "project.view", "retrieve": "project.view", "create": "project.manage",
                      "partial_update": "project.manage", "destroy": "project.manage"}
    lookup_value_regex = "[0-9a-f-]{36}"
    model = Milestone

    def get_agency_queryset(self):
        return (Milestone.objects.filter(agency=self.agency)
                .filter(project_visibility_q(membership=self.membership, prefix="project__"))
                .select_related("project").order_by("due_date", "order", "created_at", "pk"))

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        project = data.pop("project")
        reached = data.pop("reached", False)
        _require_manage(self, project)
        with transaction.atomic():
            milestone = work_services.milestone_create(agency=self.agency, actor=self.request.user, project=project,
                                                       data=data)
            if reached:
                milestone = work_services.milestone_set_reached(agency=self.agency, actor=self.request.user,
                                                                milestone=milestone, reached=True)
        serializer.instance = milestone

    def perform_update(self, serializer):
        milestone = serializer.instance
        _require_manage(self, milestone.project)
        data = dict(serializer.validated_data)
        data.pop("project", None)
        reached = data.pop("reached", None)
        with transaction.atomic():
            milestone = work_services.milestone_update(agency=self.agency, actor=self.request.user,
                                                       milestone=milestone, data=data)
            if reached is not None:
                milestone = work_services.milestone_set_reached(agency=self.agency, actor=self.request.user,
                                                                milestone=milestone, reached=reached)
        serializer.instance = milestone

    def perform_destroy(self, instance):
        _require_manage(self, instance.project)
        work_services.milestone_delete(agency=self.agency, actor=self.request.user, milestone=instance)


class ProjectTaskSerializer(work_serializers.ModelSerializer):
    project = VisibleProjectField()
    workstream = WorkstreamField(required=False, allow_null=True)
    milestone = MilestoneField(required=False, allow_null=True)
    assignee = StaffEmailField(required=False, allow_null=True, help_text="E-mail of an active staff member.")
    role = RoleField(required=False, allow_null=True)
    predecessors = work_serializers.ListField(
        child=work_serializers.UUIDField(), required=False,
        help_text="Ids of the tasks of the same project this one waits for (finish-to-start); a PATCH replaces "
                  "the whole list. A loop is refused.")
    is_overdue = work_serializers.SerializerMethodField()

    class Meta:
        model = ProjectTask
        fields = ["id", "project", "title", "description", "workstream", "milestone", "assignee", "role",
                  "estimate_hours", "start_date", "due_date", "baseline_start_date", "baseline_due_date", "status",
                  "status_changed_at", "completed_at", "client_visible", "position", "predecessors", "is_overdue",
                  "created_at", "updated_at"]
        read_only_fields = ["id", "baseline_start_date", "baseline_due_date", "status_changed_at", "completed_at",
                            "position", "created_at", "updated_at"]

    def get_is_overdue(self, obj) -> bool:
        return bool(obj.is_open and obj.due_date and obj.due_date < timezone.localdate())

    def to_representation(self, instance):
        data = super().to_representation(instance)
        links = getattr(instance, "predecessor_list", None)
        if links is None:
            links = list(TaskDependency.objects.filter(agency_id=instance.agency_id, successor=instance)
                         .order_by("created_at"))
        data["predecessors"] = [str(link.predecessor_id) for link in links]
        return data

    def validate(self, attrs):
        if self.instance is not None and "project" in attrs and attrs["project"].pk != self.instance.project_id:
            raise work_serializers.ValidationError({"project": ["A task cannot move to another project."]})
        project = attrs.get("project") or getattr(self.instance, "project", None)
        if project is not None:
            _same_project(attrs, project)
        start = attrs.get("start_date", getattr(self.instance, "start_date", None))
        due = attrs.get("due_date", getattr(self.instance, "due_date", None))
        if start and due and due < start:
            raise work_serializers.ValidationError({"due_date": ["The due date is before the start."]})
        return attrs


class ProjectTaskFilter(work_filters.FilterSet):
    project = work_filters.UUIDFilter(field_name="project_id")
    milestone = work_filters.UUIDFilter(field_name="milestone_id")
    workstream = work_filters.UUIDFilter(field_name="workstream_id")
    assignee = work_filters.CharFilter(field_name="assignee__email", lookup_expr="iexact", label="Assignee's e-mail")
    overdue = work_filters.BooleanFilter(method="filter_overdue", label="Not done and past the due date")
    due_before = work_filters.DateFilter(field_name="due_date", lookup_expr="lte")
    due_after = work_filters.DateFilter(field_name="due_date", lookup_expr="gte")

    class Meta:
        model = ProjectTask
        fields = ["project", "status", "milestone", "workstream", "assignee", "client_visible"]

    def filter_overdue(self, queryset, name, value):
        overdue = {"status__in": ProjectTask.OPEN_STATUSES, "due_date__lt": timezone.localdate()}
        return queryset.filter(**overdue) if value else queryset.exclude(**overdue)


class ProjectTaskViewSet(WorkViewSetMixin, work_viewsets.ModelViewSet):
    """Tasks of the projects the caller sees. A PATCH of only `status` needs project.work (team members move
    their tasks); any other change, creating and deleting need the right to manage the project."""

    serializer_class = ProjectTaskSerializer
    filterset_class = ProjectTaskFilter
    search_fields = ["title", "description"]
    ordering_fields = ["due_date", "start_date", "created_at", "position", "status"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    policy_actions = {"list": "project.view", "retrieve": "project.view", "create": "project.manage",
                      "partial_update": "project.work", "destroy": "project.manage"}
    lookup_value_regex = "[0-9a-f-]{36}"
    model = ProjectTask

    def get_agency_queryset(self):
        links = TaskDependency.objects.filter(agency=self.agency).order_by("created_at")
        return (ProjectTask.objects.filter(agency=self.agency)
                .filter(project_visibility_q(membership=self.membership, prefix="project__"))
                .select_related("project", "assignee")
                .prefetch_related(Prefetch("predecessor_links", queryset=links, to_attr="predecessor_list"))
                .order_by("project_id", "position", "created_at", "pk"))

    def _predecessors(self, project, ids) -> list:
        tasks = {t.pk: t for t in ProjectTask.objects.filter(agency=self.agency, project=project, pk__in=ids)}
        missing = [str(i) for i in ids if i not in tasks]
        if missing:
            raise work_serializers.ValidationError({"predecessors": [f"Not a task of this project: {missing[0]}"]})
        return [tasks[i] for i in dict.fromkeys(ids)]

    def _set_predecessors(self, task, ids) -> None:
        wanted = self._predecessors(task.project, ids)
        current = {link.predecessor_id: link for link in
                   TaskDependency.objects.filter(agency=self.agency, successor=task)}
        for pred_id, link in current.items():
            if pred_id not in {t.pk for t in wanted}:
                work_services.dependency_remove(agency=self.agency, actor=self.request.user, dependency=link)
        for predecessor in wanted:
            if predecessor.pk not in current:
                work_services.dependency_add(agency=self.agency, actor=self.request.user, predecessor=predecessor,
                                             successor=task)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        project = data.pop("project")
        predecessors = data.pop("predecessors", None)
        status = data.pop("status", None)
        _require_manage(self, project)
        with transaction.atomic():
            task = work_services.task_create(agency=self.agency, actor=self.request.user, project=project, data=data)
            if predecessors:
                self._set_predecessors(task, predecessors)
            if status and status != task.status:
                task = work_services.task_set_status(agency=self.agency, actor=self.request.user, task=task,
                                                     status=status)
        serializer.instance = ProjectTask.objects.get(agency=self.agency, pk=task.pk)

    def perform_update(self, serializer):
        task = serializer.instance
        data = dict(serializer.validated_data)
        data.pop("project", None)
        predecessors = data.pop("predecessors", None)
        status = data.pop("status", None)
        if data or predecessors is not None:
            _require_manage(self, task.project)
        with transaction.atomic():
            if data:
                task = work_services.task_update(agency=self.agency, actor=self.request.user, task=task, data=data)
            if predecessors is not None:
                self._set_predecessors(task, predecessors)
            if status is not None:
                task = work_services.task_set_status(agency=self.agency, actor=self.request.user, task=task,
                                                     status=status)
        serializer.instance = ProjectTask.objects.get(agency=self.agency, pk=task.pk)

    def perform_destroy(self, instance):
        _require_manage(self, instance.project)
        work_services.task_delete(agency=self.agency, actor=self.request.user, task=instance)


class VisibleTaskField(work_serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        request = _work_request(self)
        return (ProjectTask.objects.filter(agency=request.agency)
                .filter(project_visibility_q(membership=request.membership, prefix="project__")))


class CommentSerializer(work_serializers.ModelSerializer):
    task = VisibleTaskField()
    author = work_serializers.SlugRelatedField(slug_field="email", read_only=True)
    mentions = work_serializers.SerializerMethodField(help_text="E-mails of the staff members @mentioned.")

    class Meta:
        model = Comment
        fields = ["id", "task", "author", "body", "mentions", "created_at", "updated_at"]
        read_only_fields = ["id", "author", "mentions", "created_at", "updated_at"]

    def get_mentions(self, obj) -> list[str]:
        emails = self.context.get("mention_emails")
        if emails is None:
            emails = dict(staff_users(agency=obj.agency).values_list("pk", "email"))
            self.context["mention_emails"] = emails
        return [emails[uid] for uid in obj.mentioned_user_ids if uid in emails]


class CommentFilter(work_filters.FilterSet):
    task = work_filters.UUIDFilter(field_name="task_id")
    project = work_filters.UUIDFilter(field_name="task__project_id")

    class Meta:
        model = Comment
        fields = ["task", "project"]


class CommentViewSet(WorkViewSetMixin, work_viewsets.ModelViewSet):
    """Comments on project tasks. "@name" or "@e-mail prefix" of a staff member mentions them (they are told).
    Its author may delete a comment, and anyone who manages the project."""

    serializer_class = CommentSerializer
    filterset_class = CommentFilter
    search_fields = ["body"]
    ordering_fields = ["created_at"]
    http_method_names = ["get", "post", "delete", "head", "options"]
    policy_actions = {"list": "project.view", "retrieve": "project.view", "create": "project.work",
                      "destroy": "project.work"}
    lookup_value_regex = "[0-9a-f-]{36}"
    model = Comment

    def get_agency_queryset(self):
        return (Comment.objects.filter(agency=self.agency)
                .filter(project_visibility_q(membership=self.membership, prefix="task__project__"))
                .select_related("author", "task__project").order_by("created_at", "pk"))

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = work_services.comment_add(agency=self.agency, actor=self.request.user,
                                                        task=data["task"], body=data["body"])

    def perform_destroy(self, instance):
        if instance.author_id != self.request.user.pk and not can_manage_project(
                membership=self.membership, project=instance.task.project):
            raise PermissionDenied
        work_services.comment_delete(agency=self.agency, actor=self.request.user, comment=instance)


work_router.register("milestones", MilestoneViewSet, basename="milestone")
work_router.register("project-tasks", ProjectTaskViewSet, basename="project-task")
work_router.register("task-comments", CommentViewSet, basename="task-comment")

# --- change requests ----------------------------------------------------------------------------------
from decimal import Decimal  # noqa: E402

from drf_spectacular.utils import extend_schema  # noqa: E402
from rest_framework import serializers, status, viewsets  # noqa: E402
from rest_framework.decorators import action  # noqa: E402
from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied  # noqa: E402

from clients.models import Contact  # noqa: E402
from mrm.api_urls import router  # noqa: E402
from mrm.core.api import AgencyViewSetMixin  # noqa: E402
from mrm.tenancy.policy import can  # noqa: E402
from proposals.models import RateRole  # noqa: E402

from .models import ChangeRequest, ChangeRequestLine  # noqa: E402
from .services import changes as change_services  # noqa: E402

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
            raise ApiPermissionDenied("You do not manage this project.")

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
