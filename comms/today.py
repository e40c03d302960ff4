"""The Today block "Client requests waiting for a reply": portal (and later e-mail/Telegram) request threads whose
last client message is not answered yet, with the business time waited against the agreement ("2 h 10 min of
4 h"). The CRM's own "Waiting for your reply" block lists logged interactions; this one lists request threads."""
from mrm.core.business_hours import format_minutes
from mrm.core.url_makers import url_maker


def waiting_requests_section(request) -> dict:
    from mrm.tenancy.policy import can

    from .selectors import waiting_requests

    if not can(request.membership, "request.view"):
        return {"template": "comms/today_requests.html", "key": "client-requests", "width": "col-xl-6",
                "hidden": True}
    rows, count, capped = waiting_requests(agency=request.agency, membership=request.membership)
    detail = url_maker("comms:request_detail")  # not a reverse() per row (issue 15)
    items = [{"w": w, "url": detail(w.thread.pk), "elapsed_text": format_minutes(w.elapsed),
              "target_text": format_minutes(w.target) if w.target else ""} for w in rows]
    return {"template": "comms/today_requests.html", "key": "client-requests", "width": "col-xl-6",
            "hidden": False, "items": items, "count": count, "capped": capped,
            "more": max(count - len(items), 0)}


def _register() -> None:
    from mrm.core.views import TODAY_SECTIONS

    if waiting_requests_section in TODAY_SECTIONS:
        return
    # Beside the CRM's "Waiting for your reply" block when it is there (both are about clients waiting).
    names = [getattr(s, "__name__", "") for s in TODAY_SECTIONS]
    at = names.index("unanswered_section") + 1 if "unanswered_section" in names else len(TODAY_SECTIONS)
    TODAY_SECTIONS.insert(at, waiting_requests_section)


_register()
