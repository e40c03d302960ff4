"""Small display helpers of the CRM pages (icons per kind, file sizes)."""
import os

from django import template
from django.utils.translation import gettext as _

register = template.Library()

KIND_ICONS = {"call": "ti-phone", "meeting": "ti-users", "email": "ti-mail", "message": "ti-message-circle",
              "note": "ti-note"}
DIRECTION_ICONS = {"inbound": "ti-arrow-down-left", "outbound": "ti-arrow-up-right", "internal": "ti-lock"}
FILE_ICONS = {"pdf": "ti-file-type-pdf", "doc": "ti-file-type-doc", "docx": "ti-file-type-docx",
              "xls": "ti-file-type-xls", "xlsx": "ti-file-spreadsheet", "ppt": "ti-file-type-ppt",
              "pptx": "ti-presentation", "png": "ti-photo", "jpg": "ti-photo", "jpeg": "ti-photo",
              "zip": "ti-file-zip", "txt": "ti-file-text", "csv": "ti-file-type-csv"}


@register.filter
def kind_icon(kind: str) -> str:
    return KIND_ICONS.get(str(kind), "ti-point")


@register.filter
def direction_icon(direction: str) -> str:
    return DIRECTION_ICONS.get(str(direction), "ti-point")


@register.filter
def file_ext(name: str) -> str:
    return os.path.splitext(str(name or ""))[1].lower().lstrip(".")


@register.filter
def file_icon(name: str) -> str:
    return FILE_ICONS.get(file_ext(name), "ti-file")


@register.filter
def timespan(value) -> str:
    """A timedelta in the two largest units: '12 d 3 h', '5 h 20 min', '7 min', '< 1 min'."""
    if value is None:
        return "—"
    minutes = max(int(value.total_seconds()) // 60, 0)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return _("%(d)d d %(h)d h") % {"d": days, "h": hours} if hours else _("%(d)d d") % {"d": days}
    if hours:
        return _("%(h)d h %(m)d min") % {"h": hours, "m": minutes} if minutes else _("%(h)d h") % {"h": hours}
    return _("%(m)d min") % {"m": minutes} if minutes else _("< 1 min")


@register.filter
def custom_value(record, key: str):
    """The record's value of a custom field (`{{ client|custom_value:f.key }}`), "—" when empty."""
    value = (getattr(record, "custom", None) or {}).get(key)
    return "—" if value in (None, "") else value
