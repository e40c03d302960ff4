"""The `money` filter reads like the active language: «1 250 000,50 ₽» in Russian, «1,250,000.50 ₽» in English."""
from decimal import Decimal

from django.utils import translation

from mrm.core.templatetags.mrm import money


def test_money_in_russian_and_english():
    with translation.override("ru"):
        assert money(Decimal("1250000.5")) == "1\u202f250\u202f000,50\u00a0₽"
        assert money(-1200, "USD") == "−1\u202f200\u00a0$"
    with translation.override("en"):
        assert money(Decimal("1250000.5")) == "1,250,000.50\u00a0₽"
        assert money(Decimal("999.999")) == "1,000\u00a0₽"  # rounded to kopecks: none left
    assert money(None) == "—" and money("") == "—"
