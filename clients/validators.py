"""Field validators shared by the CRM's forms and API serializers."""
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_PHONE_CHARS = re.compile(r"^\+?[\d\s\-()]+$")
_TELEGRAM = re.compile(r"^[A-Za-z][A-Za-z0-9_]{4,31}$")
_TELEGRAM_LINK = re.compile(r"^(?:https?://)?(?:t\.me|telegram\.me)/", re.IGNORECASE)


def clean_phone(value: str) -> str:
    """Digits, '+', spaces, dashes and parentheses with 7–15 digits; returns the trimmed value."""
    value = " ".join((value or "").split())
    if not value:
        return ""
    if not _PHONE_CHARS.match(value):
        raise ValidationError(_("Use digits, “+”, spaces, dashes and parentheses only, e.g. +7 (495) 123-45-67."),
                              code="invalid_phone")
    digits = sum(ch.isdigit() for ch in value)
    if not 7 <= digits <= 15:
        raise ValidationError(_("A phone number has 7 to 15 digits; this one has %(n)d.") % {"n": digits},
                              code="invalid_phone")
    return value


def clean_telegram(value: str) -> str:
    """A Telegram handle: '@name', 'name' or a t.me link; returns '@name'."""
    value = (value or "").strip()
    if not value:
        return ""
    handle = _TELEGRAM_LINK.sub("", value).lstrip("@").rstrip("/")
    if not _TELEGRAM.match(handle):
        raise ValidationError(_("A Telegram username is 5–32 Latin letters, digits or “_”, starting with a letter, "
                                "e.g. @ivan_petrov."), code="invalid_telegram")
    return "@" + handle
