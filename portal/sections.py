"""The NPS block of the staff client page (registered with the CRM's section registry): the company's current
NPS, the latest answers and the way to the full history and "send a survey now"."""
from clients.block_cache import of_client
from clients.sections import Section, register


def _context(request, client) -> dict:
    from clients.models import Contact
    from mrm.tenancy.policy import can

    from .selectors.nps import nps_client_current, nps_response_list

    if not can(request.membership, "nps.view"):
        return {"visible": False}
    answers = list(nps_response_list(agency=request.agency, membership=request.membership, client=client)[:5])
    can_send = can(request.membership, "nps.send")
    contacts = list(Contact.objects.filter(agency=request.agency, client=client).exclude(email="")
                    .order_by("-is_primary", "full_name")[:50]) if can_send else []
    return {"visible": True, "score": nps_client_current(agency=request.agency, client=client), "answers": answers,
            "can_send": can_send, "contacts": contacts}


register(Section(key="nps", template="portal/nps_client_section.html", column="side", order=60, context=_context,
                 deferred=True, rows=(of_client("portal.NpsResponse"), of_client("clients.Contact"))))
