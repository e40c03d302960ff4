"""REST API of projects (viewsets register on mrm.api_urls.router)."""

# --- timeline ---------------------------------------------------------------------------------------------------
from uuid import UUID  # noqa: E402

from drf_spectacular.utils import OpenApiParameter, extend_schema  # noqa: E402
from rest_framework import exceptions, serializers, viewsets  # noqa: E402
from rest_framework.response import Response  # noqa: E402

from mrm.api_urls import router  # noqa: E402
from mrm.core.api import AgencyViewSetMixin, AutoSchema  # noqa: E402

from ..selectors import project_get  # noqa: E402
from ..services.timeline import ZOOMS, timeline_for_project  # noqa: E402


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
