"""/api/v1/portal-access/: the portal state of the contacts the caller may see, and invite / revoke by contact id
(the same services and selectors as the client page block). Staff only, like the whole API."""
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from clients.models import Contact
from clients.selectors.contacts import contact_list
from mrm.api_urls import router
from mrm.core.api import AgencyViewSetMixin

from .selectors.access import portal_access_rows
from .services import access as services


class PortalAccessSerializer(serializers.Serializer):
    contact = serializers.UUIDField(source="contact.pk", read_only=True)
    client = serializers.UUIDField(source="contact.client_id", read_only=True)
    full_name = serializers.CharField(source="contact.full_name", read_only=True)
    email = serializers.CharField(source="contact.email", read_only=True)
    state = serializers.ChoiceField(choices=["none", "invited", "expired", "active"], read_only=True)
    is_portal_admin = serializers.SerializerMethodField()
    invitation_expires_at = serializers.SerializerMethodField()

    def get_is_portal_admin(self, row) -> bool:
        return bool(row["login"] and row["login"].is_portal_admin)

    def get_invitation_expires_at(self, row) -> str | None:
        invitation = row["invitation"]
        return invitation.expires_at.isoformat() if invitation is not None and row["state"] != "active" else None


class PortalInviteSerializer(serializers.Serializer):
    portal_admin = serializers.BooleanField(default=False, help_text="May invite colleagues from the portal.")


class PortalAccessViewSet(AgencyViewSetMixin, viewsets.GenericViewSet):
    """Portal access per contact (id = the contact's id); `?client=<id>` lists one company's contacts."""

    serializer_class = PortalAccessSerializer
    http_method_names = ["get", "post", "head", "options"]
    policy_actions = {"list": "contact.view", "retrieve": "contact.view", "invite": "portal.access_manage",
                      "revoke": "portal.access_manage"}
    lookup_value_regex = "[0-9a-f-]{36}"
    model = Contact

    def get_agency_queryset(self):
        qs = contact_list(agency=self.agency, membership=self.membership).order_by("full_name", "pk")
        client = self.request.query_params.get("client")
        if client:
            try:
                qs = qs.filter(client_id=serializers.UUIDField().to_internal_value(client))
            except serializers.ValidationError:
                qs = qs.none()
        return qs

    def _row(self, contact):
        return portal_access_rows(agency=self.agency, contacts=[contact])[0]

    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        rows = portal_access_rows(agency=self.agency, contacts=list(page))
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)

    def retrieve(self, request, pk=None):
        return Response(self.get_serializer(self._row(self.get_object())).data)

    @extend_schema(request=PortalInviteSerializer, responses=PortalAccessSerializer)
    @action(detail=True, methods=["post"])
    def invite(self, request, pk=None):
        """E-mail the contact a portal invitation (a new one replaces a pending one)."""
        contact = self.get_object()
        body = PortalInviteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.portal_invite(agency=self.agency, actor=request.user, contact=contact,
                               portal_admin=body.validated_data["portal_admin"])
        return Response(self.get_serializer(self._row(contact)).data)

    @extend_schema(request=None, responses=PortalAccessSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        """Withdraw the pending invitation and end the contact's portal access and sessions."""
        contact = self.get_object()
        services.portal_access_revoke(agency=self.agency, actor=request.user, contact=contact)
        return Response(self.get_serializer(self._row(contact)).data)


router.register("portal-access", PortalAccessViewSet, basename="portal-access")
