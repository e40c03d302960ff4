"""`{% open_alert_count_for_member as n %}`: the member's open, unacknowledged alerts (one COUNT query, cached until the agency's alerts change), for the menu
badge in templates/projects/_alerts_menu.html."""
from django import template

from ..alerts.selectors import open_alert_badge

register = template.Library()


@register.simple_tag(takes_context=True)
def open_alert_count_for_member(context) -> int:
    request = context.get("request")
    agency, membership = getattr(request, "agency", None), getattr(request, "membership", None)
    if agency is None or membership is None:
        return 0
    return open_alert_badge(agency=agency, membership=membership)
