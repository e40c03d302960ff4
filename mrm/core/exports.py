"""The one way the app writes CSV and XLSX files for people to open in a spreadsheet.

Every text cell goes through `safe_cell`: a value that starts with = + - @ (also after leading spaces or line
breaks), a tab or a carriage return would be run by Excel/LibreOffice as a formula (`=HYPERLINK(...)`,
`@SUM(...)`, DDE), so it gets a leading apostrophe and stays text (CSV/formula injection, OWASP). Numbers,
dates and booleans are not text and pass as they are. CSV is UTF-8 with a BOM so Excel reads Cyrillic.
"""
import csv
import datetime
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.http import HttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_PLAIN = (int, float, Decimal, datetime.date, datetime.datetime, datetime.time)


def safe_cell(value):
    """A cell value a spreadsheet shows as written: text that could start a formula gets an apostrophe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, _PLAIN):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS) or text.lstrip(" \n\r\t").startswith(FORMULA_STARTS):
        return "'" + text
    return text


def csv_bytes(*, header: Sequence, rows: Iterable[Sequence], delimiter: str = ",", encoding: str = "utf-8-sig",
              lineterminator: str = "\r\n") -> bytes:
    """Every cell formula-safe. UTF-8 with a BOM by default; an encoding such as cp1251 (1C's loaders) replaces
    the characters it lacks."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=lineterminator)
    writer.writerow([safe_cell(v) for v in header])
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return out.getvalue().encode(encoding, errors="strict" if encoding.startswith("utf") else "replace")


def xlsx_bytes(*, header: Sequence, rows: Iterable[Sequence], sheet_title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title[:31])  # Excel's limit for a sheet name
    sheet.freeze_panes = "A2"
    header_cells = []
    for title in header:
        cell = WriteOnlyCell(sheet, value=safe_cell(title))
        cell.font = Font(bold=True)
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=safe_cell(value))
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula cell, whatever openpyxl would infer
            cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def download_response(content: bytes, *, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_response(*, filename: str, header: Sequence, rows: Iterable[Sequence], delimiter: str = ",") -> HttpResponse:
    return download_response(csv_bytes(header=header, rows=rows, delimiter=delimiter), filename=filename,
                             content_type=CSV_TYPE)


def xlsx_response(*, filename: str, header: Sequence, rows: Iterable[Sequence], sheet_title: str) -> HttpResponse:
    return download_response(xlsx_bytes(header=header, rows=rows, sheet_title=sheet_title), filename=filename,
                             content_type=XLSX_TYPE)
