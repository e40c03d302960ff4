"""CSV/XLSX → rows of strings. Everything that can be wrong with the file itself (size, encoding,
format, emptiness, row limit) becomes a ServiceError with a message the user can act on.

CSV: encoding is detected by strict decoding (UTF-8 with or without BOM, UTF-16 with BOM as Excel's
"Unicode text", then Windows-1251), the delimiter by csv.Sniffer over `; , TAB` checked against the
column count of the first lines. XLSX: openpyxl in read-only mode with `data_only=True` — formula
cells give the value Excel saved with the file and are never evaluated; a text cell that starts
with "=" stays text.
"""
import codecs
import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import BinaryIO

from django.conf import settings
from django.utils.translation import gettext as _

from mrm.core.errors import ServiceError

from . import archive
from .limits import check_deadline

MAX_COLUMNS = 200
SAMPLE_ROWS = 20
DELIMITERS = (";", ",", "\t")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_EXCEL_SEP = re.compile(r"^\ufeff?sep=(.)\r?$")


def max_bytes() -> int:
    return getattr(settings, "MRM_IMPORT_MAX_BYTES", 50 * 1024 * 1024)


def max_rows() -> int:
    return getattr(settings, "MRM_IMPORT_MAX_ROWS", 100_000)


def max_cell_chars() -> int:
    # Excel itself keeps at most 32,767 characters in a cell: a longer value is a damaged or crafted file.
    return getattr(settings, "MRM_IMPORT_MAX_CELL_CHARS", 32_767)


@dataclass
class Row:
    line: int  # the row number the user sees in Excel (the header is usually 1)
    values: list[str]
    # CSV: the physical lines of the file this record was read from; a quoted value with line breaks
    # (or a quote that was never closed) makes a record span several lines.
    first: int | None = None
    last: int | None = None

    @property
    def spans_lines(self) -> bool:
        return self.first is not None and self.last is not None and self.last > self.first


@dataclass
class Table:
    kind: str  # "csv" or "xlsx"
    encoding: str
    delimiter: str
    headers: list[str]
    rows: Iterator[Row]
    row_estimate: int | None = None  # XLSX: rows counted from the sheet XML, without parsing cells


@dataclass
class FileInfo:
    kind: str
    encoding: str
    delimiter: str
    headers: list[str]
    row_count: int
    sample: list[Row] = field(default_factory=list)
    merged: list[Row] = field(default_factory=list)  # CSV rows that look like an unclosed quote ate lines


def check_size(size: int) -> None:
    if size > max_bytes():
        raise ServiceError(_("The file is %(size)s MB; the limit is %(limit)s MB. Split it into smaller files.") % {
            "size": _mb(size), "limit": _mb(max_bytes())}, field="file", code="too_big")


def _mb(n: int) -> str:
    value = n / (1024 * 1024)
    return f"{value:.1f}".rstrip("0").rstrip(".") if value < 10 else str(round(value))


def inspect_file(fileobj: BinaryIO, *, size: int) -> FileInfo:
    """Detect format, encoding and delimiter; read the headers, the first rows and count the rows.
    XLSX rows are counted from the sheet's XML (parsing 100,000 rows of cells takes ~15 s, counting
    them ~0.1 s); the job counts exactly and enforces the limit again."""
    check_size(size)
    table = open_table(fileobj)
    info = FileInfo(table.kind, table.encoding, table.delimiter, table.headers, 0)
    estimate = getattr(table, "row_estimate", None)
    for row in table.rows:  # open_table enforces the row limit while iterating
        info.row_count += 1
        if len(info.merged) < MERGED_REPORTED and looks_merged(row, table.delimiter, len(table.headers)):
            info.merged.append(row)
        if len(info.sample) < SAMPLE_ROWS:
            info.sample.append(row)
        elif estimate is not None and estimate <= max_rows():
            info.row_count = max(estimate, info.row_count)
            table.rows.close()
            break
    if info.row_count == 0:
        raise ServiceError(_("The file has a header row but no data under it."), field="file", code="no_rows")
    return info


MERGED_REPORTED = 5


def looks_merged(row: Row, delimiter: str, width: int) -> bool:
    """A CSV record read across several lines with a value whose later lines look like whole records
    (as many delimiters as a record of the file has): a quote opened and never closed on the record's
    first line swallowed the lines under it. A quoted note with line breaks does not look like that."""
    if not row.spans_lines or not delimiter:
        return False
    needed = max(1, width - 1)
    return any(any(line.count(delimiter) >= needed for line in v.splitlines()[1:]) for v in row.values)


def check_upload(fileobj: BinaryIO, *, name: str, size: int) -> str:
    """What the web request checks before storing an upload; no workbook is opened and no CSV parsed
    here (that happens in the job). Size, emptiness, the format by content (old .xls, an archive that is
    not a workbook or unpacks to too much, a text file named .xlsx, binary data named .csv). Returns the
    kind, "xlsx" or "csv"."""
    check_size(size)
    fileobj.seek(0)
    head = fileobj.read(64 * 1024)
    fileobj.seek(0)
    if not head.strip():
        if size <= len(head):
            raise ServiceError(_("The file is empty."), field="file", code="empty")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise ServiceError(_("This is an old Excel (.xls) or a password-protected file. Open it in Excel and save "
                             "it as .xlsx or CSV without a password."), field="file", code="xls")
    if head.startswith(b"PK\x03\x04"):
        archive.check_archive(fileobj)
        return "xlsx"
    text_like = _looks_like_text(head)
    if name.lower().endswith(".xlsx"):
        if text_like:
            raise ServiceError(_("This file is not an Excel workbook (it looks like text/CSV). Rename it to .csv and "
                                 "upload it again, or export it from your system again."), field="file",
                               code="text_named_xlsx")
        raise ServiceError(_("This file is not an Excel workbook. Export it from your system again as .xlsx or "
                             "CSV."), field="file", code="not_spreadsheet")
    if not text_like:
        raise ServiceError(_("We could not read the text of this file. Save it as CSV in UTF-8 or Windows-1251, or "
                             "as an Excel .xlsx file."), field="file", code="encoding")
    return "csv"


def _looks_like_text(head: bytes) -> bool:
    """The first bytes decode as text in one of the encodings we read (a character cut at the end of the
    sample is allowed)."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8-sig", "cp1251"]
    for encoding in candidates:
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            text = decoder.decode(head, final=False)
        except UnicodeDecodeError:
            continue
        return not _CONTROL.search(text)
    return False


def open_table(fileobj: BinaryIO, *, encoding: str = "", delimiter: str = "") -> Table:
    """Open an uploaded file as a table. Known encoding/delimiter (from an earlier inspection) are
    reused, so a preview reads only the first rows instead of the whole file."""
    fileobj.seek(0)
    head = fileobj.read(8)
    fileobj.seek(0)
    if not head:
        raise ServiceError(_("The file is empty."), field="file", code="empty")
    if head.startswith(b"PK\x03\x04"):
        return _open_xlsx(fileobj)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise ServiceError(_("This is an old Excel (.xls) or a password-protected file. Open it in Excel and save "
                             "it as .xlsx or CSV without a password."), field="file", code="xls")
    if encoding:
        text_stream = io.TextIOWrapper(fileobj, encoding=encoding, newline="")
        first = text_stream.readline()
        sep = _EXCEL_SEP.match(first)
        if not sep:
            text_stream.seek(0)
        return _csv_table(text_stream, encoding, delimiter or (sep.group(1) if sep else ","), 1 if sep else 0)
    text, encoding = decode(fileobj.read())
    sep = _EXCEL_SEP.match(text.split("\n", 1)[0])
    offset = 0
    if sep:  # Excel's "sep=;" hint line
        text, offset = (text.split("\n", 1) + [""])[1], 1
    delimiter = delimiter or (sep.group(1) if sep else detect_delimiter(text))
    return _csv_table(io.StringIO(text, newline=""), encoding, delimiter, offset)


def decode(data: bytes) -> tuple[str, str]:
    """Strict decoding, most specific first: a byte that does not fit is never silently replaced."""
    if data.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8", "cp1251"]
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _CONTROL.search(text[:1_000_000]):
            break  # binary data, or UTF-16 without a BOM: every candidate would produce garbage
        return text, encoding
    raise ServiceError(_("We could not read the text of this file. Save it as CSV in UTF-8 or Windows-1251, or as "
                         "an Excel .xlsx file."), field="file", code="encoding")


def detect_delimiter(text: str) -> str:
    """csv.Sniffer's guess, checked against how consistently each candidate splits the first lines."""
    sample = text[:65536]
    if len(text) > len(sample) and "\n" in sample:
        sample = sample[: sample.rfind("\n")]  # never score a line cut in half
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        sniffed = ""
    candidates = ([sniffed] if sniffed else []) + [d for d in DELIMITERS if d != sniffed]

    def score(delimiter: str) -> tuple[float, int]:
        try:
            rows = [r for r in csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter) if any(r)][:50]
        except csv.Error:
            return (0.0, 0)
        if not rows or len(rows[0]) < 2:
            return (0.0, 0)
        width = len(rows[0])
        return (sum(len(r) == width for r in rows) / len(rows), width)

    best = max(candidates, key=score)  # max keeps the first of equals: the sniffer wins ties
    return best if score(best) > (0.0, 0) else (sniffed or ",")


def _csv_table(stream, encoding: str, delimiter: str, line_offset: int) -> Table:
    reader = csv.reader(stream, delimiter=delimiter)
    line = line_offset
    try:
        for raw in reader:
            line += 1
            if any(v.strip() for v in raw):
                headers = [v.strip() for v in raw]
                break
        else:
            raise ServiceError(_("The file is empty."), field="file", code="empty")
    except csv.Error as exc:
        raise _broken(line + 1) from exc
    _check_headers(headers)

    def rows() -> Iterator[Row]:
        n, current, physical = 0, line, reader.line_num
        try:
            for raw in reader:
                current += 1
                first, physical = physical + 1, reader.line_num
                if not any(v.strip() for v in raw):
                    continue
                n += 1
                if n > max_rows():
                    raise _too_many_rows()
                if n % 256 == 0:
                    check_deadline()
                values = raw[:MAX_COLUMNS]
                _check_cells(values, current)
                yield Row(current, values, first + line_offset, physical + line_offset)
        except csv.Error as exc:
            raise _broken(current + 1) from exc

    return Table("csv", encoding, delimiter, headers, rows())


def _open_xlsx(fileobj: BinaryIO) -> Table:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    archive.check_archive(fileobj)
    try:
        with zipfile.ZipFile(fileobj) as zipped:
            # sharedStrings.xml is loaded whole even in read-only mode: measure what it really expands to.
            archive.measure_member(zipped, archive.SHARED_STRINGS, limit=archive.limits().shared_strings_bytes)
        fileobj.seek(0)
        workbook = load_workbook(fileobj, read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
    except (zipfile.BadZipFile, InvalidFileException, KeyError, IndexError, ValueError, OSError, TypeError) as exc:
        raise ServiceError(_("This file is not a spreadsheet we can read. Upload a CSV or an Excel .xlsx file."),
                           field="file", code="not_spreadsheet") from exc
    try:
        cells = sheet.iter_rows(values_only=True)
        line, headers = 0, None
        for raw in cells:
            line += 1
            values = [_cell(v) for v in raw[:MAX_COLUMNS + 1]]
            if any(v.strip() for v in values):
                headers = [v.strip() for v in values]
                break
            if line > 1000:
                break
    except MemoryError:
        workbook.close()
        raise
    except Exception as exc:  # openpyxl raises many kinds of error on damaged XML
        workbook.close()
        raise _broken(line + 1) from exc
    if headers is None:
        workbook.close()
        raise ServiceError(_("The first sheet of this workbook is empty."), field="file", code="empty")
    while headers and not headers[-1]:
        headers.pop()  # Excel pads rows up to the widest formatted column
    _check_headers(headers)

    def rows() -> Iterator[Row]:
        n, current = 0, line
        try:
            for raw in cells:
                current += 1
                values = [_cell(v) for v in raw[:MAX_COLUMNS]]
                if not any(v.strip() for v in values):
                    if current - line > 10 * max_rows():
                        break  # a sheet of formatted but empty rows
                    if current % 4096 == 0:
                        check_deadline()
                    continue
                n += 1
                if n > max_rows():
                    raise _too_many_rows()
                if n % 256 == 0:
                    check_deadline()
                _check_cells(values, current)
                yield Row(current, values)
        except (ServiceError, MemoryError):
            raise
        except Exception as exc:
            raise _broken(current + 1) from exc
        finally:
            workbook.close()

    xlsx = Table("xlsx", "", "", headers, rows())
    xlsx.row_estimate = _count_xml_rows(workbook, sheet, header_line=line)
    return xlsx


_ROW_END = re.compile(rb"</(?:\w+:)?row>")


def _count_xml_rows(workbook, sheet, *, header_line: int) -> int | None:
    """Rows with content below the header, counted from the raw sheet XML (closing row tags only:
    a self-closing <row/> is an empty formatted row)."""
    try:
        handle = workbook._archive.open(sheet._worksheet_path)  # openpyxl 3.1 read-only internals
    except (AttributeError, KeyError, OSError):
        return None
    count, tail = 0, b""
    with handle:
        while chunk := handle.read(1 << 20):
            data = tail + chunk
            count += len(_ROW_END.findall(data))
            tail = data[-16:]
            count -= len(_ROW_END.findall(tail))  # a tag inside the overlap is counted with the next chunk
    count += len(_ROW_END.findall(tail))
    return max(0, count - header_line)


def _cell(value) -> str:
    """An Excel value as the text the user sees (dates as ISO, 79161234567.0 as 79161234567)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _check_headers(headers: list[str]) -> None:
    if len(headers) > MAX_COLUMNS:
        raise ServiceError(_("The file has more than %(n)s columns. Remove the columns you don't need.") % {
            "n": MAX_COLUMNS}, field="file", code="too_many_columns")


def _check_cells(values: list[str], line: int) -> None:
    limit = max_cell_chars()
    for value in values:
        if len(value) > limit:
            raise ServiceError(_("Row %(line)s has a value of %(size)s characters; a cell holds at most %(n)s. The "
                                 "file is damaged or a quote is not closed: check the row and export the file "
                                 "again.") % {"line": line, "size": f"{len(value):,}".replace(",", "\u202f"),
                                              "n": f"{limit:,}".replace(",", "\u202f")},
                               field="file", code="cell_too_big")


def _too_many_rows() -> ServiceError:
    return ServiceError(_("The file has more than %(n)s rows. Split it into several files.") % {
        "n": f"{max_rows():,}".replace(",", "\u202f")}, field="file", code="too_many_rows")


def _broken(line: int) -> ServiceError:
    return ServiceError(_("The file is damaged near row %(line)s and cannot be read. Export it again or save it as "
                          "CSV.") % {"line": line}, field="file", code="broken")
