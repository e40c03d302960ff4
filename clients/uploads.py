"""What a client document may be: 20 MB at most, one of the office/image/archive types, and its bytes must
match its extension (a renamed .exe is refused whatever the browser says its type is)."""
import os
import zipfile

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

MAX_UPLOAD_SIZE = 20 * 1024 * 1024

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy Office (doc, xls, ppt)
ZIP = (b"PK\x03\x04", b"PK\x05\x06")

# extension -> (content type, magic prefixes or None for text, a member an OOXML zip must contain)
ALLOWED_TYPES: dict[str, tuple[str, tuple[bytes, ...] | None, str | None]] = {
    "pdf": ("application/pdf", (b"%PDF-",), None),
    "doc": ("application/msword", (OLE2,), None),
    "xls": ("application/vnd.ms-excel", (OLE2,), None),
    "ppt": ("application/vnd.ms-powerpoint", (OLE2,), None),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ZIP, "word/"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ZIP, "xl/"),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", ZIP, "ppt/"),
    "zip": ("application/zip", ZIP, None),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",), None),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",), None),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",), None),
    "txt": ("text/plain", None, None),
    "csv": ("text/csv", None, None),
}
ALLOWED_EXTENSIONS_TEXT = "PDF, DOC/DOCX, XLS/XLSX, PPT/PPTX, PNG, JPG, ZIP, TXT, CSV"
_BINARY_MAGIC = (b"%PDF-", OLE2, b"PK\x03\x04", b"\x89PNG", b"\xff\xd8\xff", b"MZ", b"\x7fELF", b"GIF8")


def _extension(name: str) -> str:
    return os.path.splitext(name or "")[1].lower().lstrip(".")


def _is_text(head: bytes) -> bool:
    if b"\x00" in head or head.startswith(_BINARY_MAGIC):
        return False
    try:
        head.decode("utf-8")
        return True
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 3:
            return True  # a multi-byte character cut at the end of the sample
    try:
        head.decode("cp1251")
        return True
    except UnicodeDecodeError:
        return False


def check_upload(upload) -> tuple[str, str]:
    """Validate an uploaded file; returns (extension, content type) or raises ValidationError with the reason."""
    if upload is None or not upload.size:
        raise ValidationError(_("The file is empty."), code="empty")
    if upload.size > MAX_UPLOAD_SIZE:
        raise ValidationError(
            _("The file is %(size)s; the limit is %(limit)s. Compress it or share a link instead.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(MAX_UPLOAD_SIZE)}, code="too_big")
    ext = _extension(upload.name)
    if ext not in ALLOWED_TYPES:
        raise ValidationError(_("Files of type “.%(ext)s” are not accepted. Allowed: %(allowed)s.")
                              % {"ext": ext or "?", "allowed": ALLOWED_EXTENSIONS_TEXT}, code="bad_type")
    content_type, magics, member = ALLOWED_TYPES[ext]
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    mismatch = ValidationError(
        _("The file's content does not match its “.%(ext)s” extension. Save it again in that format and retry.")
        % {"ext": ext}, code="bad_content")
    if magics is None:
        if not _is_text(head):
            raise mismatch
    elif not head.startswith(magics):
        raise mismatch
    elif member is not None:
        try:
            with zipfile.ZipFile(upload) as archive:
                names = archive.namelist()
        except zipfile.BadZipFile as exc:
            raise mismatch from exc
        finally:
            upload.seek(0)
        if not any(n.startswith(member) for n in names):
            raise mismatch
    return ext, content_type
