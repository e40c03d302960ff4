"""Zip-bomb guard for uploaded .xlsx files, before any XML is parsed.

An .xlsx is a zip archive. A 500 KB file can hold a sharedStrings.xml that expands to 512 MB, and
openpyxl keeps every shared string in memory even in read-only mode, so an unchecked workbook can take
gigabytes of memory and minutes of CPU. The central directory (`ZipFile.infolist()`) states each
member's uncompressed size without decompressing anything, and Python's zipfile never yields more
bytes than that size (a member that lies about it fails its CRC check), so these declared sizes are
a hard bound. `check_archive` reads only the directory: cheap enough for the web request.
`measure_member` decompresses a member in chunks and stops at the limit: the job's second look at
sharedStrings.xml, the part that is loaded whole.
"""
import zipfile
from dataclasses import dataclass
from typing import BinaryIO

from django.conf import settings
from django.utils.translation import gettext as _

from mrm.core.errors import ServiceError

SHARED_STRINGS = "xl/sharedStrings.xml"
MB = 1024 * 1024
# A member must be this big before its compression ratio counts: tiny XML parts compress 100:1 legitimately.
RATIO_FLOOR = 1 * MB


@dataclass(frozen=True)
class ArchiveLimits:
    members: int
    total_bytes: int
    member_bytes: int
    shared_strings_bytes: int
    ratio: int


def limits() -> ArchiveLimits:
    return ArchiveLimits(
        members=getattr(settings, "MRM_IMPORT_XLSX_MAX_MEMBERS", 1000),
        total_bytes=getattr(settings, "MRM_IMPORT_XLSX_MAX_UNCOMPRESSED", 300 * MB),
        member_bytes=getattr(settings, "MRM_IMPORT_XLSX_MAX_MEMBER", 200 * MB),
        shared_strings_bytes=getattr(settings, "MRM_IMPORT_XLSX_MAX_SHARED_STRINGS", 64 * MB),
        ratio=getattr(settings, "MRM_IMPORT_XLSX_MAX_RATIO", 200),
    )


def _too_big() -> ServiceError:
    return ServiceError(_("This Excel file unpacks to far more data than a spreadsheet of its size can hold, so "
                          "we did not open it. Open it in Excel and save it again as .xlsx, or save it as CSV."),
                        field="file", code="xlsx_too_big")


def _not_workbook() -> ServiceError:
    return ServiceError(_("This file is a zip archive but not an Excel workbook. Upload a CSV or an Excel .xlsx "
                          "file."), field="file", code="not_spreadsheet")


def check_archive(fileobj: BinaryIO) -> None:
    """Refuse a damaged archive, an archive that is not a workbook and one whose declared sizes (total,
    per member, sharedStrings.xml, compression ratio, member count) are over the limits."""
    lim = limits()
    fileobj.seek(0)
    try:
        with zipfile.ZipFile(fileobj) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise ServiceError(_("This file is not a spreadsheet we can read. Upload a CSV or an Excel .xlsx file."),
                           field="file", code="not_spreadsheet") from exc
    finally:
        fileobj.seek(0)
    if len(members) > lim.members:
        raise _too_big()
    names = {m.filename for m in members}
    if "xl/workbook.xml" not in names and "[Content_Types].xml" not in names:
        raise _not_workbook()
    total = 0
    for member in members:
        size = member.file_size
        total += size
        if size > lim.member_bytes or total > lim.total_bytes:
            raise _too_big()
        if member.filename == SHARED_STRINGS and size > lim.shared_strings_bytes:
            raise _too_big()
        if size > RATIO_FLOOR and size > lim.ratio * max(member.compress_size, 1):
            raise _too_big()


def measure_member(archive: zipfile.ZipFile, name: str, *, limit: int) -> int:
    """The real expanded size of one member, decompressed in 1 MB chunks; over `limit` is refused at once."""
    try:
        handle = archive.open(name)
    except KeyError:
        return 0
    size = 0
    with handle:
        while chunk := handle.read(MB):
            size += len(chunk)
            if size > limit:
                raise _too_big()
    return size
