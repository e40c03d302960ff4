"""The client page's "Client requests" block: the company's latest requests with an inline answer form, and the
first-reply figures (last, median, share within the agreement). At most five queries whatever the number of requests."""
from clients.block_cache import of_client
from clients.sections import Section, register

SHOWN = 5


def _context(request, client) -> dict:
    from django.db.models import F

    from mrm.core.business_hours import format_minutes
    from mrm.tenancy.policy import can

    from .forms import MessageForm
    from .models import ClientRequest
    from .selectors import client_request_list, response_stats
    from .services import target_minutes

    if not can(request.membership, "request.view"):
        return {"hidden": True}
    # The threads waiting for the agency first (oldest wait on top), then the latest activity.
    rows = list(client_request_list(agency=request.agency, client=client).order_by(
        F("awaiting_since").asc(nulls_last=True), "-last_message_at")[:SHOWN + 1])
    # Waiting threads come first: when every thread is on the block, they are its count (one query fewer).
    waiting = (sum(1 for r in rows if r.awaiting_since) if len(rows) <= SHOWN else ClientRequest.objects.filter(
        agency=request.agency, client=client, awaiting_since__isnull=False).count())
    target = target_minutes(agency=request.agency, client=client)
    stats = response_stats(agency=request.agency, client=client, target=target)
    return {"hidden": False, "requests": rows[:SHOWN], "more": len(rows) > SHOWN, "waiting": waiting,
            "stats": stats, "last_text": format_minutes(stats.last), "median_text": format_minutes(stats.median),
            "target_text": format_minutes(target) if target else "",
            "can_reply": can(request.membership, "request.reply"), "reply_form": MessageForm()}


register(Section(key="requests", template="comms/client_section.html", column="main", order=8, context=_context,
                 rows=(of_client("comms.ClientRequest"), of_client("clients.InteractionAgreement"))))
