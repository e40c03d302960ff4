from rest_framework import serializers, viewsets

from mrm.api_urls import router
from mrm.core.api import AgencyViewSetMixin

from ..models import Contact
from ..selectors.contacts import contact_list
from ..services import contacts as services
from ..validators import clean_phone, clean_telegram
from ._fields import VisibleClientField
from .custom_fields import CustomFieldsField


class ContactSerializer(serializers.ModelSerializer):
    client = VisibleClientField()
    custom_fields = CustomFieldsField(entity="contact")

    class Meta:
        model = Contact
        fields = ["id", "client", "full_name", "role", "position", "email", "phone", "telegram", "preferred_channel",
                  "notes", "is_primary", "custom_fields", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]

    def validate_phone(self, value: str) -> str:
        return _django_to_drf(clean_phone, value)

    def validate_telegram(self, value: str) -> str:
        return _django_to_drf(clean_telegram, value)

    def validate_client(self, value):
        if self.instance is not None and value.pk != self.instance.client_id:
            raise serializers.ValidationError("A contact cannot move to another client.")
        return value


def _django_to_drf(clean, value):
    from django.core.exceptions import ValidationError

    try:
        return clean(value)
    except ValidationError as exc:
        raise serializers.ValidationError(exc.messages) from exc


class ContactViewSet(AgencyViewSetMixin, viewsets.ModelViewSet):
    """Contacts at the clients the caller may see; directors and AMs may create and change them."""

    serializer_class = ContactSerializer
    filterset_fields = ["client", "role", "is_primary", "preferred_channel"]
    search_fields = ["full_name", "email", "phone", "position"]
    ordering_fields = ["full_name", "created_at"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    policy_actions = {"list": "contact.view", "retrieve": "contact.view", "create": "contact.edit",
                      "partial_update": "contact.edit"}
    lookup_value_regex = "[0-9a-f-]{36}"
    model = Contact

    def get_agency_queryset(self):
        return contact_list(agency=self.agency, membership=self.membership).order_by("-is_primary", "full_name", "pk")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        client = data.pop("client")
        serializer.instance = services.contact_create(agency=self.agency, actor=self.request.user, client=client,
                                                      data=data)

    def perform_update(self, serializer):
        data = {k: v for k, v in serializer.validated_data.items() if k != "client"}
        serializer.instance = services.contact_update(agency=self.agency, actor=self.request.user,
                                                      contact=serializer.instance, data=data)


router.register("contacts", ContactViewSet, basename="contact")
