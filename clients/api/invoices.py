from django.http import FileResponse, Http404
from django.urls import reverse
from drf_spectacular.utils import OpenApiTypes, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from mrm.api_urls import router
from mrm.core.api import AgencyViewSetMixin

from ..models import Contact, Invoice
from ..selectors.documents import invoice_list
from ..services import billing
from ..services import invoices as services
from ._fields import DealField, VisibleClientField


class RequisitesSerializer(serializers.Serializer):
    legal_name = serializers.CharField()
    inn = serializers.CharField()
    kpp = serializers.CharField()
    legal_address = serializers.CharField()


class SupplierSerializer(RequisitesSerializer):
    ogrn = serializers.CharField()
    bank_name = serializers.CharField()
    bik = serializers.CharField()
    correspondent_account = serializers.CharField()
    settlement_account = serializers.CharField()
    signatory_name = serializers.CharField()
    signatory_title = serializers.CharField()
    vat_mode = serializers.CharField()


class DocumentRequisitesSerializer(serializers.Serializer):
    supplier = SupplierSerializer(help_text="The agency's legal details as printed on the document.")
    buyer = RequisitesSerializer(help_text="The client's requisites (legal name falls back to the client's name).")


class InvoiceSerializer(serializers.ModelSerializer):
    client = VisibleClientField()
    deal = DealField(required=False, allow_null=True)
    vat_rate = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=0, max_value=100, required=False,
                                        help_text="Percent; the agency's rate when omitted.")

    class Meta:
        model = Invoice
        fields = ["id", "client", "deal", "kind", "number", "issued_on", "due_on", "paid_on", "amount", "vat_rate",
                  "vat_amount", "total", "currency", "status", "description", "total_in_words", "has_pdf", "sent_at",
                  "created_at", "updated_at"]
        read_only_fields = ["id", "vat_amount", "total", "currency", "sent_at", "created_at", "updated_at"]
        extra_kwargs = {"number": {"required": False, "allow_blank": True,
                                   "help_text": "Omit to take the next number of the kind in the issue year."}}
        # The service answers a duplicate number with a clear 400 (per agency and kind).
        validators = []

    total_in_words = serializers.SerializerMethodField(help_text="The total in Russian words, as printed.")
    has_pdf = serializers.SerializerMethodField(help_text="A PDF was generated: GET .../pdf/ downloads it.")

    def get_total_in_words(self, obj) -> str:
        from ..requisites import amount_in_words

        return amount_in_words(obj.total, obj.currency)

    def get_has_pdf(self, obj) -> bool:
        return bool(obj.pdf_file)

    def validate_number(self, value: str) -> str:
        value = " ".join((value or "").split())
        if not value and self.instance is not None:
            raise serializers.ValidationError("An issued document keeps its number.")
        return value

    def validate(self, attrs):
        client = attrs.get("client") or getattr(self.instance, "client", None)
        if self.instance is not None and "client" in attrs and attrs["client"].pk != self.instance.client_id:
            raise serializers.ValidationError({"client": "An invoice cannot move to another client."})
        deal = attrs.get("deal")
        if deal is not None and deal.client_id != client.pk:
            raise serializers.ValidationError({"deal": "The deal must belong to this client."})
        return attrs


class InvoiceSendSerializer(serializers.Serializer):
    contacts = serializers.ListField(child=serializers.UUIDField(), allow_empty=False,
                                     help_text="Ids of the client's contacts to e-mail the PDF to.")
    message = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class InvoiceJobSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    status = serializers.CharField()
    progress = serializers.IntegerField()
    status_url = serializers.SerializerMethodField(help_text="The job's progress (HTML partial) to poll.")

    def get_status_url(self, job) -> str:
        return reverse("jobs:status", args=[job.pk])


class InvoiceViewSet(AgencyViewSetMixin, viewsets.ModelViewSet):
    """Invoices and acts of the clients the caller may see (directors and AMs only); VAT and total are computed."""

    serializer_class = InvoiceSerializer
    filterset_fields = {"client": ["exact"], "status": ["exact"], "kind": ["exact"],
                        "issued_on": ["gte", "lte"], "paid_on": ["gte", "lte"]}
    search_fields = ["number", "description"]
    ordering_fields = ["issued_on", "due_on", "paid_on", "total", "created_at"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    policy_actions = {"list": "invoice.view", "retrieve": "invoice.view", "create": "invoice.edit",
                      "partial_update": "invoice.edit", "requisites": "invoice.view", "render_pdf": "invoice.edit",
                      "pdf": "invoice.view", "send": "invoice.send"}
    lookup_value_regex = "[0-9a-f-]{36}"
    model = Invoice

    def get_agency_queryset(self):
        return invoice_list(agency=self.agency, membership=self.membership)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        client = data.pop("client")
        serializer.instance = services.invoice_create(agency=self.agency, actor=self.request.user, client=client,
                                                      data=data)

    def perform_update(self, serializer):
        data = {k: v for k, v in serializer.validated_data.items() if k != "client"}
        serializer.instance = services.invoice_update(agency=self.agency, actor=self.request.user,
                                                      invoice=serializer.instance, data=data)

    @extend_schema(responses=DocumentRequisitesSerializer)
    @action(detail=True, methods=["get"])
    def requisites(self, request, pk=None):
        """Both sides' legal details as the document prints them."""
        invoice = self.get_object()
        supplier = billing.legal_details_get(agency=self.agency)
        buyer = invoice.client
        data = {"supplier": {f: getattr(supplier, f) for f in SupplierSerializer().fields},
                "buyer": {"legal_name": buyer.legal_name or buyer.name, "inn": buyer.inn, "kpp": buyer.kpp,
                          "legal_address": buyer.legal_address}}
        if not data["supplier"]["legal_name"]:
            data["supplier"]["legal_name"] = self.agency.name
        return Response(DocumentRequisitesSerializer(data).data)

    @extend_schema(request=None, responses={202: InvoiceJobSerializer})
    @action(detail=True, methods=["post"], url_path="render-pdf")
    def render_pdf(self, request, pk=None):
        """Queue the PDF of the invoice or act; poll the job's `status_url`, then GET `.../pdf/`."""
        job = billing.invoice_pdf_start(agency=self.agency, actor=request.user, invoice=self.get_object())
        return Response(InvoiceJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        """The last generated PDF (404 until one was generated)."""
        invoice = self.get_object()
        if not invoice.pdf_file:
            raise Http404
        return FileResponse(invoice.pdf_file.open("rb"), as_attachment=True,
                            filename=billing.document_filename(invoice), content_type="application/pdf")

    @extend_schema(request=InvoiceSendSerializer, responses=None)
    @action(detail=True, methods=["post"])
    def send(self, request, pk=None):
        """E-mail the PDF to contacts of the invoice's client; a draft becomes "sent"."""
        invoice = self.get_object()
        payload = InvoiceSendSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        wanted = set(payload.validated_data["contacts"])
        contacts = list(Contact.objects.filter(agency=self.agency, client=invoice.client, pk__in=wanted))
        if len(contacts) != len(wanted):
            raise serializers.ValidationError({"contacts": ["Every contact must belong to the invoice's client."]})
        invoice = billing.invoice_send(agency=self.agency, actor=request.user, invoice=invoice, contacts=contacts,
                                       message=payload.validated_data.get("message", ""))
        return Response(self.get_serializer(invoice).data)


router.register("invoices", InvoiceViewSet, basename="invoice")
