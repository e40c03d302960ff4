"""Enforcing the policy (mrm/tenancy/policy.py): the HTML view decorator and the one DRF permission class."""
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.shortcuts import redirect
from rest_framework.permissions import BasePermission

from .models import Role
from .policy import can, roles_for


def member_required(action: str):
    """Let through only logged-in members of the current agency whose role may do `action` (a policy action).

    A client contact who may not is sent to the portal, anyone else who may not gets 403."""
    if not isinstance(action, str) or isinstance(action, Role) or "." not in action:
        raise TypeError("member_required takes a policy action such as 'client.edit' (mrm/tenancy/policy.py), "
                        f"not {action!r}")
    roles_for(action)  # an unknown action fails at import time, not on the first request

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            membership = request.membership
            if membership is None:
                return redirect("accounts:no_agency")
            if can(membership, action):
                return view(request, *args, **kwargs)
            if membership.role == Role.CLIENT:
                return redirect("portal:home")
            raise PermissionDenied

        wrapped.policy_action = action
        return wrapped

    return decorator


def view_policy_action(view) -> str | None:
    """The policy action a view function was decorated with (None for public and login-only views)."""
    return getattr(view, "policy_action", None)


# SimpleMetadata (OPTIONS) re-checks permissions on a clone of the request with these methods.
_METADATA_CLONES = {"POST": "create", "PUT": "update"}


def api_policy_action(view, request) -> str | None:
    """The policy action a DRF request asks for, from the view's `policy_actions` map.

    Viewsets are keyed by DRF action (`list`, `partial_update`, `send`, …), plain API views by the
    lower-case method. None means the method is not routed here: the view answers 405."""
    mapping = getattr(view, "policy_actions", None)
    if mapping is None:
        raise ImproperlyConfigured(f"{view.__class__.__name__} has no policy_actions (mrm/tenancy/policy.py)")
    if request.method.lower() not in view.http_method_names:
        return None
    if hasattr(view, "action_map"):
        name = view.action
        if name is None:
            return None
        if name == "metadata":
            name = _METADATA_CLONES.get(request.method) or ("retrieve" if "retrieve" in mapping else "list")
            return mapping.get(name)
    else:
        name = request.method.lower()
        if name == "head":
            name = "get"
        if name == "options":
            name = "get"
        if name not in mapping:
            return None
    try:
        return mapping[name]
    except KeyError:
        raise ImproperlyConfigured(f"{view.__class__.__name__}.policy_actions has no entry for {name!r}") from None


class PolicyPermission(BasePermission):
    """The API's only permission class: staff members of the request's agency whose role the policy allows.

    Client contacts (portal users) never reach the staff API, whatever the action."""

    message = "You are not a member of an agency, or your role does not allow this."

    def has_permission(self, request, view) -> bool:
        membership = getattr(request._request, "membership", None)
        if not (request.user and request.user.is_authenticated and membership and membership.is_staff_member):
            return False
        action = api_policy_action(view, request)
        if action is None:
            return True
        if not can(membership, action):
            self.message = f"Your role does not allow this ({action})."
            return False
        return True
