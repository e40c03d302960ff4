"""Numbers as people read them, in the active language: «18», «18,5», «1 200» in Russian; «18.5», «1,200»
in English. Templates use the `hours` filter (proposals_tags); Python code that puts a number into a
sentence (flags, audit values, `__str__`) calls these directly."""
from decimal import Decimal, InvalidOperation

from django.utils import formats

EMPTY = "—"


def to_decimal(value) -> Decimal | None:
    """Decimal of an int, float, Decimal or numeric string; None for anything else (incl. NaN/inf)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _strip_zeros(number: Decimal) -> Decimal:
    # normalize() alone turns 1200 into 1.2E+3; quantize back to an exponent ≥ 0 for whole numbers.
    return number.quantize(Decimal(1)) if number == number.to_integral_value() else number.normalize()


def number_text(value, *, strip_zeros: bool = False) -> str:
    """A number in the active locale with thousands grouped. The decimals are kept as stored (a rate of
    3200.50 reads «3 200,50») unless they are all zero («3 200»), or always trimmed with strip_zeros."""
    number = to_decimal(value)
    if number is None:
        return EMPTY
    if strip_zeros or number == number.to_integral_value():
        number = _strip_zeros(number)
    return formats.number_format(number, use_l10n=True, force_grouping=True)


def hours_text(value) -> str:
    """Hours of work: 18.0 → «18», 18.50 → «18,5» (ru) / «18.5» (en), 1200 → «1 200» / «1,200»."""
    return number_text(value, strip_zeros=True)


def input_number(value) -> str:
    """The value attribute of an <input type="number">: always a dot, no grouping, no trailing zeros
    (18.0 → "18", 22.50 → "22.5"); the browser then shows it in its own locale."""
    number = to_decimal(value)
    if number is None:
        return ""
    return format(_strip_zeros(number), "f")
