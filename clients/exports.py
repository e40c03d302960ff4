"""CSV and XLSX exports of the filtered client list, written by mrm.core.exports (which keeps every cell
from running as a formula: CSV injection protection). The agency's active custom fields come last, one
column each (`custom`: their definitions, read once by the view)."""
from django.utils import timezone
from django.utils.translation import gettext as _

from mrm.core.exports import csv_response, xlsx_response


def _headers(custom=()) -> list[str]:
    return [_("Client"), _("Legal name"), _("Status"), _("Industry"), _("Account manager"), _("Tags"), _("Website"),
            _("Source"), _("Size"), _("Start date"), _("Last contact"), _("Created"), *(f.label for f in custom)]


def custom_cell(value) -> str:
    if value is None:
        return ""
    return str(value)


def _row(client, custom=()) -> list[str]:
    last = timezone.localtime(client.last_contact_at).strftime("%Y-%m-%d %H:%M") if client.last_contact_at else ""
    return [
        client.name, client.legal_name, client.get_status_display(), client.industry,
        client.owner.full_name if client.owner else "", ", ".join(t.name for t in client.tags.all()),
        client.website, client.get_source_display(), client.get_size_display(),
        client.start_date.isoformat() if client.start_date else "", last,
        timezone.localtime(client.created_at).strftime("%Y-%m-%d"),
        *(custom_cell((client.custom or {}).get(f.key)) for f in custom),
    ]


def _rows(qs, custom=(), chunk: int = 500):
    # Chunks keep memory flat for 10,000 clients while prefetching tags per chunk.
    offset = 0
    while True:
        batch = list(qs[offset:offset + chunk])
        if not batch:
            return
        yield from (_row(c, custom) for c in batch)
        offset += chunk


def _filename(ext: str) -> str:
    return f"clients-{timezone.localdate():%Y-%m-%d}.{ext}"


def client_export_csv(qs, *, custom=()):
    # Built in memory, not streamed: the queries must run inside the request's agency scope.
    return csv_response(filename=_filename("csv"), header=_headers(custom), rows=_rows(qs, custom))


def client_export_xlsx(qs, *, custom=()):
    return xlsx_response(filename=_filename("xlsx"), header=_headers(custom), rows=_rows(qs, custom),
                         sheet_title=_("Clients"))
