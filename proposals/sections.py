"""The proposals block on the client page (registered with the CRM's section registry)."""
from clients.sections import Section, register


def _context(request, client) -> dict:
    from django.db.models import Max, Sum

    from .selectors import brief_list, proposal_list

    proposals = list(proposal_list(agency=request.agency, membership=request.membership).filter(client=client)
                     .annotate(opens=Sum("recipients__open_count"), last_open=Max("recipients__last_opened_at"))
                     .order_by("-created_at")[:5])
    briefs = list(brief_list(agency=request.agency, membership=request.membership).filter(client=client)
                  .order_by("-created_at")[:3])
    return {"proposals": proposals, "briefs": briefs}


register(Section(key="proposals", template="proposals/client_section.html", column="main", order=40,
                 context=_context, deferred=True))
