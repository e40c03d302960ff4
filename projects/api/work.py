"""REST API of projects (viewsets register on mrm.api_urls.router)."""


# work: milestones, project tasks (with finish-to-start predecessors), task comments ----------------------------
from django.core.exceptions import PermissionDenied  # noqa: E402
from django.db import transaction  # noqa: E402
from django.db.models import Prefetch  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_filters import rest_framework as work_filters  # noqa: E402
from rest_framework import serializers as work_serializers  # noqa: E402
from rest_framework import viewsets as work_viewsets  # noqa: E402

from mrm.api_urls import router as work_router  # noqa: E402
from mrm.core.api import AgencyViewSetMixin as WorkViewSetMixin  # noqa: E402
from mrm.tenancy.policy import can as policy_can  # noqa: E402

from ..models import Comment, Milestone, ProjectTask, TaskDependency, Workstream  # noqa: E402
from ..selectors import can_manage_project, project_list, project_visibility_q  # noqa: E402
from ..selectors_work import staff_users  # noqa: E402
from ..services import work as work_services  # noqa: E402


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
