"""Client reports REST API: report templates, reports (create, change the texts, the snapshot), their builds
(POST starts one, GET shows the latest) and publishing. Another agency's or an unseen client's object: 404;
a refused change (published, not built, bad period): 400 with the message."""
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from clients.api._fields import VisibleClientField
from mrm.api_urls import router
from mrm.core.api import AgencyViewSetMixin

from . import selectors_reports as sel
from .report_models import DEFAULT_SECTIONS, Report, ReportTemplate
from .services import reports as services


class ReportTemplateSerializer(serializers.ModelSerializer):
    client = VisibleClientField(required=False, allow_null=True)
    sections = serializers.ListField(child=serializers.ChoiceField(choices=DEFAULT_SECTIONS), min_length=1,
                                     max_length=len(DEFAULT_SECTIONS))

    class Meta:
        model = ReportTemplate
        fields = ["id", "name", "client", "sections", "is_default", "created_at", "updated_at"]
        read_only_fields = ["id", "is_default", "created_at", "updated_at"]


class ReportTemplateViewSet(AgencyViewSetMixin, viewsets.ModelViewSet):
    """The agency's report templates: the default (created on first use) and clients' own."""

    serializer_class = ReportTemplateSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]
    policy_actions = {"list": "report.view", "retrieve": "report.view", "create": "report.template",
                      "partial_update": "report.template"}
    lookup_value_regex = "[0-9a-f-]{36}"
    model = ReportTemplate

    def get_agency_queryset(self):
        services.template_default(agency=self.agency)
        return sel.template_list(agency=self.agency, membership=self.membership).order_by("-is_default", "name", "id")

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.template_save(agency=self.agency, actor=self.request.user, name=data["name"],
                                                     sections=data["sections"], client=data.get("client"))

    def perform_update(self, serializer):
        data = serializer.validated_data
        if "client" in data and data["client"] != serializer.instance.client:
            raise serializers.ValidationError({"client": "A template cannot move to another client."})
        serializer.instance = services.template_save(
            agency=self.agency, actor=self.request.user, name=data.get("name", serializer.instance.name),
            sections=data.get("sections", serializer.instance.sections), template=serializer.instance)


class ReportSerializer(serializers.ModelSerializer):
    client = VisibleClientField()
    template = serializers.PrimaryKeyRelatedField(queryset=ReportTemplate.objects.none(), required=False,
                                                  allow_null=True)
    plan = serializers.DictField(child=serializers.DecimalField(max_digits=16, decimal_places=2, min_value=0),
                                 required=False, help_text="Targets: cost, clicks, conversions, revenue, cpa.")
    build_status = serializers.SerializerMethodField()

    class Meta:
        model = Report
        fields = ["id", "client", "template", "title", "date_from", "date_to", "status", "commentary",
                  "commentary_drafter", "next_steps", "plan", "snapshot", "built_at", "published_at",
                  "build_status", "created_at", "updated_at"]
        read_only_fields = ["id", "status", "commentary_drafter", "snapshot", "built_at", "published_at",
                            "created_at", "updated_at"]
        extra_kwargs = {"title": {"required": False, "allow_blank": True,
                                  "help_text": "Empty: «Report for <client>, <period>»."},
                        "commentary": {"required": False}, "next_steps": {"required": False}}

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None and getattr(request, "_request", None) is not None and \
                getattr(request._request, "agency", None) is not None:
            fields["template"].queryset = ReportTemplate.objects.filter(agency=request._request.agency)
        return fields

    def get_build_status(self, obj) -> dict | None:
        job = obj.job
        if job is None:
            return None
        return {"job": str(job.pk), "status": job.status, "progress": job.progress, "message": job.message,
                "error": job.error}


class ReportUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    commentary = serializers.CharField(max_length=10000, required=False, allow_blank=True)
    next_steps = serializers.CharField(max_length=10000, required=False, allow_blank=True)
    plan = serializers.DictField(child=serializers.DecimalField(max_digits=16, decimal_places=2, min_value=0),
                                 required=False)


class BuildSerializer(serializers.Serializer):
    redraft = serializers.BooleanField(default=False, help_text="Draft the commentary again (AI or rules).")


class BuildStatusSerializer(serializers.Serializer):
    job = serializers.UUIDField()
    status = serializers.CharField()
    progress = serializers.IntegerField()
    message = serializers.CharField()
    error = serializers.CharField()


class BuildSerializerFull(serializers.Serializer):
    job = serializers.UUIDField(source="pk")
    status = serializers.CharField()
    progress = serializers.IntegerField()
    message = serializers.CharField()
    error = serializers.CharField()
    redraft = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)

    def get_redraft(self, job) -> bool:
        return bool(job.params.get("redraft"))


class BuildPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = BuildSerializerFull(many=True)


class ReportPdfErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="Why there is no PDF (the report is not built yet).")
    code = serializers.CharField(required=False)


class ReportViewSet(AgencyViewSetMixin, viewsets.ModelViewSet):
    """Reports of the clients the caller may see. POST `{id}/build/` starts a build (GET: its progress),
    GET `{id}/builds/` lists every build, GET `{id}/pdf/` downloads the PDF, POST `{id}/publish/` publishes a
    built report."""

    serializer_class = ReportSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]
    policy_actions = {"list": "report.view", "retrieve": "report.view", "create": "report.manage",
                      "partial_update": "report.manage", "build": "report.manage", "publish": "report.publish",
                      "builds": "report.view", "pdf": "report.view"}
    lookup_value_regex = "[0-9a-f-]{36}"
    model = Report
    filterset_fields = ["client", "status"]
    ordering_fields = ["date_to", "created_at"]

    def get_agency_queryset(self):
        return sel.report_list(agency=self.agency, membership=self.membership)

    def perform_content_negotiation(self, request, force=False):
        # The PDF answers any Accept (application/pdf too); its errors are JSON like every other answer.
        return super().perform_content_negotiation(request, force=force or self.action == "pdf")

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.report_create(
            agency=self.agency, actor=self.request.user, client=data["client"], date_from=data["date_from"],
            date_to=data["date_to"], template=data.get("template"), title=data.get("title", ""),
            plan=data.get("plan"))

    @extend_schema(request=ReportUpdateSerializer, responses={200: ReportSerializer})
    def partial_update(self, request, *args, **kwargs):
        report = self.get_object()
        body = ReportUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        report = services.report_update(
            agency=self.agency, actor=request.user, report=report,
            commentary=data.get("commentary", report.commentary), next_steps=data.get("next_steps", report.next_steps),
            plan=data.get("plan") if "plan" in data else None, title=data.get("title"))
        return Response(ReportSerializer(sel.report_get(agency=self.agency, membership=self.membership,
                                                        report_id=report.pk), context={"request": request}).data)

    @extend_schema(methods=["POST"], request=BuildSerializer, responses={202: BuildStatusSerializer})
    @extend_schema(methods=["GET"], responses={200: BuildStatusSerializer})
    @action(detail=True, methods=["get", "post"])
    def build(self, request, pk=None):
        report = self.get_object()
        if request.method == "GET":
            if report.job is None:
                return Response({"detail": "The report was never built."}, status=404)
            job = report.job
            status = 200
        else:
            body = BuildSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            job = services.report_build_start(agency=self.agency, actor=request.user, report=report,
                                              redraft=body.validated_data["redraft"])
            job.refresh_from_db()
            status = 202
        return Response({"job": str(job.pk), "status": job.status, "progress": job.progress,
                         "message": job.message, "error": job.error}, status=status)

    @extend_schema(parameters=[OpenApiParameter("page", int, description="A page number (50 builds a page).")],
                   responses={200: BuildPageSerializer})
    @action(detail=True, methods=["get"])
    def builds(self, request, pk=None):
        """The report's builds, newest first (paginated)."""
        report = self.get_object()
        page = self.paginate_queryset(sel.report_builds(agency=self.agency, report=report))
        return self.get_paginated_response(BuildSerializerFull(page, many=True).data)

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY, 400: ReportPdfErrorSerializer})
    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        """The built report as the PDF the client gets (400 when it is not built yet)."""
        from .views_reports import pdf_response

        report = self.get_object()
        return pdf_response(services.report_pdf(report=report), report)

    @extend_schema(request=None, responses={200: ReportSerializer})
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        report = services.report_publish(agency=self.agency, actor=request.user, report=self.get_object())
        return Response(ReportSerializer(sel.report_get(agency=self.agency, membership=self.membership,
                                                        report_id=report.pk), context={"request": request}).data)


router.register("reporting/report-templates", ReportTemplateViewSet, basename="report-template")
router.register("reporting/reports", ReportViewSet, basename="report")
