"""Role checks for HTML views (decorator) and the API (DRF permission classes)."""
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from rest_framework.permissions import BasePermission

from .models import STAFF_ROLES, Role


def member_required(*roles: str):
    """Let through only logged-in members of the current agency with one of `roles` (default: any staff)."""
    allowed = set(roles or STAFF_ROLES)

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            membership = request.membership
            if membership is None:
                return redirect("accounts:no_agency")
            if membership.role == Role.CLIENT and Role.CLIENT not in allowed:
                return redirect("portal:home")
            if membership.role not in allowed:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


director_required = member_required(Role.DIRECTOR)


class IsAgencyMember(BasePermission):
    """API access for staff members of the agency the session or token belongs to."""

    message = "You are not a member of an agency, or your role does not allow this."

    def has_permission(self, request, view) -> bool:
        membership = getattr(request._request, "membership", None)
        return bool(request.user and request.user.is_authenticated and membership and membership.is_staff_member)


class IsDirector(IsAgencyMember):
    message = "Only a director can do this."

    def has_permission(self, request, view) -> bool:
        return super().has_permission(request, view) and request._request.membership.role == Role.DIRECTOR
