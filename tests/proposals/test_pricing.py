"""Money arithmetic: Decimal throughout, each line rounded half-up to kopecks, totals from rounded lines."""
from decimal import Decimal

from proposals.services import pricing

D = Decimal


def test_line_amount_rounds_half_up_to_kopecks():
    assert pricing.line_amount(hours=D("1.5"), rate=D("3333.33")) == D("5000.00")  # 4999.995 → 5000.00
    assert pricing.line_amount(hours=D("0.5"), rate=D("0.05")) == D("0.03")  # 0.025 → 0.03 (not banker's 0.02)
    assert pricing.line_amount(hours=D("7.5"), rate=D("2800")) == D("21000.00")


def test_totals_sum_rounded_lines_not_raw_products():
    # Three lines of 0.005 each: raw sum 0.015 would round to 0.02; rounded lines give 0.03.
    totals = pricing.compute(lines=[("A", D("0.5"), D("0.01"))] * 3, discount_percent=D("0"), vat_rate=D("0"))
    assert totals.subtotal == D("0.03")


def test_discount_and_vat_are_rounded_and_total_is_consistent():
    lines = [("Стратегия", D("18"), D("6500")), ("SMM", D("45.5"), D("2800")), ("SMM", D("1.5"), D("3333.33"))]
    totals = pricing.compute(lines=lines, discount_percent=D("7.5"), vat_rate=D("20"))
    assert totals.subtotal == D("117000.00") + D("127400.00") + D("5000.00")
    assert totals.discount_amount == D("18705.00")  # 249 400 × 7.5 %
    assert totals.net == D("230695.00")
    assert totals.vat_amount == D("46139.00")
    assert totals.total == D("276834.00")
    assert [s.stage for s in totals.stages] == ["Стратегия", "SMM"]
    assert totals.stages[1].amount == D("132400.00")
    assert totals.hours == D("65")


def test_vat_rounding_half_up():
    totals = pricing.compute(lines=[("X", D("1"), D("0.125"))], discount_percent=D("0"), vat_rate=D("20"))
    assert totals.subtotal == D("0.13")  # 0.125 → 0.13
    assert totals.vat_amount == D("0.03")  # 0.026 → 0.03
    assert totals.total == D("0.16")


def test_zero_vat_and_no_lines():
    totals = pricing.compute(lines=[], discount_percent=D("0"), vat_rate=D("0"))
    assert totals.total == D("0.00") and totals.vat_amount == D("0.00") and totals.stages == []


def test_every_amount_is_decimal_with_two_places():
    totals = pricing.compute(lines=[("X", D("3.3"), D("1234.56"))], discount_percent=D("3.33"), vat_rate=D("12"))
    for value in (totals.subtotal, totals.discount_amount, totals.net, totals.vat_amount, totals.total):
        assert isinstance(value, Decimal)
        assert value.as_tuple().exponent == -2
