"""Resolve the request's agency and run the whole request, rendering included, inside its scope."""
from django_scopes import scope

from .context import client_ip, current_ip
from .selectors import membership_list_for_user

SESSION_AGENCY_KEY = "agency_id"


def _resolve_token(request):
    from mrm.accounts.api_auth import token_from_header, token_resolve

    raw = token_from_header(request)
    if raw is None:
        return None
    token = token_resolve(raw=raw)
    request.api_token = token  # None means "presented but invalid": DRF answers 401
    return token


class AgencyScopeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.agency = None
        request.membership = None
        request.memberships = []
        request.api_token = None
        ip_token = current_ip.set(client_ip(request))
        try:
            self._resolve(request)
            if request.agency is None:
                # No agency, no scope: any tenant query in this request raises ScopeError.
                return self.get_response(request)
            with scope(agency=request.agency):
                return self.get_response(request)
        finally:
            current_ip.reset(ip_token)

    def _resolve(self, request) -> None:
        token = _resolve_token(request)
        if token is not None:
            request.agency, request.membership = token.agency, token.membership
            request.memberships = [token.membership]
            return
        if not request.user.is_authenticated:
            return
        memberships = membership_list_for_user(user=request.user)
        request.memberships = memberships
        if not memberships:
            return
        wanted = request.session.get(SESSION_AGENCY_KEY)
        chosen = next((m for m in memberships if m.agency_id == wanted), memberships[0])
        request.membership, request.agency = chosen, chosen.agency
