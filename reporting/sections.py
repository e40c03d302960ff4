"""The data sources block on the client page (registered with the CRM's section registry)."""
from clients.block_cache import of_client
from clients.sections import Section, register

SHOWN = 5


def _context(request, client) -> dict:
    from mrm.tenancy.policy import can

    from .selectors import source_list

    if not can(request.membership, "reporting.view"):
        return {"hidden": True, "sources": [], "count": 0, "more": 0}
    qs = source_list(agency=request.agency, membership=request.membership, client=client).order_by("name", "id")
    sources = list(qs[:SHOWN + 1])
    more = 0
    if len(sources) > SHOWN:
        more = qs.count() - SHOWN
        sources = sources[:SHOWN]
    return {"hidden": False, "sources": sources, "count": len(sources) + more, "more": more,
            "can_manage": can(request.membership, "reporting.manage")}


register(Section(key="reporting", template="reporting/client_section.html", column="main", order=45,
                 context=_context, deferred=True, rows=(of_client("reporting.DataSource"),)))
