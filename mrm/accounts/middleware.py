import zoneinfo

from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone


class UserTimezoneMiddleware:
    """Show times in the user's own time zone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        tz = getattr(request.user, "timezone", None) if request.user.is_authenticated else None
        try:
            timezone.activate(zoneinfo.ZoneInfo(tz)) if tz else timezone.deactivate()
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            timezone.deactivate()
        return self.get_response(request)


class Require2FAMiddleware:
    """Where the agency makes two-factor mandatory, staff must set it up and pass it before anything else."""

    ALLOWED_PREFIXES = (
        "/accounts/login", "/accounts/logout", "/accounts/two-factor", "/accounts/password/reset",
        "/accounts/invite", "/accounts/language", "/static/", "/media/", "/healthz",
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        agency, membership = request.agency, request.membership
        if (
            agency is not None and agency.require_2fa and membership is not None and membership.is_staff_member
            and request.api_token is None and not request.user.is_verified()
            and not request.path.startswith(self.ALLOWED_PREFIXES)
        ):
            return redirect(reverse("accounts:two_factor"))
        return self.get_response(request)
