"""File import of daily metrics: upload → a job reads the file → mapping and preview → a Celery job that
checks every row and replaces the source's facts → the report with the errors per row.

The web request only runs the CRM import's cheap checks (size, format by content, the zip directory of an
.xlsx) and stores the file; a reading job (`metric_import_inspect`) reads the header and the first rows for
the mapping page, and the import job the whole file, both with the CRM import's reader under its memory and
time caps (`clients.importing.readers`, `.limits`), so a crafted workbook never runs inside a web worker. A file with any bad row writes nothing: the facts imported
before stay exactly as they were. A good file replaces, per campaign, the days it covers (services.metrics).
"""
import codecs
import logging
import re
from contextlib import contextmanager
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from clients.importing import readers
from clients.importing.limits import job_limits
from mrm.core.errors import ServiceError
from mrm.jobs.models import Job
from mrm.jobs.services import job_create, job_lock, job_progress, job_succeed
from mrm.tenancy.models import Agency
from mrm.tenancy.services import audit

from .. import channels
from ..importing import check_duplicates, guess_mapping, mapping_problems, parse_row
from ..models import DataSource, MetricImport
from .metrics import metrics_replace, source_record_error

logger = logging.getLogger(__name__)
PREVIEW_ROWS = 20
REPORTED_ERRORS = 2000  # rows with reasons kept in the report; the count is always exact
SAMPLE_CELL_CHARS = 500


def max_bytes() -> int:
    return getattr(settings, "MRM_REPORTING_IMPORT_MAX_BYTES", 20 * 1024 * 1024)


def check_size(size: int) -> None:
    if size > max_bytes():
        raise ServiceError(_("The file is larger than %(limit)s. Split it by month and upload the parts.")
                           % {"limit": filesizeformat(max_bytes())}, field="file", code="too_big")


def agency_today(agency: Agency):
    from zoneinfo import ZoneInfo

    return timezone.now().astimezone(ZoneInfo(agency.timezone or "Europe/Moscow")).date()


_UTF8_CYRILLIC = re.compile(rb"[\xd0\xd1][\x80-\xbf]")
_HIGH_BYTE = re.compile(rb"[\x80-\xff]")


def mixed_encodings(head: bytes) -> bool:
    """True for text that is not valid UTF-8 yet mostly made of UTF-8 Cyrillic: rows pasted from a UTF-8 file
    into a Windows-1251 one (or back). Read as Windows-1251 it would import as «РљР°РјРїР°РЅРёСЏ»; in real
    Windows-1251 text «Р»/«С» before one of 0x80–0xBF (punctuation) is rare."""
    high = len(_HIGH_BYTE.findall(head))
    return high > 0 and 2 * len(_UTF8_CYRILLIC.findall(head)) > high // 2


def _refuse_mixed_encodings(head: bytes) -> None:
    """The one check of a CSV's text the request makes (on its first megabyte, no parsing): UTF-8 rows pasted
    into a Windows-1251 file would import garbled."""
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        if mixed_encodings(head):
            raise ServiceError(_("Part of the file is in UTF-8 and part in Windows-1251 (rows copied from different "
                                 "files?), so its text would import garbled. Save the whole file again in one "
                                 "encoding, UTF-8, and upload it."), field="file", code="encoding") from None


@transaction.atomic
def metric_import_upload(*, agency: Agency, actor, source: DataSource, upload) -> MetricImport:
    """Store an upload that passes the cheap checks and queue the job that reads it (after commit): no
    workbook is opened and no CSV parsed in the request."""
    check_size(upload.size)
    kind = readers.check_upload(upload, name=upload.name, size=upload.size)
    if kind == "csv":
        upload.seek(0)
        _refuse_mixed_encodings(upload.read(1024 * 1024))
    item = MetricImport(agency=agency, source=source, uploaded_by=actor, original_name=upload.name[:200], kind=kind,
                        currency=source.currency, channel=channels.FOR_SOURCE_KIND.get(source.kind, ""))
    upload.seek(0)
    item.file.save("upload.xlsx" if kind == "xlsx" else "upload.csv", upload, save=False)
    item.inspection = job_create(agency=agency, actor=actor, kind="reporting.import_inspect",
                                 title=_("Reading %(name)s") % {"name": item.original_name[:150]},
                                 params={"import_id": str(item.pk)})
    item.save()
    audit(agency=agency, actor=actor, action="reporting.import_uploaded", target=item,
          changes={"source": (None, source.name), "size": (None, upload.size)})
    from ..tasks import metric_import_inspect_task

    metric_import_inspect_task.delay_on_commit(agency_id=agency.pk, import_id=str(item.pk))
    return item


def metric_import_inspect(*, agency: Agency, item: MetricImport, job: Job) -> MetricImport:
    """The reading job: format, encoding, delimiter, headers, the row count and the first rows, read by the CRM
    import's reader under its memory and time caps; guesses the mapping. Repeating it gives the same result."""
    job_progress(job=job, progress=10, message=_("Reading the file…"))
    with job_limits(), _stored_file(item) as fh:
        info = readers.inspect_file(fh, size=item.file.size)
    item.encoding, item.delimiter, item.headers = info.encoding, info.delimiter, info.headers
    item.mapping = guess_mapping(info.headers)
    item.sample = [{"line": r.line, "values": [v[:SAMPLE_CELL_CHARS] for v in r.values]}
                   for r in info.sample[:PREVIEW_ROWS]]
    item.report = {"rows": info.row_count}
    item.save(update_fields=["encoding", "delimiter", "headers", "mapping", "sample", "report", "updated_at"])
    job_succeed(job=job, message=_("%(n)s rows read") % {"n": info.row_count})
    return item


def _reading_problem(item: MetricImport) -> str:
    """Why the import cannot start yet because of its reading job ("" when the file has been read)."""
    if item.inspection_id is None:
        return ""
    inspection = Job.objects.get(agency_id=item.agency_id, pk=item.inspection_id)
    if inspection.status == Job.Status.SUCCEEDED:
        return ""
    return (_("The file is still being read; wait a moment.") if not inspection.is_finished else
            _("This file could not be read. Upload a fixed file."))


def _is_running(item: MetricImport) -> bool:
    return item.job_id is not None and not Job.objects.get(agency_id=item.agency_id, pk=item.job_id).is_finished


@transaction.atomic
def metric_import_configure(*, agency: Agency, item: MetricImport, mapping: dict[str, str], currency: str,
                            channel: str) -> MetricImport:
    item = MetricImport.objects.select_for_update().get(agency=agency, pk=item.pk)
    if _is_running(item):
        raise ServiceError(_("The import is running; wait until it finishes."))
    if problem := _reading_problem(item):
        raise ServiceError(problem)
    columns = len(item.headers)
    item.mapping = {str(i): k for i, k in mapping.items() if k and 0 <= int(i) < columns}
    item.currency = currency.strip().upper()[:3] or item.source.currency
    item.channel = channels.normalize(channel)
    item.save(update_fields=["mapping", "currency", "channel", "updated_at"])
    return item


def import_mapping(item: MetricImport) -> dict[int, str]:
    return dict(sorted((int(i), k) for i, k in item.mapping.items() if k))


def metric_import_preview(*, agency: Agency, item: MetricImport) -> list:
    """The first rows as they would be imported, each with its errors (duplicates within the sample too)."""
    mapping, today = import_mapping(item), agency_today(agency)
    rows = [parse_row(line=r["line"], values=r["values"], mapping=mapping, today=today, currency=item.currency,
                      channel=item.channel) for r in item.sample[:PREVIEW_ROWS]]
    check_duplicates(rows)
    return rows


@transaction.atomic
def metric_import_start(*, agency: Agency, actor, item: MetricImport) -> Job:
    """Queue the import job (after commit); running a finished import again is allowed: it is idempotent."""
    item = MetricImport.objects.select_for_update().get(agency=agency, pk=item.pk)
    if _is_running(item):
        raise ServiceError(_("The import is already running."))
    if problem := _reading_problem(item):
        raise ServiceError(problem)
    problems = mapping_problems(item.mapping)
    if problems:
        raise ServiceError(problems[0])
    job = job_create(agency=agency, actor=actor, kind="reporting.import",
                     title=_("Import of %(name)s") % {"name": item.original_name[:150]},
                     params={"import_id": str(item.pk)})
    item.job = job
    item.report = {"rows": item.report["rows"]} if "rows" in item.report else {}
    item.save(update_fields=["job", "report", "updated_at"])
    audit(agency=agency, actor=actor, action="reporting.import_started", target=item,
          changes={"mapping": (None, ", ".join(f"{item.headers[int(i)]} → {k}" for i, k in item.mapping.items()))})
    from ..tasks import metric_import_run_task

    metric_import_run_task.delay_on_commit(agency_id=agency.pk, import_id=str(item.pk))
    return job


@contextmanager
def _stored_file(item: MetricImport):
    """The stored upload; a file gone from storage is a clear error, not a crash."""
    try:
        fh = item.file.open("rb")
    except (ValueError, OSError):
        raise ServiceError(_("The uploaded file is no longer available. Upload it again.")) from None
    with fh:
        yield fh


@contextmanager
def open_import_table(item: MetricImport):
    with _stored_file(item) as fh:
        yield readers.open_table(fh, encoding=item.encoding, delimiter=item.delimiter)


def metric_import_run(*, agency: Agency, item: MetricImport, job: Job) -> dict:
    """The job's work under the memory and time caps; a bad file writes nothing and names every bad row."""
    try:
        with job_limits():
            return _run(agency=agency, item=item, job=job)
    except ServiceError as exc:
        source_record_error(agency=agency, source=item.source, error=exc.message)
        raise


def _run(*, agency: Agency, item: MetricImport, job: Job) -> dict:
    from mrm.tenancy.models import Membership
    from mrm.tenancy.policy import can

    uploader = Membership.objects.filter(agency=agency, user_id=item.uploaded_by_id, is_active=True).first()
    if not can(uploader, "reporting.manage"):
        raise ServiceError(_("The person who uploaded the file no longer may import metrics."))
    mapping, today = import_mapping(item), agency_today(agency)
    job_progress(job=job, progress=2, message=_("Reading the file…"))
    rows = []
    with open_import_table(item) as table:
        for n, raw in enumerate(table.rows, 1):
            rows.append(parse_row(line=raw.line, values=raw.values, mapping=mapping, today=today,
                                  currency=item.currency, channel=item.channel))
            if n % 2000 == 0:
                job_progress(job=job, progress=min(50, 2 + n // 2000), message=_("Checked %(n)s rows") % {"n": n})
    check_duplicates(rows)
    bad = [r for r in rows if not r.ok]
    report = {"rows": len(rows), "error_count": len(bad),
              "errors": [{"line": r.line, "errors": r.errors} for r in bad[:REPORTED_ERRORS]]}
    if not rows:
        raise ServiceError(_("The file has a header row but no data under it."))
    if bad:
        report["outcome"] = "rejected"
        _save_report(item, report)
        raise ServiceError(_("%(n)s rows have errors, so nothing was imported and the data imported before is "
                             "unchanged. Fix the rows in the file and upload it again.") % {"n": len(bad)})
    job_progress(job=job, progress=60, message=_("Saving %(n)s rows…") % {"n": len(rows)})
    with transaction.atomic():
        # Facts, report and the job's success commit together under the job row's lock: a run whose claim was
        # taken over writes nothing, and of two deliveries only the one holding the claim imports.
        locked = job_lock(job=job)
        if locked.status != Job.Status.RUNNING or locked.attempts != job.attempts:
            logger.warning("metric import job %s: the claim was lost; the run holding it imports", job.pk)
            return report
        counts = metrics_replace(agency=agency, source=item.source, rows=[r.data for r in rows])
        report.update(counts, outcome="done", finished_at=timezone.now().isoformat())
        _save_report(item, report)
        audit(agency=agency, actor=item.uploaded_by, action="reporting.import_completed", target=item,
              changes={k: (None, report[k]) for k in ("rows", "replaced", "date_from", "date_to")})
        job_succeed(job=job, message=_("%(rows)s rows imported") % report,
                    result_url=reverse("reporting:import_detail", args=[item.pk]))
    return report


def _save_report(item: MetricImport, report: dict) -> None:
    MetricImport.objects.filter(agency_id=item.agency_id, pk=item.pk).update(report=report, updated_at=timezone.now())
    item.report = report


def finished_at(item: MetricImport) -> datetime | None:
    value = (item.report or {}).get("finished_at")
    return datetime.fromisoformat(value) if value else None
