"""The client page's "KPIs" block: loaded by htmx from `/dashboards/client/<id>/` (with a plain link as the
fallback), so the client page itself runs no query for it."""
from clients.sections import Section, register


def _context(request, client) -> dict:
    from mrm.tenancy.policy import can

    return {"hidden": not can(request.membership, "dashboard.view"), "client_id": client.pk}


register(Section(key="kpis", template="dashboards/client_section.html", column="main", order=9, context=_context,
                 rows=()))
register(Section(key="health", template="dashboards/health_section.html", column="main", order=8, context=_context,
                 rows=()))
