from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from mrm.core.freshness import changes_in

register = template.Library()

CURRENCY_SIGNS = {"RUB": "₽", "USD": "$", "EUR": "€", "KZT": "₸", "BYN": "Br"}
THIN_NBSP = "\u202f"


@register.filter
def money(value, currency: str = "RUB") -> str:
    """1250000 → '1 250 000 ₽' in Russian (narrow no-break spaces, a decimal comma), '1,250,000 ₽' in English;
    kopecks only when present."""
    if value is None or value == "":
        return "—"
    amount = Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    group, point = (",", ".") if (get_language() or "ru").startswith("en") else (THIN_NBSP, ",")
    whole = int(abs(amount))
    text = f"{whole:,}".replace(",", group)
    cents = abs(amount) - whole
    if cents:
        text += point + f"{cents:.2f}"[2:]
    if amount < 0:
        text = "−" + text
    return f"{text}\u00a0{CURRENCY_SIGNS.get(currency or 'RUB', currency)}"


@register.filter
def ago(value) -> str:
    """A short relative time: 'только что', '5 мин назад', '2 ч назад', '3 дн назад'."""
    if not value:
        return "—"
    seconds = int((timezone.now() - value).total_seconds())
    if seconds < 60:
        changes_in(60 - seconds)  # a fragment cache keeps the text only while it is true (mrm.core.freshness)
        return _("just now")
    if seconds < 3600:
        changes_in(60 - seconds % 60)
        return _("%(n)d min ago") % {"n": seconds // 60}
    if seconds < 86400:
        changes_in(3600 - seconds % 3600)
        return _("%(n)d h ago") % {"n": seconds // 3600}
    changes_in(86400 - seconds % 86400)
    return _("%(n)d d ago") % {"n": seconds // 86400}


@register.simple_tag(takes_context=True)
def url_with(context, **params) -> str:
    """The current query string with some parameters replaced (for sort and page links)."""
    query = context["request"].GET.copy()
    for key, value in params.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = value
    if "page" not in params:
        query.pop("page", None)
    return "?" + query.urlencode()
