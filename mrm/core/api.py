"""API glue shared by every app: the one place that turns domain errors into HTTP answers."""
import logging

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django_scopes import ScopeError, scopes_disabled
from drf_spectacular.generators import SchemaGenerator as BaseSchemaGenerator
from drf_spectacular.openapi import AutoSchema as BaseAutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import ServiceError

logger = logging.getLogger("mrm.api")


def exception_handler(exc, context):
    if isinstance(exc, ServiceError):
        key = exc.field or "detail"
        return Response({key: [exc.message] if exc.field else exc.message, "code": exc.code},
                        status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    if isinstance(exc, exceptions.ValidationError) and not isinstance(exc.detail, dict):
        # Always an object (the documented ValidationError shape): messages not about one field go where
        # DRF puts a serializer's own errors.
        exc = exceptions.ValidationError(detail={"non_field_errors": exc.detail})
    if isinstance(exc, ScopeError):
        # A tenant query ran outside the agency scope: that is a bug in the code, not "someone else's
        # object". Answering 404 would make it look like correct isolation (and hide it from the
        # isolation tests), so it is a logged server error. Selectors answer 404 for foreign objects.
        view = context.get("view")
        logger.error("ScopeError in %s: %s", view.__class__.__name__ if view else "an API view", exc,
                     exc_info=exc)
        return Response({"detail": "Server error.", "code": "scope_error"},
                        status=status.HTTP_500_INTERNAL_SERVER_ERROR)
    if isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    return drf_exception_handler(exc, context)


@csrf_exempt  # it changes nothing; a PATCH to a wrong address must get the JSON 404, not a CSRF page
def api_not_found_view(request, *args, **kwargs):
    """Any /api/ address no route matches (e.g. an id that is not a UUID) answers like the API's own 404:
    JSON with `detail`, as documented, not the HTML error page."""
    return JsonResponse({"detail": str(exceptions.NotFound.default_detail)}, status=404)


class AgencyViewSetMixin:
    """Gives API views the request's agency and membership; the schema generator gets an empty queryset."""

    model = None

    @property
    def agency(self):
        return self.request._request.agency

    @property
    def membership(self):
        return self.request._request.membership

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.model.objects.none()
        return self.get_agency_queryset()

    def get_agency_queryset(self):
        raise NotImplementedError


class SchemaGenerator(BaseSchemaGenerator):
    """drf-spectacular builds a queryset's `.query` to introspect fields; that runs no SQL, so the
    scope guard is lifted for schema building only."""

    def get_schema(self, request=None, public=False):
        with scopes_disabled():
            return super().get_schema(request=request, public=public)


# The bodies exception_handler() answers with, as OpenAPI components.
ERROR_SCHEMA = {
    "type": "object",
    "description": "What went wrong, in the user's language.",
    "properties": {"detail": {"type": "string"}, "code": {"type": "string"}},
    "required": ["detail"],
}
VALIDATION_ERROR_SCHEMA = {
    "type": "object",
    "description": "Field name → list of messages; `non_field_errors` for errors not about one field; a "
                   "domain error has `detail` (or its field) plus a machine-readable `code`.",
    "properties": {
        "non_field_errors": {"type": "array", "items": {"type": "string"}},
        "detail": {"type": "string"},
        "code": {"type": "string"},
    },
    "additionalProperties": True,
}
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class AutoSchema(BaseAutoSchema):
    """drf-spectacular documents only the success answer; this adds the error answers every API operation
    really gives: 400 for writes and for filtered lists, 401/403 (the policy), 404 for detail routes and
    pages past the end, each with the body exception_handler() returns."""

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        params = operation.get("parameters", [])
        query = [p for p in params if p.get("in") == "query"]
        errors = {
            "401": ("Not authenticated: no, an invalid or a revoked API key.", "Error"),
            "403": ("Your role does not allow this (mrm/tenancy/policy.py), or you are not staff.", "Error"),
        }
        if self.method in WRITE_METHODS or query:
            errors["400"] = ("Invalid input: the fields and their messages.", "ValidationError")
        if any(p.get("in") == "path" for p in params) or any(p.get("name") == "page" for p in query):
            errors["404"] = ("Not found, or not yours (another agency's object answers the same).", "Error")
        responses = operation["responses"]
        for code, (description, component) in sorted(errors.items()):
            if code not in responses:
                responses[code] = {"content": {"application/json": {"schema": self._error_ref(component)}},
                                   "description": description}
        return operation

    def _error_ref(self, name: str) -> dict:
        schema = ERROR_SCHEMA if name == "Error" else VALIDATION_ERROR_SCHEMA
        component = ResolvedComponent(name=name, type=ResolvedComponent.SCHEMA, object=name, schema=schema)
        self.registry.register_on_missing(component)
        return component.ref
