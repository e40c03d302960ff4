"""`{% calendar_feed_card %}`: the profile page's card to create or revoke the personal iCal address."""
from django import template

from ..selectors.calendar import calendar_feed_active

register = template.Library()


@register.inclusion_tag("clients/calendar_feed_card.html", takes_context=True)
def calendar_feed_card(context) -> dict:
    from ..views.calendar import SESSION_NEW_URL

    request = context["request"]
    membership = getattr(request, "membership", None)
    if membership is None or not membership.is_staff_member:
        return {"show": False}
    return {
        "show": True, "request": request, "csrf_token": context.get("csrf_token"),
        "feed": calendar_feed_active(agency=request.agency, user=request.user),
        # The full address is shown once, right after it was made (only its hash is stored).
        "new_url": request.session.pop(SESSION_NEW_URL, None),
    }
