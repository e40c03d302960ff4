"""The staff side's fence against client logins: staff selectors refuse a client membership outright.

A client contact reads only through the portal's own selectors (portal/selectors), which fence by its company and
apply what the agency shares. A staff selector (clients/selectors, projects/selectors*) called with a client
membership is a programming error, so it raises instead of quietly returning "their" rows."""
from django.core.exceptions import PermissionDenied

from .models import Membership, Role


class ClientMembershipRefused(PermissionDenied):
    """A staff selector was asked to read for a client login (answers 403 if it ever reaches a response)."""


def refuse_client(membership: Membership | None) -> None:
    """Raise ClientMembershipRefused for a client membership; let staff (and a missing membership) through."""
    if membership is not None and membership.role == Role.CLIENT:
        raise ClientMembershipRefused("Staff selectors do not read for a client login: use portal/selectors.")
