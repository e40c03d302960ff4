from rest_framework import serializers, viewsets

from mrm.api_urls import router
from mrm.core.api import AgencyViewSetMixin

from ..models import Invoice
from ..selectors.documents import invoice_list
from ..services import invoices as services
from ._fields import DealField, VisibleClientField


class InvoiceSerializer(serializers.ModelSerializer):
    client = VisibleClientField()
    deal = DealField(required=False, allow_null=True)
    vat_rate = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=0, max_value=100, required=False,
                                        help_text="Percent; the agency's rate when omitted.")

    class Meta:
        model = Invoice
        fields = ["id", "client", "deal", "kind", "number", "issued_on", "due_on", "paid_on", "amount", "vat_rate",
                  "vat_amount", "total", "currency", "status", "description", "created_at", "updated_at"]
        read_only_fields = ["id", "vat_amount", "total", "currency", "created_at", "updated_at"]
        # The service answers a duplicate number with a clear 400 (per agency and kind).
        validators = []

    def validate(self, attrs):
        client = attrs.get("client") or getattr(self.instance, "client", None)
        if self.instance is not None and "client" in attrs and attrs["client"].pk != self.instance.client_id:
            raise serializers.ValidationError({"client": "An invoice cannot move to another client."})
        deal = attrs.get("deal")
        if deal is not None and deal.client_id != client.pk:
            raise serializers.ValidationError({"deal": "The deal must belong to this client."})
        return attrs


class InvoiceViewSet(AgencyViewSetMixin, viewsets.ModelViewSet):
    """Invoices and acts of the clients the caller may see (directors and AMs only); VAT and total are computed."""

    serializer_class = InvoiceSerializer
    filterset_fields = {"client": ["exact"], "status": ["exact"], "kind": ["exact"],
                        "issued_on": ["gte", "lte"], "paid_on": ["gte", "lte"]}
    search_fields = ["number", "description"]
    ordering_fields = ["issued_on", "due_on", "paid_on", "total", "created_at"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    policy_actions = {"list": "invoice.view", "retrieve": "invoice.view", "create": "invoice.edit",
                      "partial_update": "invoice.edit"}
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


router.register("invoices", InvoiceViewSet, basename="invoice")
