"""The proposals block on the client page (registered with the CRM's section registry)."""
from clients.block_cache import of_client, through_client
from clients.sections import Section, register


def _context(request, client) -> dict:
    from django.db.models import Max, Sum

    from .models import Brief, Proposal

    # The page's client passed client_get: its proposals and briefs are visible, no second visibility filter,
    # and the block shows neither their client nor their owner (issue 15: 8 → 3 ms).
    proposals = list(Proposal.objects.filter(agency=request.agency, client=client)
                     .annotate(opens=Sum("recipients__open_count"), last_open=Max("recipients__last_opened_at"))
                     .order_by("-created_at")[:5])
    briefs = list(Brief.objects.filter(agency=request.agency, client=client).order_by("-created_at")[:3])
    return {"proposals": proposals, "briefs": briefs}


register(Section(key="proposals", template="proposals/client_section.html", column="main", order=40,
                 context=_context, deferred=True, rows=(
                     of_client("proposals.Proposal"), of_client("proposals.Brief"),
                     through_client("proposals.Recipient", parent="proposals.Proposal", column="proposal_id"))))
