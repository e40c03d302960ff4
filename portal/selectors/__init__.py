"""The portal's own selector layer: a second fence on top of agency scoping.

Every portal read goes through `portal_fence()`: the rows of the agency **and** of the company of the client
login's `Contact` (Membership.contact), nothing for a staff login or a client login without a contact. Each portal
area keeps its selectors in a module of this package (`portal/selectors/<area>.py`) built on these two helpers;
what a client may see beyond the company fence (`client_visible`, sent/published states) is applied there.
"""
from django.db.models import QuerySet
from django.http import Http404

from clients.models import Client, Contact
from mrm.tenancy.models import Agency, Membership, Role


def is_portal_login(membership: Membership | None) -> bool:
    return bool(membership and membership.role == Role.CLIENT and membership.contact_id)


def portal_company_ids(*, agency: Agency, membership: Membership) -> QuerySet:
    """A subquery of the one company id a client login may see (empty for anyone else)."""
    if not is_portal_login(membership):
        return Contact.objects.none().values("client_id")
    return Contact.objects.filter(agency=agency, pk=membership.contact_id).values("client_id")


def portal_fence(queryset: QuerySet, *, agency: Agency, membership: Membership, client_field: str = "client") -> QuerySet:
    """`queryset` limited to the agency and to the client login's company through `client_field`
    (a path to the Client foreign key, e.g. "client" or "project__client")."""
    if not is_portal_login(membership):
        return queryset.none()
    return queryset.filter(agency=agency, **{f"{client_field}_id__in": portal_company_ids(
        agency=agency, membership=membership)})


def portal_company(*, agency: Agency, membership: Membership) -> Client:
    """The client login's company; 404 for a login that has none (a staff login, a removed contact)."""
    company = Client.objects.filter(agency=agency, pk__in=portal_company_ids(
        agency=agency, membership=membership)).select_related("owner").first()
    if company is None:
        raise Http404
    return company
