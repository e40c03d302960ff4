"""Proposals REST API: catalog (rate card + services), briefs (incl. "start draft job"), proposals
(incl. send, PDF job, PDF download, versions), estimate lines and proposal job status. Registers its
viewsets on the /api/v1/ router when imported. Another agency's object answers 404, like a missing one."""
from decimal import Decimal

from django.http import FileResponse, Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from clients.models import Client, Contact
from clients.selectors import client_list
from mrm.api_urls import router
from mrm.core.api import AgencyViewSetMixin
from mrm.jobs.models import Job
from mrm.tenancy.models import Role
from mrm.tenancy.policy import can

from . import selectors
from .models import Brief, BriefTemplate, Discipline, EstimateLine, Proposal, RateRole, Service
from .services import catalog as catalog_services
from .services import documents, drafting, editor, sending
from .services.briefs import brief_submit

# --- catalog -------------------------------------------------------------------------------------

@extend_schema_field({"type": "string", "pattern": "^(" + "|".join(Discipline.values) + ")$",
                      "description": "One of: " + ", ".join(Discipline.values)})
class DisciplineField(serializers.ChoiceField):
    """A discipline value. Described by a pattern, not an enum: the same value set is the CRM's deal
    service lines, and one choice set must not get two component names in the schema."""

    def __init__(self, **kwargs):
        super().__init__(choices=Discipline.choices, **kwargs)


class RateRoleSerializer(serializers.ModelSerializer):
    class Meta:
        model = RateRole
        fields = ["id", "name", "hourly_rate", "cost_rate", "order", "is_active", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is not None and not can(request._request.membership, "catalog.view_costs"):
            data.pop("cost_rate", None)  # internal cost stays with directors
        return data


class RateRoleViewSet(AgencyViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                      mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """The rate card: roles with hourly rates (and, for directors, internal cost rates)."""

    serializer_class = RateRoleSerializer
    filterset_fields = ["is_active"]
    search_fields = ["name"]
    ordering_fields = ["order", "name", "hourly_rate"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    lookup_value_regex = "[0-9a-f-]{36}"
    model = RateRole
    policy_actions = {"list": "catalog.view", "retrieve": "catalog.view", "create": "catalog.edit",
                      "partial_update": "catalog.edit"}

    def get_agency_queryset(self):
        return selectors.role_list(agency=self.agency).order_by("order", "name", "pk")

    def perform_create(self, serializer):
        serializer.instance = catalog_services.role_create(agency=self.agency, actor=self.request.user,
                                                           data=serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = catalog_services.role_update(agency=self.agency, actor=self.request.user,
                                                           role=serializer.instance, data=serializer.validated_data)


class ServiceSerializer(serializers.ModelSerializer):
    discipline = DisciplineField()
    role_ids = serializers.PrimaryKeyRelatedField(source="roles", many=True, queryset=RateRole.objects.none(),
                                                  required=False)

    class Meta:
        model = Service
        fields = ["id", "discipline", "name", "description", "price_kind", "price", "commission_percent", "unit",
                  "hours_min", "hours_max", "role_ids", "order", "is_active", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and getattr(request._request, "agency", None) is not None:
            self.fields["role_ids"].child_relation.queryset = RateRole.objects.filter(agency=request._request.agency)

    def validate(self, attrs):
        low = attrs.get("hours_min", getattr(self.instance, "hours_min", None))
        high = attrs.get("hours_max", getattr(self.instance, "hours_max", None))
        if low is not None and high is not None and low > high:
            raise serializers.ValidationError({"hours_max": "“Hours from” must not be more than “hours to”."})
        return attrs


class ServiceViewSet(AgencyViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                     mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """Services of the catalog, with their disciplines, usual hours and delivering roles."""

    serializer_class = ServiceSerializer
    filterset_fields = ["discipline", "unit", "is_active"]
    search_fields = ["name", "description"]
    ordering_fields = ["discipline", "order", "name"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    lookup_value_regex = "[0-9a-f-]{36}"
    model = Service
    policy_actions = {"list": "catalog.view", "retrieve": "catalog.view", "create": "catalog.edit",
                      "partial_update": "catalog.edit"}

    def get_agency_queryset(self):
        return selectors.service_list(agency=self.agency).order_by("discipline", "order", "name", "pk")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        roles = data.pop("roles", [])
        serializer.instance = catalog_services.service_create(agency=self.agency, actor=self.request.user,
                                                              data=data, roles=roles)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        roles = data.pop("roles", None)
        serializer.instance = catalog_services.service_update(agency=self.agency, actor=self.request.user,
                                                              service=serializer.instance, data=data, roles=roles)


# --- jobs ----------------------------------------------------------------------------------------

class JobSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True, help_text="queued, running, succeeded or failed")

    class Meta:
        model = Job
        fields = ["id", "kind", "title", "status", "progress", "message", "error", "result_url", "params",
                  "created_at", "started_at", "finished_at", "attempts"]
        read_only_fields = fields


class ProposalJobViewSet(AgencyViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Status of proposal jobs (drafting, PDF): poll until `status` is `succeeded` or `failed`."""

    serializer_class = JobSerializer
    filterset_fields = ["kind", "status"]
    ordering_fields = ["created_at"]
    lookup_value_regex = "[0-9a-f-]{36}"
    model = Job
    policy_actions = {"list": "workspace.view", "retrieve": "workspace.view"}

    def get_agency_queryset(self):
        qs = Job.objects.filter(agency=self.agency, kind__startswith="proposal.")
        if self.membership.role != Role.DIRECTOR:
            qs = qs.filter(created_by=self.request.user)
        return qs.order_by("-created_at", "pk")


# --- briefs --------------------------------------------------------------------------------------

class BriefSerializer(serializers.ModelSerializer):
    client = serializers.PrimaryKeyRelatedField(queryset=Client.objects.none(), required=False, allow_null=True)
    template = serializers.PrimaryKeyRelatedField(queryset=BriefTemplate.objects.none(), required=False,
                                                  allow_null=True)
    channels = serializers.ListField(child=DisciplineField(), required=False)
    status = serializers.CharField(read_only=True)
    owner = serializers.SlugRelatedField(slug_field="email", read_only=True)

    class Meta:
        model = Brief
        fields = ["id", "client", "template", "source", "status", "company_name", "website", "contact_name",
                  "contact_email", "contact_phone", "contact_position", "goals", "audience", "channels", "budget",
                  "deadline", "links", "answers", "owner", "deal", "contact", "created_at", "updated_at"]
        read_only_fields = ["id", "source", "status", "owner", "deal", "contact", "created_at", "updated_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        agency = getattr(getattr(request, "_request", None), "agency", None)
        if agency is not None:
            self.fields["client"].queryset = client_list(agency=agency, membership=request._request.membership)
            self.fields["template"].queryset = BriefTemplate.objects.filter(agency=agency)

    def validate_answers(self, value):
        if not isinstance(value, list) or any(not isinstance(a, dict) for a in value):
            raise serializers.ValidationError('A list of {"question": ..., "answer": ...} objects.')
        return [{"question": str(a.get("question", ""))[:300], "answer": str(a.get("answer", ""))[:2000]}
                for a in value[:20]]


class DraftStartSerializer(serializers.Serializer):
    mode = serializers.ChoiceField(choices=[("ai", "ai"), ("rules", "rules")], default="ai",
                                   help_text="`ai` uses the model when configured (else rules); `rules` never does.")


class BriefViewSet(AgencyViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                   viewsets.GenericViewSet):
    """Briefs of the clients you can see. Creating one links or creates the client, contact and deal."""

    serializer_class = BriefSerializer
    filterset_fields = ["status", "source", "client"]
    search_fields = ["company_name", "contact_name", "contact_email"]
    ordering_fields = ["created_at", "company_name"]
    lookup_value_regex = "[0-9a-f-]{36}"
    model = Brief
    policy_actions = {"list": "brief.view", "retrieve": "brief.view", "create": "brief.create",
                      "draft": "brief.create"}

    def get_agency_queryset(self):
        return selectors.brief_list(agency=self.agency, membership=self.membership).order_by("-created_at", "pk")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        client, template = data.pop("client", None), data.pop("template", None)
        serializer.instance = brief_submit(agency=self.agency, actor=self.request.user, data=data,
                                           source=Brief.Source.API, template=template, client=client)

    @extend_schema(request=DraftStartSerializer, responses={202: JobSerializer},
                   summary="Start drafting a proposal from this brief (Celery job)")
    @action(detail=True, methods=["post"], url_path="draft")
    def draft(self, request, pk=None):
        brief = self.get_object()
        params = DraftStartSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        job = drafting.draft_start(agency=self.agency, actor=request.user, brief=brief,
                                   use_ai=params.validated_data["mode"] == "ai")
        return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


# --- proposals -----------------------------------------------------------------------------------

class LineSerializer(serializers.ModelSerializer):
    proposal = serializers.PrimaryKeyRelatedField(queryset=Proposal.objects.none())
    service = serializers.PrimaryKeyRelatedField(queryset=Service.objects.none())
    role = serializers.PrimaryKeyRelatedField(queryset=RateRole.objects.none(), required=False, allow_null=True)
    hours = serializers.DecimalField(max_digits=8, decimal_places=1, required=False, min_value=Decimal("0"),
                                     max_value=Decimal("5000"), help_text="time lines only")
    quantity = serializers.DecimalField(max_digits=10, decimal_places=2, required=False, min_value=Decimal("0.01"),
                                        max_value=Decimal("100000"), help_text="quantity lines only")
    budget = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, min_value=Decimal("0"),
                                      help_text="media lines only: the client's media budget passed through")
    commission_percent = serializers.DecimalField(max_digits=5, decimal_places=2, required=False, min_value=0,
                                                  max_value=100, help_text="media lines only")
    fee = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, min_value=Decimal("0"),
                                   help_text="media lines only: a fixed fee instead of the commission")
    months = serializers.IntegerField(required=False, min_value=1, max_value=60)
    is_optional = serializers.BooleanField(required=False, help_text="an optional item, outside the totals")
    offered = serializers.BooleanField(read_only=True, help_text="offered to the client as a switch")
    term_amount = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)

    class Meta:
        model = EstimateLine
        fields = ["id", "proposal", "service", "kind", "role", "stage", "name", "role_name", "note", "billing",
                  "months", "hours", "rate", "quantity", "unit_price", "budget", "commission_percent", "fee",
                  "amount", "term_amount", "is_optional", "offered", "order", "flagged", "flag_note"]
        read_only_fields = ["id", "kind", "name", "role_name", "rate", "unit_price", "amount", "order", "flagged",
                            "flag_note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        agency = getattr(getattr(request, "_request", None), "agency", None)
        if agency is not None:
            self.fields["proposal"].queryset = selectors.proposal_list(agency=agency,
                                                                       membership=request._request.membership)
            self.fields["service"].queryset = Service.objects.filter(agency=agency)
            self.fields["role"].queryset = RateRole.objects.filter(agency=agency)
        if self.instance is not None:
            self.fields["proposal"].read_only = True
            self.fields["service"].read_only = True


class SectionSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    kind = serializers.CharField()
    title = serializers.CharField()
    body = serializers.CharField()
    order = serializers.IntegerField()


class TotalsSerializer(serializers.Serializer):
    subtotal = serializers.DecimalField(max_digits=14, decimal_places=2)
    discount_percent = serializers.DecimalField(max_digits=5, decimal_places=2)
    discount_amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    net = serializers.DecimalField(max_digits=14, decimal_places=2)
    vat_rate = serializers.DecimalField(max_digits=5, decimal_places=2)
    vat_amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    total = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="for the whole term")
    hours = serializers.DecimalField(max_digits=10, decimal_places=1)
    vat_mode = serializers.CharField(help_text="excl, incl or none")
    one_off_total = serializers.DecimalField(max_digits=14, decimal_places=2)
    monthly_total = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="per month")
    term_total = serializers.DecimalField(source="total", max_digits=14, decimal_places=2)
    has_monthly = serializers.BooleanField()
    term_months = serializers.IntegerField()


class ProposalSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True, help_text="draft, sent, accepted or declined")
    client = serializers.PrimaryKeyRelatedField(read_only=True)
    client_name = serializers.CharField(source="client.name", read_only=True)
    owner = serializers.SlugRelatedField(slug_field="email", read_only=True)

    class Meta:
        model = Proposal
        fields = ["id", "title", "status", "client", "client_name", "deal", "brief", "owner", "issued_on",
                  "valid_until", "currency", "vat_mode", "vat_rate", "discount_percent", "discount_reason", "terms",
                  "drafted_by", "draft_flags", "subtotal", "discount_amount", "vat_amount", "one_off_total",
                  "monthly_total", "total", "sent_at", "decided_at", "created_at", "updated_at"]
        read_only_fields = ["id", "status", "client", "deal", "brief", "owner", "currency", "vat_mode", "vat_rate",
                            "drafted_by", "draft_flags", "subtotal", "discount_amount", "vat_amount", "one_off_total",
                            "monthly_total", "total", "sent_at", "decided_at", "created_at", "updated_at"]

    def validate(self, attrs):
        percent = attrs.get("discount_percent", getattr(self.instance, "discount_percent", 0))
        reason = attrs.get("discount_reason", getattr(self.instance, "discount_reason", ""))
        if percent and not (reason or "").strip():
            raise serializers.ValidationError({"discount_reason": "Say why there is a discount."})
        return attrs


class ProposalDetailSerializer(ProposalSerializer):
    sections = serializers.SerializerMethodField()
    lines = serializers.SerializerMethodField()
    options = serializers.SerializerMethodField()
    totals = serializers.SerializerMethodField()
    decision = serializers.SerializerMethodField()

    class Meta(ProposalSerializer.Meta):
        fields = ProposalSerializer.Meta.fields + ["sections", "lines", "options", "totals", "decision"]
        read_only_fields = ProposalSerializer.Meta.read_only_fields + ["sections", "lines", "options", "totals",
                                                                       "decision"]

    def _content(self, obj):
        if not hasattr(obj, "_api_content"):
            obj._api_content = selectors.proposal_content(proposal=obj)
        return obj._api_content

    def get_sections(self, obj) -> list[dict]:
        return [{"id": s.pk, "kind": s.kind, "title": s.title, "body": s.body, "order": s.order}
                for s in self._content(obj)["sections"]]

    def get_lines(self, obj) -> list[dict]:
        return LineSerializer(self._content(obj)["lines"], many=True).data

    def get_options(self, obj) -> list[dict]:
        """Optional items offered to the client (outside the totals unless the client switches them on)."""
        return LineSerializer(self._content(obj)["options"], many=True).data

    def get_decision(self, obj) -> dict | None:
        """The client's answer: the version, the optional items switched on and the totals accepted."""
        decision = obj.decisions.filter(agency_id=obj.agency_id).select_related("version").first()
        if decision is None:
            return None
        return {"kind": decision.kind, "via": decision.via, "signed_name": decision.signed_name,
                "version": decision.version.number, "version_hash": decision.version_hash,
                "options": decision.options, "totals": decision.accepted_totals or None,
                "total": str(decision.accepted_total), "created_at": decision.created_at}

    def get_totals(self, obj) -> dict:
        """Computed from the lines by the same function as the editor and the PDF."""
        totals = editor.totals_for(proposal=obj, lines=self._content(obj)["lines"])
        return TotalsSerializer(totals).data


class SendSerializer(serializers.Serializer):
    contact_ids = serializers.ListField(child=serializers.UUIDField(), min_length=1)
    message = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class VersionSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    number = serializers.IntegerField()
    content_hash = serializers.CharField()
    total = serializers.DecimalField(max_digits=14, decimal_places=2)
    delta = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    created_at = serializers.DateTimeField()


class ProposalViewSet(AgencyViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                      mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """Proposals of the clients you can see. Amounts are read-only: they come from hours × rate-card rates."""

    filterset_fields = ["status", "client", "drafted_by"]
    search_fields = ["title", "client__name"]
    ordering_fields = ["created_at", "total", "title", "sent_at"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    lookup_value_regex = "[0-9a-f-]{36}"
    model = Proposal
    policy_actions = {"list": "proposal.view", "retrieve": "proposal.view", "partial_update": "proposal.edit",
                      "send": "proposal.send", "render_pdf": "proposal.edit", "pdf": "proposal.view",
                      "versions": "proposal.view"}

    def get_serializer_class(self):
        return ProposalSerializer if self.action == "list" else ProposalDetailSerializer

    def get_agency_queryset(self):
        return selectors.proposal_list(agency=self.agency, membership=self.membership).order_by("-created_at", "pk")

    def perform_update(self, serializer):
        proposal, data = serializer.instance, serializer.validated_data
        cover = {k: data[k] for k in ("title", "issued_on", "valid_until") if k in data}
        if cover:
            editor.cover_update(agency=self.agency, actor=self.request.user, proposal=proposal,
                                data={"title": proposal.title, "issued_on": proposal.issued_on,
                                      "valid_until": proposal.valid_until, **cover})
        if "terms" in data:
            editor.terms_update(agency=self.agency, actor=self.request.user, proposal=proposal, terms=data["terms"])
        if "discount_percent" in data or "discount_reason" in data:
            editor.discount_update(agency=self.agency, actor=self.request.user, proposal=proposal,
                                   percent=data.get("discount_percent", proposal.discount_percent),
                                   reason=data.get("discount_reason", proposal.discount_reason))
        proposal.refresh_from_db()

    @extend_schema(request=SendSerializer, responses={201: VersionSerializer},
                   summary="Send to contacts of the client: freezes a version and e-mails personal links")
    @action(detail=True, methods=["post"])
    def send(self, request, pk=None):
        proposal = self.get_object()
        params = SendSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        ids = params.validated_data["contact_ids"]
        contacts = list(Contact.objects.filter(agency=self.agency, client=proposal.client, pk__in=ids))
        if len(contacts) != len(set(ids)):
            raise serializers.ValidationError({"contact_ids": ["Unknown contact for this client."]})
        version = sending.proposal_send(agency=self.agency, actor=request.user, proposal=proposal, contacts=contacts,
                                        message=params.validated_data["message"])
        return Response(VersionSerializer({"id": version.pk, "number": version.number,
                                           "content_hash": version.content_hash, "total": version.total,
                                           "delta": None, "created_at": version.created_at}).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={202: JobSerializer}, summary="Start rendering the PDF (Celery job)")
    @action(detail=True, methods=["post"], url_path="render-pdf")
    def render_pdf(self, request, pk=None):
        proposal = self.get_object()
        job = documents.pdf_start(agency=self.agency, actor=request.user, proposal=proposal)
        return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses={(200, "application/pdf"): OpenApiResponse(description="The latest rendered PDF"),
                              404: OpenApiResponse(description="No PDF rendered yet")},
                   summary="Download the latest PDF")
    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        proposal = self.get_object()
        if not proposal.pdf_file:
            raise Http404
        return FileResponse(proposal.pdf_file.open("rb"), as_attachment=True, content_type="application/pdf",
                            filename=f"proposal-{proposal.pk}.pdf")

    @extend_schema(responses={200: VersionSerializer(many=True)}, summary="Sent versions with the change in total")
    # A proposal has a handful of versions: a plain array, neither paginated nor filtered by the list's filters.
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def versions(self, request, pk=None):
        proposal = self.get_object()
        return Response(VersionSerializer(selectors.version_list(proposal=proposal), many=True).data)


class ProposalLineViewSet(AgencyViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                          mixins.CreateModelMixin, mixins.UpdateModelMixin, mixins.DestroyModelMixin,
                          viewsets.GenericViewSet):
    """Estimate lines. Send service + role + hours; the rate and amount always come from the rate card."""

    serializer_class = LineSerializer
    filterset_fields = ["proposal"]
    ordering_fields = ["order"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    lookup_value_regex = "[0-9a-f-]{36}"
    model = EstimateLine
    policy_actions = {"list": "proposal.view", "retrieve": "proposal.view", "create": "proposal.edit",
                      "partial_update": "proposal.edit", "destroy": "proposal.edit"}

    def get_agency_queryset(self):
        visible = selectors.proposal_list(agency=self.agency, membership=self.membership).values("pk")
        return EstimateLine.objects.filter(agency=self.agency, proposal__in=visible).order_by("proposal", "order",
                                                                                              "pk")

    def perform_create(self, serializer):
        data = serializer.validated_data
        optional = bool(data.get("is_optional"))
        serializer.instance = editor.line_add(agency=self.agency, actor=self.request.user, proposal=data["proposal"],
                                              service=data["service"], role=data.get("role"),
                                              hours=data.get("hours"), stage=data.get("stage", ""),
                                              note=data.get("note", ""), quantity=data.get("quantity"),
                                              budget=data.get("budget"), billing=data.get("billing"),
                                              months=data.get("months"), is_optional=optional, offered=optional)
        if "commission_percent" in data or "fee" in data:
            serializer.instance = editor.line_update(
                agency=self.agency, actor=self.request.user, proposal=data["proposal"], line=serializer.instance,
                commission_percent=data.get("commission_percent"), fee=data.get("fee"))

    def perform_update(self, serializer):
        line, data = serializer.instance, serializer.validated_data
        billing = data.get("billing", line.billing if "months" in data else None)
        serializer.instance = editor.line_update(
            agency=self.agency, actor=self.request.user, proposal=line.proposal, line=line, hours=data.get("hours"),
            role=data.get("role"), stage=data.get("stage"), note=data.get("note"), quantity=data.get("quantity"),
            budget=data.get("budget"), commission_percent=data.get("commission_percent"), fee=data.get("fee"),
            billing=billing, months=data.get("months", line.months),
            optional=data.get("is_optional"))

    def perform_destroy(self, instance):
        editor.line_delete(agency=self.agency, actor=self.request.user, proposal=instance.proposal, line=instance)


router.register("catalog/roles", RateRoleViewSet, basename="rate-role")
router.register("catalog/services", ServiceViewSet, basename="catalog-service")
router.register("briefs", BriefViewSet, basename="brief")
router.register("proposals", ProposalViewSet, basename="proposal")
router.register("proposal-lines", ProposalLineViewSet, basename="proposal-line")
router.register("proposal-jobs", ProposalJobViewSet, basename="proposal-job")
