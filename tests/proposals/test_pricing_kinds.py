"""Line kinds, billing periods, commission and the VAT modes (pure functions, no database)."""
from decimal import Decimal

import pytest

from proposals.services import documents, pricing

D = Decimal
P = pricing.PriceLine


def test_each_kind_has_its_arithmetic_rounded_half_up():
    assert pricing.line_price(kind="time", hours=D("1.5"), rate=D("3333.33")) == D("5000.00")
    assert pricing.line_price(kind="fixed", quantity=1, unit_price=D("45000")) == D("45000.00")
    assert pricing.line_price(kind="quantity", quantity=D("3"), unit_price=D("3333.335")) == D("10000.01")
    # media: budget passed through + commission (budget × %, rounded) …
    assert pricing.line_price(kind="media", budget=D("100000"), commission_percent=D("12")) == D("112000.00")
    assert pricing.line_price(kind="media", budget=D("0.25"), commission_percent=D("10")) == D("0.28")  # 0.025→0.03
    # … or a fixed fee instead of the commission
    assert pricing.line_price(kind="media", budget=D("100000"), commission_percent=D("12"), fee=D("15000")) \
        == D("115000.00")
    with pytest.raises(ValueError):
        pricing.line_price(kind="barter")


def test_cost_of_a_line_time_at_the_internal_rate_media_passed_through():
    assert pricing.line_cost(kind="time", hours=D("10"), cost_rate=D("1300")) == D("13000.00")
    assert pricing.line_cost(kind="media", budget=D("100000")) == D("100000.00")
    assert pricing.line_cost(kind="fixed") == D("0.00")


def test_one_off_monthly_and_term_are_separate():
    lines = [P(stage="Старт", amount=D("120000.00")),
             P(stage="SMM", amount=D("84000.00"), billing="monthly", months=6, hours=D("30")),
             P(stage="Реклама", amount=D("112000.00"), billing="monthly", months=3)]
    t = pricing.compute(lines=lines, discount_percent=D("0"), vat_rate=D("20"))
    assert t.has_monthly and t.term_months == 6
    assert t.one_off.subtotal == D("120000.00") and t.one_off_total == D("144000.00")
    assert t.monthly.subtotal == D("196000.00") and t.monthly_total == D("235200.00")
    assert t.subtotal == D("120000.00") + D("84000.00") * 6 + D("112000.00") * 3 == D("960000.00")
    assert t.total == D("1152000.00") and t.hours == D("180")  # 30 h a month × 6
    assert [s.amount for s in t.stages] == [D("120000.00"), D("504000.00"), D("336000.00")]
    data = t.as_dict()
    assert (data["one_off_total"], data["monthly_total"], data["term_total"]) == ("144000.00", "235200.00",
                                                                                  "1152000.00")


def test_months_of_a_one_off_line_do_not_multiply():
    t = pricing.compute(lines=[P(stage="", amount=D("10.00"), billing="one_off", months=12)],
                        discount_percent=0, vat_rate=0)
    assert t.total == D("10.00") and not t.has_monthly and t.monthly_total == D("0.00")


@pytest.mark.parametrize("mode,vat,total", [
    ("excl", D("2000.00"), D("12000.00")),  # on top
    ("incl", D("1666.67"), D("10000.00")),  # 10 000 × 20 / 120 = 1666.666… → 1666.67, total unchanged
    ("none", D("0.00"), D("10000.00")),  # УСН: no VAT at all
])
def test_vat_modes(mode, vat, total):
    t = pricing.compute(lines=[P(stage="", amount=D("10000.00"))], discount_percent=0, vat_rate=D("20"), vat_mode=mode)
    assert (t.vat_amount, t.total, t.vat_mode) == (vat, total, mode)
    if mode == "none":
        assert t.vat_rate == 0


def test_discount_applies_to_every_bucket_before_vat():
    lines = [P(stage="", amount=D("1000.00")), P(stage="", amount=D("333.33"), billing="monthly", months=3)]
    t = pricing.compute(lines=lines, discount_percent=D("10"), vat_rate=D("20"))
    assert t.one_off.discount_amount == D("100.00") and t.one_off.total == D("1080.00")
    assert t.monthly.discount_amount == D("33.33") and t.monthly.net == D("300.00")
    assert t.discount_amount == D("199.999").quantize(D("0.01")) and t.net == D("1799.99")


def test_the_historical_tuple_still_prices_time_lines():
    t = pricing.compute(lines=[("A", D("2"), D("2800"))], discount_percent=0, vat_rate=D("20"))
    assert t.total == D("6720.00") and t.hours == D("2")


def _snapshot():
    return {"stages": [{"stage": "SMM", "lines": [
        {"key": "a", "name": "Ведение", "kind": "time", "hours": "40.0", "amount": "112000.00",
         "billing": "monthly", "months": 6}]}],
        "options": [{"key": "b", "name": "Баннеры", "stage": "Дизайн", "kind": "quantity", "hours": "0.0",
                     "amount": "15000.00", "billing": "one_off", "months": 1},
                    {"key": "c", "name": "Видео", "stage": "SMM", "kind": "fixed", "hours": "0.0",
                     "amount": "50000.00", "billing": "one_off", "months": 1}],
        "totals": {"discount_percent": "0", "vat_rate": "20", "vat_mode": "excl"}}


def test_choice_totals_count_only_the_switched_on_options_and_ignore_unknown_keys():
    snap = _snapshot()
    assert documents.choice_totals(snapshot=snap).total == D("806400.00")  # 112 000 × 6 × 1.2
    chosen = documents.choice_totals(snapshot=snap, chosen=["b", "zzz"])
    assert chosen.total == D("824400.00") and chosen.one_off_total == D("18000.00")
    assert documents.option_keys(snapshot=snap, chosen=["c", "b", "x"]) == ["b", "c"]


def test_accepted_snapshot_joins_chosen_options_to_their_stages():
    accepted = documents.accepted_snapshot(snapshot=_snapshot(), chosen=["c"])
    assert [[ln["key"] for ln in st["lines"]] for st in accepted["stages"]] == [["a", "c"]]
    assert accepted["options"] == [] and accepted["chosen_options"] == ["Видео"]
    assert accepted["totals"]["total"] == str(D("806400.00") + D("60000.00"))
    new_stage = documents.accepted_snapshot(snapshot=_snapshot(), chosen=["b"])
    assert [st["stage"] for st in new_stage["stages"]] == ["SMM", "Дизайн"]
