"""Every amount of a proposal, computed in Decimal. The rounding rules, stated once:

* a line's amount = hours × role rate, rounded to kopecks (0.01) with ROUND_HALF_UP;
* the subtotal is the sum of the rounded line amounts (no re-rounding of the sum);
* the discount = subtotal × discount % / 100, rounded the same way; net = subtotal − discount;
* VAT = net × VAT % / 100, rounded the same way; total = net + VAT.

The model (or anybody else) never supplies an amount: only hours, a catalog service and a role.
"""
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

KOPECK = Decimal("0.01")
HUNDRED = Decimal("100")


def money_round(value: Decimal) -> Decimal:
    return Decimal(value).quantize(KOPECK, rounding=ROUND_HALF_UP)


def line_amount(*, hours: Decimal, rate: Decimal) -> Decimal:
    return money_round(Decimal(hours) * Decimal(rate))


@dataclass
class StageTotal:
    stage: str
    amount: Decimal
    hours: Decimal


@dataclass
class Totals:
    subtotal: Decimal
    discount_percent: Decimal
    discount_amount: Decimal
    net: Decimal
    vat_rate: Decimal
    vat_amount: Decimal
    total: Decimal
    hours: Decimal
    stages: list[StageTotal] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "subtotal": str(self.subtotal), "discount_percent": str(self.discount_percent),
            "discount_amount": str(self.discount_amount), "net": str(self.net), "vat_rate": str(self.vat_rate),
            "vat_amount": str(self.vat_amount), "total": str(self.total), "hours": str(self.hours),
            "stages": [{"stage": s.stage, "amount": str(s.amount), "hours": str(s.hours)} for s in self.stages],
        }


def compute(*, lines: list[tuple[str, Decimal, Decimal]], discount_percent: Decimal, vat_rate: Decimal) -> Totals:
    """`lines` are (stage, hours, rate) in display order; stage subtotals keep the order of first appearance."""
    stages: dict[str, StageTotal] = {}
    subtotal = Decimal("0.00")
    hours_total = Decimal("0")
    for stage, hours, rate in lines:
        amount = line_amount(hours=hours, rate=rate)
        subtotal += amount
        hours_total += Decimal(hours)
        bucket = stages.setdefault(stage, StageTotal(stage=stage, amount=Decimal("0.00"), hours=Decimal("0")))
        bucket.amount += amount
        bucket.hours += Decimal(hours)
    discount_percent = Decimal(discount_percent or 0)
    discount = money_round(subtotal * discount_percent / HUNDRED)
    net = subtotal - discount
    vat_rate = Decimal(vat_rate or 0)
    vat = money_round(net * vat_rate / HUNDRED)
    return Totals(subtotal=subtotal, discount_percent=discount_percent, discount_amount=discount, net=net,
                  vat_rate=vat_rate, vat_amount=vat, total=net + vat, hours=hours_total,
                  stages=list(stages.values()))
