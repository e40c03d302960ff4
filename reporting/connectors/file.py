"""The file source as a connector: the rows of its last successfully imported file, re-read and re-checked."""
from datetime import date

from django.utils.translation import gettext as _

from mrm.core.errors import ServiceError

from . import base


class FileConnector:
    kind = "file"

    def fetch(self, source, date_from: date, date_to: date) -> list[base.MetricRow]:
        from ..importing import check_duplicates, parse_row
        from ..models import MetricImport
        from ..services.importing import agency_today, import_mapping, open_import_table

        item = (MetricImport.objects.filter(agency_id=source.agency_id, source=source, report__outcome="done")
                .order_by("-created_at").first())
        if item is None:
            raise ServiceError(_("No file has been imported into this source yet."), code="no_file")
        mapping, today = import_mapping(item), agency_today(source.agency)
        with open_import_table(item) as table:
            rows = [parse_row(line=r.line, values=r.values, mapping=mapping, today=today, currency=item.currency,
                              channel=item.channel) for r in table.rows]
        check_duplicates(rows)
        bad = [r for r in rows if not r.ok]
        if bad:
            raise ServiceError(_("Row %(line)s of the file: %(error)s") % {"line": bad[0].line,
                                                                             "error": bad[0].errors[0]})
        return [r.data for r in rows if date_from <= r.data["date"] <= date_to]


base.register("file", FileConnector)
