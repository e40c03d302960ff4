"""Every amount of a proposal (and of a change request), computed in Decimal. The rules, stated once:

* a line's amount per billing period, rounded to kopecks (0.01) with ROUND_HALF_UP, by its kind:
  - time: hours × the rate of the role chosen for the line;
  - fixed: the catalog package's price (× quantity, normally 1);
  - quantity: quantity × unit price (banners, landing pages, …);
  - media: the client's media budget passed through + the agency's commission (budget × commission %,
    rounded) or, when a fixed fee is set, that fee instead of the commission;
* billing period: a one-off line counts once; a monthly line (retainer) counts `months` times in the term;
* three buckets — one-off, monthly (per month) and the term (one-off + every monthly line × its months) —
  each: subtotal = sum of the rounded line amounts (no re-rounding), discount = subtotal × discount % / 100
  rounded, net = subtotal − discount, then VAT by the agency's mode:
  - "excl": VAT = net × rate / 100 rounded, total = net + VAT;
  - "incl": prices include VAT, VAT = net × rate / (100 + rate) rounded, total = net;
  - "none": no VAT (УСН), VAT = 0, total = net.
  The term bucket is computed over the term amounts (not as a sum of the other two), so its rounding is its own;
* optional items are outside every bucket unless switched on.

The model (or anybody else) never supplies an amount: only hours, quantities and catalog ids.
"""
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

KOPECK = Decimal("0.01")
HUNDRED = Decimal("100")
ZERO = Decimal("0.00")

TIME, FIXED, QUANTITY, MEDIA = "time", "fixed", "quantity", "media"
ONE_OFF, MONTHLY = "one_off", "monthly"
VAT_EXCL, VAT_INCL, VAT_NONE = "excl", "incl", "none"


def money_round(value: Decimal) -> Decimal:
    return Decimal(value).quantize(KOPECK, rounding=ROUND_HALF_UP)


def _d(value) -> Decimal:
    return Decimal(str(value)) if value not in (None, "") else Decimal("0")


def line_amount(*, hours: Decimal, rate: Decimal) -> Decimal:
    return money_round(Decimal(hours) * Decimal(rate))


def commission_amount(*, budget, commission_percent, fee=None) -> Decimal:
    """The agency's earning on a media budget: the fixed fee when one is set, else budget × commission %."""
    if _d(fee) > 0:
        return money_round(_d(fee))
    return money_round(_d(budget) * _d(commission_percent) / HUNDRED)


def line_price(*, kind: str, hours=0, rate=0, quantity=1, unit_price=0, budget=0, commission_percent=0,
               fee=0) -> Decimal:
    """The amount of one line for one billing period (see the module docstring)."""
    if kind == TIME:
        return line_amount(hours=_d(hours), rate=_d(rate))
    if kind in (FIXED, QUANTITY):
        return money_round(_d(quantity) * _d(unit_price))
    if kind == MEDIA:
        return money_round(_d(budget)) + commission_amount(budget=budget, commission_percent=commission_percent,
                                                           fee=fee)
    raise ValueError(f"unknown line kind {kind!r}")


def line_cost(*, kind: str, hours=0, cost_rate=0, budget=0) -> Decimal:
    """What a line costs the agency per period: a time line's hours at the internal rate; a media budget is
    passed through (its cost is the budget itself); a package or a piece has no hour cost recorded."""
    if kind == TIME:
        return line_amount(hours=_d(hours), rate=_d(cost_rate))
    if kind == MEDIA:
        return money_round(_d(budget))
    return ZERO


def term_months(*, billing: str, months) -> int:
    return max(1, int(months or 1)) if billing == MONTHLY else 1


@dataclass
class PriceLine:
    """A priced line as the totals see it: its amount per period, how often it is billed, its hours."""

    stage: str
    amount: Decimal
    billing: str = ONE_OFF
    months: int = 1
    hours: Decimal = Decimal("0")

    @property
    def periods(self) -> int:
        return term_months(billing=self.billing, months=self.months)

    @property
    def term_amount(self) -> Decimal:
        return Decimal(self.amount) * self.periods

    @property
    def term_hours(self) -> Decimal:
        return Decimal(self.hours) * self.periods


@dataclass
class Bucket:
    subtotal: Decimal
    discount_amount: Decimal
    net: Decimal
    vat_amount: Decimal
    total: Decimal

    def as_dict(self) -> dict:
        return {"subtotal": str(self.subtotal), "discount_amount": str(self.discount_amount), "net": str(self.net),
                "vat_amount": str(self.vat_amount), "total": str(self.total)}


def bucket(*, subtotal: Decimal, discount_percent, vat_rate, vat_mode: str = VAT_EXCL) -> Bucket:
    subtotal = Decimal(subtotal)
    discount = money_round(subtotal * _d(discount_percent) / HUNDRED)
    net = subtotal - discount
    rate = _d(vat_rate)
    if vat_mode == VAT_NONE or not rate:
        vat, total = ZERO, net
    elif vat_mode == VAT_INCL:
        vat, total = money_round(net * rate / (HUNDRED + rate)), net
    else:
        vat = money_round(net * rate / HUNDRED)
        total = net + vat
    return Bucket(subtotal=subtotal, discount_amount=discount, net=net, vat_amount=vat, total=total)


@dataclass
class StageTotal:
    stage: str
    amount: Decimal
    hours: Decimal


@dataclass
class Totals:
    """The term's figures at the top level (`total` is what the client pays for the whole term; for a КП
    of one-off lines only it is simply the total), plus the one-off and the monthly buckets."""

    subtotal: Decimal
    discount_percent: Decimal
    discount_amount: Decimal
    net: Decimal
    vat_rate: Decimal
    vat_amount: Decimal
    total: Decimal
    hours: Decimal
    stages: list[StageTotal] = field(default_factory=list)
    vat_mode: str = VAT_EXCL
    one_off: Bucket | None = None
    monthly: Bucket | None = None
    has_monthly: bool = False
    term_months: int = 1  # the longest monthly line's months (1 without monthly lines)

    @property
    def one_off_total(self) -> Decimal:
        return self.one_off.total if self.one_off else self.total

    @property
    def monthly_total(self) -> Decimal:
        return self.monthly.total if self.monthly else ZERO

    def as_dict(self) -> dict:
        return {
            "subtotal": str(self.subtotal), "discount_percent": str(self.discount_percent),
            "discount_amount": str(self.discount_amount), "net": str(self.net), "vat_rate": str(self.vat_rate),
            "vat_amount": str(self.vat_amount), "total": str(self.total), "hours": str(self.hours),
            "stages": [{"stage": s.stage, "amount": str(s.amount), "hours": str(s.hours)} for s in self.stages],
            "vat_mode": self.vat_mode, "has_monthly": self.has_monthly, "term_months": self.term_months,
            "one_off": self.one_off.as_dict() if self.one_off else None,
            "monthly": self.monthly.as_dict() if self.monthly else None,
            "one_off_total": str(self.one_off_total), "monthly_total": str(self.monthly_total),
            "term_total": str(self.total),
        }


def _as_price_line(line) -> PriceLine:
    if isinstance(line, PriceLine):
        return line
    stage, hours, rate = line  # the historical (stage, hours, rate) tuple of a time line
    return PriceLine(stage=stage, amount=line_amount(hours=hours, rate=rate), hours=Decimal(hours))


def compute(*, lines, discount_percent: Decimal, vat_rate: Decimal, vat_mode: str = VAT_EXCL) -> Totals:
    """`lines` are PriceLine (or (stage, hours, rate) tuples of time lines) in display order; stage subtotals
    are term amounts and keep the order of first appearance."""
    priced = [_as_price_line(ln) for ln in lines]
    stages: dict[str, StageTotal] = {}
    one_off = monthly = term = ZERO
    hours_total = Decimal("0")
    months = 1
    has_monthly = False
    for line in priced:
        amount = Decimal(line.amount)
        if line.billing == MONTHLY:
            has_monthly = True
            monthly += amount
            months = max(months, line.periods)
        else:
            one_off += amount
        term += line.term_amount
        hours_total += line.term_hours
        st = stages.setdefault(line.stage, StageTotal(stage=line.stage, amount=ZERO, hours=Decimal("0")))
        st.amount += line.term_amount
        st.hours += line.term_hours
    discount_percent = _d(discount_percent)
    vat_rate = _d(vat_rate)
    if vat_mode not in (VAT_EXCL, VAT_INCL, VAT_NONE):
        vat_mode = VAT_EXCL
    if vat_mode == VAT_NONE:
        vat_rate = Decimal("0")
    kw = {"discount_percent": discount_percent, "vat_rate": vat_rate, "vat_mode": vat_mode}
    t = bucket(subtotal=term, **kw)
    return Totals(subtotal=t.subtotal, discount_percent=discount_percent, discount_amount=t.discount_amount,
                  net=t.net, vat_rate=vat_rate, vat_amount=t.vat_amount, total=t.total, hours=hours_total,
                  stages=list(stages.values()), vat_mode=vat_mode, one_off=bucket(subtotal=one_off, **kw),
                  monthly=bucket(subtotal=monthly, **kw), has_monthly=has_monthly, term_months=months)
