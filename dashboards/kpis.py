"""The KPI definitions of the domain brief as pure functions of counts and sums (the SQL in `selectors` only
counts and sums; every ratio, rounding and status is decided here, so it is tested on hand-computed values).

Every function answers None when the figure has no basis (no clients, no answers, no requests): the page shows
"no data", never a made-up 0."""
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

ONE_PLACE = Decimal("0.1")
CENTS = Decimal("0.01")
HUNDRED = Decimal(100)
# A figure within this share of its target (on the wrong side) is amber, further away red.
AMBER_BAND = Decimal("0.10")


def _ratio(part, whole, places: Decimal = ONE_PLACE) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(places, rounding=ROUND_HALF_UP)


def retention_rate(*, active_at_start: int, retained: int) -> Decimal | None:
    """% of the clients active at the period's start that are still active at its end. A client that joined and
    left inside the period was not active at its start, so it is in neither number."""
    return _ratio(retained, active_at_start)


def nps_score(*, promoters: int, passives: int, detractors: int) -> Decimal | None:
    """% promoters (9–10) − % detractors (0–6) over all answers of the period, −100…100."""
    answers = promoters + passives + detractors
    if not answers:
        return None
    return (Decimal(promoters - detractors) * HUNDRED / Decimal(answers)).quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Revenue:
    """Paid revenue of a period in the agency's currency per active client; other currencies are listed apart
    (never added to the main figure: there is no exchange rate in the product)."""

    currency: str
    total: Decimal
    per_client: Decimal | None
    other: dict[str, Decimal] = field(default_factory=dict)


def revenue_per_client(*, totals: dict[str, Decimal], active_clients: int, currency: str) -> Revenue:
    main = Decimal(totals.get(currency) or 0)
    other = {code: Decimal(value) for code, value in sorted(totals.items()) if code != currency and value}
    per_client = (main / active_clients).quantize(CENTS, rounding=ROUND_HALF_UP) if active_clients else None
    return Revenue(currency=currency, total=main, per_client=per_client, other=other)


def growth(*, current: Decimal | None, previous: Decimal | None) -> Decimal | None:
    """% change from `previous` to `current`; None when there is nothing to compare with (no or zero base)."""
    if current is None or previous is None or not previous:
        return None
    return ((Decimal(current) - Decimal(previous)) * HUNDRED / Decimal(previous)).quantize(
        ONE_PLACE, rounding=ROUND_HALF_UP)


def upsell_rate(*, upsold_clients: int, active_clients: int) -> Decimal | None:
    """% of the period's active clients that won an upsell or cross-sell deal in it."""
    return _ratio(upsold_clients, active_clients)


def minutes_to_hours(minutes) -> Decimal | None:
    if minutes is None:
        return None
    return (Decimal(str(minutes)) / 60).quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


def share_within(*, within: int, measured: int) -> Decimal | None:
    """% of first replies within the agreed time, over the requests that had an agreed time."""
    return _ratio(within, measured)


def report_rating(*, total: Decimal | None, count: int) -> Decimal | None:
    """Average client rating of reports, 1–5."""
    if not count or total is None:
        return None
    return (Decimal(total) / count).quantize(CENTS, rounding=ROUND_HALF_UP)


GREEN, AMBER, RED, NONE = "green", "amber", "red", "none"


def status(*, value: Decimal | None, target: Decimal | None, higher_is_better: bool = True) -> str:
    """Green at or beyond the target, amber within 10 % of the target's size short of it, red further away."""
    if value is None or target is None:
        return NONE
    value, target = Decimal(value), Decimal(target)
    gap = (target - value) if higher_is_better else (value - target)
    if gap <= 0:
        return GREEN
    if gap <= abs(target) * AMBER_BAND:
        return AMBER
    return RED


def delta(*, current: Decimal | None, previous: Decimal | None) -> Decimal | None:
    """The change against the previous period, in the KPI's own unit."""
    if current is None or previous is None:
        return None
    return Decimal(current) - Decimal(previous)
