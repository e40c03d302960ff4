"""Small display helpers of the CRM pages (icons per kind, file sizes)."""
import os

from django import template

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
