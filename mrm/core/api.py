"""API glue shared by every app: the one place that turns domain errors into HTTP answers."""
import logging

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django_scopes import ScopeError, scopes_disabled
from drf_spectacular.generators import SchemaGenerator as BaseSchemaGenerator
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
