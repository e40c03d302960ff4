"""Parsing a metrics file's rows: mapping guessed from headers, per-row errors, duplicates."""
from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from reporting.importing import check_duplicates, guess_mapping, mapping_problems, parse_row

TODAY = date(2026, 6, 1)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


MAPPING = {0: "date", 1: "campaign", 2: "impressions", 3: "clicks", 4: "cost", 5: "conversions"}


def _parse(values, line=2, mapping=MAPPING):
    return parse_row(line=line, values=values, mapping=mapping, today=TODAY, currency="RUB", channel="Директ")


def test_guess_mapping_in_russian_and_english():
    assert guess_mapping(["Дата", "Кампания", "Показы", "Клики", "Расход, руб.", "Конверсии", "Доход", "Визиты"]) == {
        "0": "date", "1": "campaign", "2": "impressions", "3": "clicks", "4": "cost", "5": "conversions",
        "6": "revenue", "7": "sessions"}
    assert guess_mapping(["Day", "Campaign name", "Campaign ID", "Impressions", "Clicks", "Spend", "Source"]) == {
        "0": "date", "1": "campaign", "2": "campaign_id", "3": "impressions", "4": "clicks", "5": "cost",
        "6": "channel"}
    assert mapping_problems({"0": "campaign"}) and not mapping_problems({"0": "date", "1": "cost"})


def test_a_good_row():
    row = _parse(["01.05.2026", " Бренд  Москва ", "1 200", "35", "1 234,50", "2"])
    assert row.ok, row.errors
    assert row.data["date"] == date(2026, 5, 1) and row.data["impressions"] == 1200
    assert row.data["cost"] == Decimal("1234.50") and row.data["campaign"] == "Бренд Москва"
    assert row.data["channel"] == "yandex_direct" and row.data["currency"] == "RUB"
    assert row.data["revenue"] == 0 and row.data["sessions"] == 0


def test_row_errors():
    assert any("future" in e for e in _parse(["2026-07-01", "a", "1", "1", "1", "0"]).errors)
    assert any("negative" in e for e in _parse(["2026-05-01", "a", "1", "1", "-5", "0"]).errors)
    assert any("whole number" in e for e in _parse(["2026-05-01", "a", "1.5k", "1", "1", "0"]).errors)
    assert any("not a date" in e for e in _parse(["вчера", "a", "1", "1", "1", "0"]).errors)
    assert any("could not be read" in e for e in _parse(["2026-05-01", "Кампания \ufffd", "1", "1", "1", "0"]).errors)
    assert _parse(["2026-05-01", "a", "", "", "", ""]).errors == ["the row has no figures"]


def test_duplicated_rows_name_the_first_one():
    rows = [_parse(["2026-05-01", "Бренд", "1", "1", "1", "0"], line=2),
            _parse(["2026-05-01", "бренд", "2", "2", "2", "0"], line=3),
            _parse(["2026-05-02", "Бренд", "1", "1", "1", "0"], line=4)]
    check_duplicates(rows)
    assert rows[0].ok and rows[2].ok
    assert rows[1].errors == ["the same day and campaign as row 2"]
