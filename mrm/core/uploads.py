"""The one upload check of the app: size, extension, and content recognised by its bytes must all agree.

Used by client documents (clients.uploads) and brief attachments from the public form (proposals.forms): a
program or web page renamed `.pdf` is refused whatever the browser claims, and the content type the app stores
and serves comes from this table, never from the browser. The bytes are recognised by the `filetype` library
(magic numbers of several hundred formats); OOXML archives must also contain their part (`word/`, `xl/`,
`ppt/`); text (TXT, CSV) must decode as UTF-8, UTF-16 with a BOM or Windows-1251 and not be markup.
"""
import os
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass

import filetype
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

SAMPLE_BYTES = 8192  # what filetype reads to recognise a format
OLE2_FAMILY = frozenset({"doc", "xls", "ppt"})  # filetype tells these apart by heuristics: any one will do


@dataclass(frozen=True)
class FileType:
    content_type: str
    detected: frozenset[str] | None  # what filetype may recognise in the bytes; None: plain text
    member: str | None = None  # a path prefix the ZIP archive must contain


def _ooxml(content_type: str, kind: str, member: str) -> FileType:
    return FileType(content_type, frozenset({kind, "zip"}), member)


FILE_TYPES: dict[str, FileType] = {
    "pdf": FileType("application/pdf", frozenset({"pdf"})),
    "doc": FileType("application/msword", OLE2_FAMILY),
    "xls": FileType("application/vnd.ms-excel", OLE2_FAMILY),
    "ppt": FileType("application/vnd.ms-powerpoint", OLE2_FAMILY),
    "docx": _ooxml("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx", "word/"),
    "xlsx": _ooxml("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx", "xl/"),
    "pptx": _ooxml("application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx", "ppt/"),
    "odt": FileType("application/vnd.oasis.opendocument.text", frozenset({"odt"})),
    "rtf": FileType("application/rtf", frozenset({"rtf"})),
    "key": FileType("application/vnd.apple.keynote", frozenset({"zip"})),
    "zip": FileType("application/zip", frozenset({"zip"})),
    "png": FileType("image/png", frozenset({"png", "apng"})),
    "jpg": FileType("image/jpeg", frozenset({"jpg"})),
    "jpeg": FileType("image/jpeg", frozenset({"jpg"})),
    "webp": FileType("image/webp", frozenset({"webp"})),
    "txt": FileType("text/plain", None),
    "csv": FileType("text/csv", None),
}
_MARKUP_STARTS = (b"<!doctype", b"<html", b"<head", b"<body", b"<script", b"<svg", b"<?xml", b"<iframe")


def extension(name: str) -> str:
    return os.path.splitext(name or "")[1].lower().lstrip(".")


def _decodes_as_text(head: bytes) -> bool:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 with a BOM (Excel's "Unicode text")
        try:
            head[:len(head) - len(head) % 2].decode("utf-16")
            return True
        except UnicodeDecodeError:
            return False
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8-sig")
        return True
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 3 and len(head) == SAMPLE_BYTES:
            return True  # a multi-byte character cut at the end of the sample
    try:
        head.decode("cp1251")
        return True
    except UnicodeDecodeError:
        return False


def _is_text(head: bytes) -> bool:
    if filetype.guess(head) is not None or not _decodes_as_text(head):
        return False
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return not start.startswith(_MARKUP_STARTS)  # a web page renamed .txt/.csv


def _has_member(upload, prefix: str) -> bool:
    try:
        with zipfile.ZipFile(upload) as archive:
            return any(n.startswith(prefix) for n in archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    finally:
        upload.seek(0)


def allowed_text(extensions: Iterable[str]) -> str:
    """"PDF, DOCX, …" for help texts and errors."""
    return ", ".join(ext.upper() for ext in extensions)


def check_upload(upload, *, allowed: Iterable[str], max_size: int) -> tuple[str, str]:
    """Validate one uploaded file; returns (extension, content type) or raises ValidationError saying what to do.

    `allowed`: the extensions this kind of upload accepts (each must be in FILE_TYPES); `max_size` in bytes."""
    allowed = tuple(allowed)
    name = getattr(upload, "name", "") or ""
    if upload is None or not upload.size:
        raise ValidationError(_("“%(name)s” is empty. Choose the file again.") % {"name": name}, code="empty")
    if upload.size > max_size:
        raise ValidationError(
            _("“%(name)s” is %(size)s; the limit is %(limit)s. Compress it or share a link instead.")
            % {"name": name, "size": filesizeformat(upload.size), "limit": filesizeformat(max_size)}, code="too_big")
    ext = extension(name)
    if ext not in allowed or ext not in FILE_TYPES:
        raise ValidationError(_("“%(name)s”: files of type “.%(ext)s” are not accepted. Allowed: %(allowed)s.")
                              % {"name": name, "ext": ext or "?", "allowed": allowed_text(allowed)}, code="bad_type")
    file_type = FILE_TYPES[ext]
    upload.seek(0)
    head = upload.read(SAMPLE_BYTES)
    upload.seek(0)
    if file_type.detected is None:
        ok = _is_text(head)
    else:
        ok = filetype.guess_extension(head) in file_type.detected and (
            file_type.member is None or _has_member(upload, file_type.member))
    if not ok:
        raise ValidationError(
            _("“%(name)s”: the content does not match its “.%(ext)s” extension. Save it again in that format and "
              "retry.") % {"name": name, "ext": ext}, code="bad_content")
    return ext, file_type.content_type
