"""The gate every batch of metric rows passes before it is written: whatever a connector (or any other caller of
`metrics_replace`) hands over is checked against the rules the file import and the API apply to people's data.

A connector that answers garbage — a value that is not a number, a negative cost, a day in the future, the same
campaign day twice, a row that is not a row — must not reach the table: the batch is refused as a whole with a
message naming the first bad rows, and the facts saved before stay as they were.
"""
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _

from mrm.core.errors import ServiceError

from ..importing import BY_KEY, MAX_CONVERSIONS, MAX_COUNT

COUNT_FIELDS = ("impressions", "clicks", "sessions")
MONEY_FIELDS = {"cost": Decimal("99999999999999.99"), "revenue": Decimal("99999999999999.99"),
                "conversions": MAX_CONVERSIONS}
TEXT_FIELDS = {"channel": 60, "campaign_id": 200, "campaign": 300}
NAMED_ERRORS = 5


def _label(key: str) -> str:
    return str(BY_KEY[key].label) if key in BY_KEY else key


def _count(value, key: str) -> int:
    key = _label(key)
    if isinstance(value, bool) or not isinstance(value, int | Decimal | str | float):
        raise ValueError(_("%(field)s is not a number") % {"field": key})
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(_("%(field)s is not a number (%(value)s)") % {"field": key, "value": str(value)[:40]}) \
            from None
    if not number.is_finite() or number != number.to_integral_value():
        raise ValueError(_("%(field)s is not a whole number (%(value)s)") % {"field": key, "value": str(value)[:40]})
    if number < 0:
        raise ValueError(_("%(field)s cannot be negative (%(value)s)") % {"field": key, "value": value})
    if number > MAX_COUNT:
        raise ValueError(_("%(field)s is too large (%(value)s)") % {"field": key, "value": str(value)[:40]})
    return int(number)


def _money(value, key: str) -> Decimal:
    limit, key = MONEY_FIELDS[key], _label(key)
    if isinstance(value, bool) or not isinstance(value, int | Decimal | str | float):
        raise ValueError(_("%(field)s is not a number") % {"field": key})
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(_("%(field)s is not a number (%(value)s)") % {"field": key, "value": str(value)[:40]}) \
            from None
    if not number.is_finite():
        raise ValueError(_("%(field)s is not a number (%(value)s)") % {"field": key, "value": str(value)[:40]})
    if number < 0:
        raise ValueError(_("%(field)s cannot be negative (%(value)s)") % {"field": key, "value": value})
    number = number.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if number > limit:
        raise ValueError(_("%(field)s is too large (%(value)s)") % {"field": key, "value": str(value)[:40]})
    return number


def _row(raw, *, latest: date) -> dict:
    if not isinstance(raw, Mapping):
        raise ValueError(_("not a row of figures"))
    day = raw.get("date")
    if isinstance(day, datetime):
        day = day.date()
    if not isinstance(day, date):
        raise ValueError(_("no date") if day in (None, "") else _("the date is not a date (%(value)s)")
                         % {"value": str(day)[:40]})
    if day > latest:
        raise ValueError(_("the date %(date)s is in the future") % {"date": day.strftime("%d.%m.%Y")})
    row = {"date": day}
    for key, length in TEXT_FIELDS.items():
        value = raw.get(key)
        if value is None:
            value = ""
        if not isinstance(value, str | int):
            raise ValueError(_("%(field)s is not text") % {"field": _label(key)})
        row[key] = " ".join(str(value).split())[:length]
    for key in COUNT_FIELDS:
        row[key] = _count(raw.get(key) or 0, key)
    for key in MONEY_FIELDS:
        row[key] = _money(raw.get(key) or 0, key)
    currency = raw.get("currency") or ""
    if not isinstance(currency, str) or (currency and not (len(currency) == 3 and currency.isalpha())):
        raise ValueError(_("the currency is not a three-letter code (%(value)s)") % {"value": str(currency)[:10]})
    row["currency"] = currency.upper()
    return row


def _key(row: dict) -> tuple:
    # The key metrics_replace writes by: the campaign (its id, else its name) or, without one, the channel.
    campaign = row["campaign_id"] or row["campaign"].lower()
    return row["date"], campaign, "" if campaign else row["channel"]


def metric_rows_check(*, rows, today: date) -> list[dict]:
    """Clean copies of the rows, or ServiceError naming the first bad ones (nothing is half-accepted).
    A day after `today` is allowed (a source in another time zone is already there), two are not."""
    latest = today + timedelta(days=1)
    clean, problems, seen = [], [], {}
    for number, raw in enumerate(rows, 1):
        try:
            row = _row(raw, latest=latest)
        except ValueError as exc:
            problems.append((number, str(exc)))
            continue
        first = seen.setdefault(_key(row), number)
        if first != number:
            problems.append((number, _("the same day and campaign as row %(line)s") % {"line": first}))
            continue
        clean.append(row)
    if problems:
        named = "; ".join(_("row %(n)s: %(error)s") % {"n": n, "error": e} for n, e in problems[:NAMED_ERRORS])
        raise ServiceError(_("The data was not saved: %(n)s rows are wrong (%(rows)s). The figures saved before "
                             "are unchanged.") % {"n": len(problems), "rows": named}, code="bad_rows")
    return clean
