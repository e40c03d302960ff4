from datetime import timedelta
from decimal import Decimal

from django import template
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from mrm.core import numbers

register = template.Library()


@register.filter
def margin(role) -> str:
    """Gross margin of a rate-card role: 1 − cost / rate, in whole percent."""
    rate, cost = Decimal(role.hourly_rate or 0), Decimal(role.cost_rate or 0)
    if not rate:
        return "—"
    return f"{int(((rate - cost) / rate * 100).quantize(Decimal('1')))}\u00a0%"


@register.filter
def hours(value) -> str:
    """Hours in the active locale: 18.0 → '18', 18.5 → '18,5' (ru) / '18.5' (en), 1200 → '1 200' / '1,200'."""
    return numbers.hours_text(value)


@register.filter
def input_number(value) -> str:
    """The value of an <input type="number">: 18.0 → '18', 22.5 → '22.5' (a dot whatever the language)."""
    return numbers.input_number(value)


@register.filter
def seen(value) -> str:
    """'today 18:04', 'yesterday 18:04', or '12 Mar 18:04' in the current time zone."""
    if not value:
        return "—"
    local = timezone.localtime(value)
    today = timezone.localdate()
    clock = local.strftime("%H:%M")
    if local.date() == today:
        return _("today %(time)s") % {"time": clock}
    if local.date() == today - timedelta(days=1):
        return _("yesterday %(time)s") % {"time": clock}
    return f"{formats.date_format(local.date(), 'j E' if local.year == today.year else 'j E Y')} {clock}"


@register.filter
def times(n) -> str:
    n = int(n or 0)
    if n == 1:
        return _("once")
    return _("%(n)d times") % {"n": n}


@register.filter
def duration(seconds) -> str:
    seconds = int(seconds or 0)
    if seconds < 60:
        return _("%(s)d s") % {"s": seconds}
    if seconds < 3600:
        return _("%(m)d min") % {"m": seconds // 60}
    return _("%(h)d h %(m)d min") % {"h": seconds // 3600, "m": seconds % 3600 // 60}


@register.filter
def signed_money(value, currency: str = "RUB") -> str:
    from mrm.core.templatetags.mrm import money

    if value is None:
        return ""
    value = Decimal(value)
    return ("+" if value > 0 else "") + money(value, currency) if value else "±0"
