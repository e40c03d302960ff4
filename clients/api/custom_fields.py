"""Custom fields in the API: the `custom_fields` object on clients, contacts and deals, and the read-only list
of the agency's definitions (`/api/v1/custom-fields/`) so an integration knows the keys and types."""
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.fields import empty

from mrm.api_urls import router
from mrm.core.api import AgencyViewSetMixin

from ..models import CustomField
from ..selectors.custom_fields import custom_field_defs, custom_field_list
from ..services.custom_fields import CustomValuesInvalid, custom_values_clean


def _defs(context, entity: str) -> list[CustomField]:
    """The active definitions, read once per request (a list of 100 records costs one query, not 100)."""
    request = context["request"]._request
    cache = request.__dict__.setdefault("_custom_field_defs", {})
    if entity not in cache:
        cache[entity] = custom_field_defs(agency=request.agency, entity=entity)
    return cache[entity]


@extend_schema_field(OpenApiTypes.OBJECT)
class CustomFieldsField(serializers.Field):
    """`{"key": value}`: reads the record's values of active fields; a write is a patch (null or "" removes a
    value, other keys stay) checked like the forms: 400 with one message per key."""

    def __init__(self, *, entity: str, **kwargs):
        kwargs.setdefault("source", "custom")
        kwargs.setdefault("required", False)
        self.entity = entity
        super().__init__(**kwargs)

    def get_value(self, dictionary):
        value = super().get_value(dictionary)
        if value is empty and getattr(self.parent, "instance", None) is None and not self.parent.partial:
            return {}  # a create without the object still has to satisfy the required fields
        return value

    def to_representation(self, value):
        value = value or {}
        return {d.key: value[d.key] for d in _defs(self.context, self.entity) if d.key in value}

    def to_internal_value(self, data):
        instance = getattr(self.parent, "instance", None)
        current = instance.custom if instance is not None and not isinstance(instance, list) else {}
        try:
            custom_values_clean(defs=_defs(self.context, self.entity), values=data, current=current)
        except CustomValuesInvalid as exc:
            raise serializers.ValidationError({k: [v] for k, v in exc.errors.items()}) from None
        return data


class CustomFieldSerializer(serializers.ModelSerializer):
    class Meta:
        model = CustomField
        fields = ["id", "entity", "key", "label", "kind", "choices", "required", "order"]
        read_only_fields = fields


class CustomFieldViewSet(AgencyViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """The agency's active custom fields (directors manage them in the settings)."""

    serializer_class = CustomFieldSerializer
    filterset_fields = ["entity", "kind"]
    pagination_class = None
    policy_actions = {"list": "client.view", "retrieve": "client.view"}
    lookup_value_regex = "[0-9a-f-]{36}"
    model = CustomField

    def get_agency_queryset(self):
        return custom_field_list(agency=self.agency)


router.register("custom-fields", CustomFieldViewSet, basename="custom-field")
