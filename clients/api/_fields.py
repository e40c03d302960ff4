"""Serializer fields that only accept objects the caller may see (another agency's id reads as "does not exist")."""
from rest_framework import serializers

from ..models import Contact, Deal, Interaction
from ..selectors import client_list


def _request(field):
    return field.context["request"]._request


class VisibleClientField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        request = _request(self)
        return client_list(agency=request.agency, membership=request.membership)


class ClientScopedField(serializers.PrimaryKeyRelatedField):
    """A contact, deal or interaction of the agency; the serializer checks it belongs to the same client."""

    model = None

    def get_queryset(self):
        return self.model.objects.filter(agency=_request(self).agency)


class ContactField(ClientScopedField):
    model = Contact


class DealField(ClientScopedField):
    model = Deal


class InteractionField(ClientScopedField):
    model = Interaction
