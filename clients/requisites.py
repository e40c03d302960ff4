"""Russian legal details (реквизиты): validators with the official checksums, and the sum in words that
a счёт or акт prints after the total."""
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from num2words import num2words

_INN10 = (2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN11 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)


def _digits(value: str, lengths: tuple[int, ...], message) -> str:
    value = (value or "").strip()
    if not value.isdigit() or len(value) not in lengths or not value.isascii():
        raise ValidationError(message, code="format")
    return value


def _check(digits: str, weights: tuple[int, ...]) -> int:
    return sum(int(d) * w for d, w in zip(digits, weights, strict=False)) % 11 % 10


def validate_inn(value: str) -> None:
    """ИНН: 10 digits (an organisation) or 12 (an individual entrepreneur), with the tax service's check digits."""
    inn = _digits(value, (10, 12), _("An INN is 10 digits (a company) or 12 digits (a sole trader)."))
    if len(inn) == 10:
        ok = _check(inn, _INN10) == int(inn[9])
    else:
        ok = _check(inn, _INN11) == int(inn[10]) and _check(inn, _INN12) == int(inn[11])
    if not ok:
        raise ValidationError(_("This INN has a wrong check digit: look for a typo."), code="checksum")


def validate_kpp(value: str) -> None:
    """КПП: 9 characters; the 5th and 6th may be capital Latin letters, the rest are digits."""
    kpp = (value or "").strip()
    if len(kpp) != 9 or not (kpp[:4] + kpp[6:]).isdigit() or not all(c.isdigit() or "A" <= c <= "Z" for c in kpp[4:6]):
        raise ValidationError(_("A KPP is 9 digits."), code="format")


def validate_ogrn(value: str) -> None:
    """ОГРН (13 digits) or ОГРНИП (15 digits) with the check digit."""
    ogrn = _digits(value, (13, 15), _("An OGRN is 13 digits (a company) or 15 digits (a sole trader)."))
    body, check = int(ogrn[:-1]), int(ogrn[-1])
    if (body % (11 if len(ogrn) == 13 else 13)) % 10 != check:
        raise ValidationError(_("This OGRN has a wrong check digit: look for a typo."), code="checksum")


def validate_bik(value: str) -> None:
    _digits(value, (9,), _("A BIK is 9 digits."))


def validate_account(value: str) -> None:
    _digits(value, (20,), _("An account number is 20 digits."))


_ACCOUNT_WEIGHTS = (7, 1, 3) * 8


def _account_key_ok(prefix3: str, account: str) -> bool:
    digits = prefix3 + account
    return sum(int(d) * w for d, w in zip(digits, _ACCOUNT_WEIGHTS, strict=False)) % 10 == 0


def check_accounts(*, bik: str, settlement: str, correspondent: str) -> dict[str, str]:
    """The Bank of Russia control key of the accounts against the BIK; {field: message} for those that fail.

    A settlement account is keyed with the BIK's last three digits, a correspondent account with "0" and the
    BIK's 5th–6th digits."""
    errors = {}
    if not (len(bik or "") == 9 and bik.isdigit()):
        return errors  # the BIK's own format error is reported by its validator

    def well_formed(account: str) -> bool:
        return len(account or "") == 20 and account.isdigit()

    if well_formed(settlement) and not _account_key_ok(bik[-3:], settlement):
        errors["settlement_account"] = _("This account does not match the BIK: check both for a typo.")
    if well_formed(correspondent) and not _account_key_ok("0" + bik[4:6], correspondent):
        errors["correspondent_account"] = _("This correspondent account does not match the BIK: check both.")
    return errors


KOPECK = Decimal("0.01")


def amount_in_words(amount: Decimal, currency: str = "RUB") -> str:
    """«Восемьсот семьдесят восемь тысяч девятьсот четыре рубля 00 копеек»: roubles in words, kopecks in digits,
    as Russian invoices print the total (num2words knows the plural forms)."""
    amount = Decimal(amount).quantize(KOPECK, rounding=ROUND_HALF_UP)
    try:
        text = num2words(amount, lang="ru", to="currency", currency=currency or "RUB", cents=False, separator="")
    except NotImplementedError:  # a currency num2words has no Russian forms for: words plus the code
        text = f"{num2words(int(amount), lang='ru')} {currency} {int(amount * 100) % 100:02d}"
    return text[:1].upper() + text[1:]
