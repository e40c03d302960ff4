from decimal import ROUND_HALF_UP, Decimal

from django import template

from mrm.core.numbers import EMPTY, number_text, to_decimal

register = template.Library()


@register.filter
def figure(value, places: int = 0) -> str:
    """A count or a ratio in the active locale: 1 250 000, 3,45; «—» when there is none (no division)."""
    number = to_decimal(value)
    if number is None:
        return EMPTY
    quantum = Decimal(1).scaleb(-int(places))
    return number_text(number.quantize(quantum, rounding=ROUND_HALF_UP))


@register.filter
def percent(value) -> str:
    number = to_decimal(value)
    return EMPTY if number is None else f"{figure(number, 2)}\u00a0%"
