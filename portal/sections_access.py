"""The "Client portal" block of the staff client page: the company's contacts with their portal state and the
invite / resend / revoke buttons (registered with the CRM's section registry from PortalConfig.ready)."""
from clients.block_cache import of_client, through_client
from clients.sections import Section, register


def _context(request, client) -> dict:
    from mrm.tenancy.policy import can

    from .selectors.access import client_portal_access

    if not can(request.membership, "contact.view"):
        return {"hidden": True}
    return {"hidden": False, "rows": client_portal_access(agency=request.agency, client=client),
            "can_manage": can(request.membership, "portal.access_manage"),
            "client_invites": request.agency.portal_client_invites}


SECTION = Section(key="portal_access", template="portal/access/client_section.html", column="side", order=15,
                  context=_context, deferred=True, rows=(
                      of_client("clients.Contact"),
                      through_client("tenancy.Invitation", parent="clients.Contact", column="contact_id")))
register(SECTION)
