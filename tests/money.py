"""Amounts as a page shows them: the `money` filter in the language the response was rendered in (its
Content-Language header), so a test asserts the exact text whichever language the page is in."""
from django.utils import translation

from mrm.core.templatetags.mrm import money


def money_in(response, value, currency: str = "RUB") -> str:
    """'1 250 000 ₽' on a Russian page, '1,250,000 ₽' on an English one."""
    with translation.override(response.get("Content-Language") or translation.get_language()):
        return money(value, currency)


def number_in(response, value) -> str:
    """The amount without its currency sign: '33 600' / '33,600'."""
    return money_in(response, value).rsplit("\u00a0", 1)[0]
