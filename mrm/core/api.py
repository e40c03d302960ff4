"""API glue shared by every app: the one place that turns domain errors into HTTP answers."""
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django_scopes import ScopeError, scopes_disabled
from drf_spectacular.generators import SchemaGenerator as BaseSchemaGenerator
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import ServiceError


def exception_handler(exc, context):
    if isinstance(exc, ServiceError):
        key = exc.field or "detail"
        return Response({key: [exc.message] if exc.field else exc.message, "code": exc.code},
                        status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    if isinstance(exc, ScopeError):
        # Never leak that the object exists elsewhere: an unscoped query means "not yours".
        exc = Http404()
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
