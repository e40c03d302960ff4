"""CSV and XLSX exports of the filtered client list. Cells that a spreadsheet would run as a formula
(= + - @, tab, CR) are prefixed with an apostrophe: CSV injection protection."""
import csv
import io

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _headers() -> list[str]:
    return [_("Client"), _("Legal name"), _("Status"), _("Industry"), _("Account manager"), _("Tags"), _("Website"),
            _("Source"), _("Size"), _("Start date"), _("Last contact"), _("Created")]


def _row(client) -> list[str]:
    last = timezone.localtime(client.last_contact_at).strftime("%Y-%m-%d %H:%M") if client.last_contact_at else ""
    return [safe_cell(v) for v in (
        client.name, client.legal_name, client.get_status_display(), client.industry,
        client.owner.full_name if client.owner else "", ", ".join(t.name for t in client.tags.all()),
        client.website, client.get_source_display(), client.get_size_display(),
        client.start_date.isoformat() if client.start_date else "", last,
        timezone.localtime(client.created_at).strftime("%Y-%m-%d"),
    )]


def _rows(qs, chunk: int = 500):
    # Chunks keep memory flat for 10,000 clients while prefetching tags per chunk.
    offset = 0
    while True:
        batch = list(qs[offset:offset + chunk])
        if not batch:
            return
        yield from (_row(c) for c in batch)
        offset += chunk


def _filename(ext: str) -> str:
    return f"clients-{timezone.localdate():%Y-%m-%d}.{ext}"


def client_export_csv(qs) -> HttpResponse:
    # Built in memory, not streamed: the queries must run inside the request's agency scope.
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(_headers())
    writer.writerows(_rows(qs))
    response = HttpResponse(("\ufeff" + out.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename("csv")}"'
    return response


def client_export_xlsx(qs) -> HttpResponse:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Clients"))
    sheet.freeze_panes = "A2"
    header = []
    for title in _headers():
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    for row in _rows(qs):
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{_filename("xlsx")}"'
    return response
