from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from mrm.core.templatetags.mrm import money

from ..charts import trend_svg

register = template.Library()

STATUS_TEXT = {"green": (gettext_noop("On target"), "ti-circle-check"),
               "amber": (gettext_noop("Close to target"), "ti-alert-triangle"),
               "red": (gettext_noop("Off target"), "ti-alert-octagon"), "none": (gettext_noop("No data"), "ti-minus")}


def _number(value: Decimal) -> str:
    """One decimal at most, rounded half up (`number_format` alone would cut 3.67 to 3,6)."""
    value = Decimal(value).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return number_format(value, decimal_pos=0 if value == value.to_integral_value() else 1, use_l10n=True)


@register.filter
def kpi_value(value, unit: str) -> str:
    """A KPI value with its unit: 87,5 %, 42 pts, 1,5 h, 4,6 of 5, 125 000 ₽; "—" without data."""
    if value is None or value == "":
        return "—"
    if unit == "%":
        return f"{_number(value)}\u00a0%"
    if unit == "pts":
        return _number(value)
    if unit == "h":
        return f"{_number(value)}\u00a0{_('h')}"
    if unit == "1–5":
        return _("%(value)s of 5") % {"value": _number(value)}
    return money(value, unit)


@register.filter
def kpi_delta(value, unit: str) -> str:
    """A change with its sign: +2,5 pp, −0,3 h, +12 000 ₽."""
    if value is None:
        return ""
    sign = "+" if value > 0 else "−" if value < 0 else "±"
    magnitude = abs(Decimal(value))
    if unit == "%":
        return f"{sign}{_number(magnitude)}\u00a0{_('pp')}"
    if unit in ("pts", "h", "1–5"):
        return f"{sign}{kpi_value(magnitude, unit)}"
    return f"{sign}{money(magnitude, unit)}"


@register.filter
def kpi_growth(value) -> str:
    """A relative change: +12,5 % (not percentage points)."""
    if value is None:
        return "—"
    sign = "+" if value > 0 else "−" if value < 0 else "±"
    return f"{sign}{_number(abs(Decimal(value)))}\u00a0%"


@register.simple_tag
def status_text(status: str) -> str:
    return _(STATUS_TEXT.get(status, STATUS_TEXT["none"])[0])


@register.simple_tag
def status_icon(status: str) -> str:
    return STATUS_TEXT.get(status, STATUS_TEXT["none"])[1]


@register.simple_tag
def trend_chart(tile, chart_id: str):
    unit = {"pts": _("pts"), "h": _("h")}.get(tile.unit, tile.unit)
    return trend_svg(points=tile.trend, target=tile.target if tile.metric != "revenue" else None, unit=unit,
                     title=str(tile.title), chart_id=chart_id)


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None
