"""Import of companies, contacts and deals: upload → a job reads the file → mapping and preview → a
Celery job that writes.

The web request only runs cheap checks (size, format by content, the zip directory of an .xlsx) and stores
the file; parsing happens in jobs under memory and time caps (`importing.limits`), and the mapping page
previews the rows the reading job kept (`ImportFile.sample`) without opening the file again.

Invariants: a file that fails the cheap checks is refused before anything is stored; a run writes all of its
good rows in one transaction or nothing; with bad rows and "skip bad rows" off it writes nothing and
reports every bad row; re-importing the same file matches existing records on the chosen key, so it
creates no duplicates.
"""
import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mrm.core.errors import ServiceError
from mrm.core.exports import csv_bytes
from mrm.jobs.models import Job
from mrm.jobs.services import job_create, job_lock, job_progress, job_succeed
from mrm.tenancy.models import Agency, Membership, Role
from mrm.tenancy.services import audit

from ..importing import readers
from ..importing.limits import job_limits
from ..importing.resolve import CheckedRow, Resolver, import_custom_fields
from ..importing.schema import CUSTOM_PREFIX, default_match_key, guess_mapping, mapping_problems
from ..models import Client, Contact, Deal, ImportFile, PipelineStage, Tag
from . import history
from .onboarding import onboarding_start_if_active
from .pipelines import pipeline_ensure_default

logger = logging.getLogger(__name__)
E = ImportFile.Entity
PREVIEW_ROWS = 20
REPORTED_ERRORS = 5000  # rows with reasons kept in the report; the count is always exact
BATCH = 500


SAMPLE_CELL_CHARS = 10_001  # enough to tell that a value is over the longest field (notes, 10,000)
SAMPLE_CHARS = 1_000_000  # the whole stored sample, so a wide file of long cells keeps the row JSON small


@contextmanager
def _stored_file(import_file: ImportFile) -> Iterator:
    """The stored upload; a file gone from storage is a clear error, not a crash."""
    try:
        fh = import_file.file.open("rb")
    except (ValueError, OSError):
        raise ServiceError(_("The uploaded file is no longer available. Upload it again.")) from None
    with fh:
        yield fh


@contextmanager
def open_import_file(import_file: ImportFile) -> Iterator[readers.Table]:
    """The stored upload as a table (for the jobs: it parses the file)."""
    with _stored_file(import_file) as fh:
        yield readers.open_table(fh, encoding=import_file.encoding, delimiter=import_file.delimiter)


def import_file_available(import_file: ImportFile) -> bool:
    """The stored file still exists (a storage lookup; nothing is read)."""
    try:
        return bool(import_file.file) and import_file.file.storage.exists(import_file.file.name)
    except (ValueError, OSError):
        return False


def _int_mapping(import_file: ImportFile) -> dict[int, str]:
    return dict(sorted((int(i), k) for i, k in import_file.mapping.items() if k))


@transaction.atomic
def import_file_upload(*, agency: Agency, actor, entity: str, upload) -> ImportFile:
    """Store an upload that passes the cheap checks and queue the job that reads it (after commit)."""
    if entity not in E.values:
        raise ServiceError(_("Choose what the file contains."), field="entity")
    kind = readers.check_upload(upload, name=upload.name, size=upload.size)
    import_file = ImportFile(agency=agency, uploaded_by=actor, entity=entity, original_name=upload.name[:200],
                             report={"kind": kind})
    upload.seek(0)
    import_file.file.save(_safe_name(upload.name, kind), upload, save=False)
    import_file.inspection = job_create(agency=agency, actor=actor, kind="clients.import_inspect",
                                        title=_("Reading %(name)s") % {"name": import_file.original_name[:150]},
                                        params={"import_id": str(import_file.pk)})
    import_file.save()
    audit(agency=agency, actor=actor, action="client_import.uploaded", target=import_file,
          changes={"entity": (None, entity), "size": (None, upload.size)})
    from ..tasks import import_inspect_task

    import_inspect_task.delay_on_commit(agency_id=agency.pk, import_id=str(import_file.pk))
    return import_file


def _safe_name(name: str, kind: str) -> str:
    if kind == "xlsx":
        return "upload.xlsx"
    ext = name.rpartition(".")[2].lower()
    return f"upload.{ext if ext in ('csv', 'txt', 'tsv') else 'csv'}"


def import_file_inspect(*, agency: Agency, import_file: ImportFile, job: Job) -> ImportFile:
    """The reading job: format, encoding, delimiter, headers, the row count and the first rows, under the
    memory and time caps; guesses the column mapping. Repeating it gives the same result."""
    job_progress(job=job, progress=10, message=_("Reading the file…"))
    with job_limits(), _stored_file(import_file) as fh:
        info = readers.inspect_file(fh, size=import_file.file.size)
    mapping = guess_mapping(import_file.entity, info.headers,
                            import_custom_fields(agency=agency, entity=import_file.entity))
    import_file.encoding, import_file.delimiter, import_file.headers = info.encoding, info.delimiter, info.headers
    import_file.mapping, import_file.match_key = mapping, default_match_key(import_file.entity, mapping)
    import_file.sample = _sample(info.sample)
    import_file.report = {"rows": info.row_count, "kind": info.kind,
                          "merged": [{"line": r.line, "first": r.first, "last": r.last} for r in info.merged]}
    import_file.save(update_fields=["encoding", "delimiter", "headers", "mapping", "match_key", "sample", "report",
                                    "updated_at"])
    job_succeed(job=job, message=_("%(n)s rows read") % {"n": info.row_count})
    return import_file


def _sample(rows: list[readers.Row]) -> list[dict]:
    sample, budget = [], SAMPLE_CHARS
    for row in rows:
        values = [v[:SAMPLE_CELL_CHARS] for v in row.values]
        budget -= sum(len(v) for v in values)
        if budget < 0 and sample:
            break
        sample.append({"line": row.line, "values": values, "first": row.first, "last": row.last})
    return sample


def sample_rows(import_file: ImportFile) -> list[readers.Row]:
    """The first rows of the file as the reading job kept them."""
    return [readers.Row(r["line"], r["values"], r.get("first"), r.get("last")) for r in import_file.sample]


@transaction.atomic
def import_file_configure(*, agency: Agency, import_file: ImportFile, mapping: dict[str, str], match_key: str,
                          skip_bad_rows: bool) -> ImportFile:
    """Save the column mapping and options (a draft: the run is what the audit log records)."""
    import_file = ImportFile.objects.select_for_update().get(agency=agency, pk=import_file.pk)
    if _is_running(import_file):
        raise ServiceError(_("The import is running; wait until it finishes."))
    columns = len(import_file.headers)
    import_file.mapping = {str(i): k for i, k in mapping.items() if k and 0 <= int(i) < columns}
    import_file.match_key = match_key
    import_file.skip_bad_rows = skip_bad_rows
    import_file.save(update_fields=["mapping", "match_key", "skip_bad_rows", "updated_at"])
    return import_file


def _is_running(import_file: ImportFile) -> bool:
    return import_file.job_id is not None and not Job.objects.get(
        agency_id=import_file.agency_id, pk=import_file.job_id).is_finished


def import_preview(*, agency: Agency, membership: Membership, import_file: ImportFile) -> list[CheckedRow]:
    """The first rows of the file as they would be imported, each with its errors."""
    resolver = Resolver(agency=agency, membership=membership, entity=import_file.entity,
                        match_key=import_file.match_key)
    mapping = _int_mapping(import_file)
    return [resolver.check(row, mapping) for row in sample_rows(import_file)[:PREVIEW_ROWS]]


@transaction.atomic
def import_start(*, agency: Agency, actor, import_file: ImportFile) -> Job:
    """Queue the import job (after commit). Starting again after a finished run is allowed: it is idempotent."""
    import_file = ImportFile.objects.select_for_update().get(agency=agency, pk=import_file.pk)
    if _is_running(import_file):
        raise ServiceError(_("The import is already running."))
    if import_file.inspection_id is not None:
        inspection = Job.objects.get(agency=agency, pk=import_file.inspection_id)
        if inspection.status != Job.Status.SUCCEEDED:
            raise ServiceError(_("The file is still being read; wait a moment.") if not inspection.is_finished else
                               _("This file could not be read. Upload a fixed file."))
    problems = mapping_problems(import_file.entity, import_file.mapping, import_file.match_key,
                                import_custom_fields(agency=agency, entity=import_file.entity))
    if problems:
        raise ServiceError(problems[0][1], field=problems[0][0] or None)
    job = job_create(agency=agency, actor=actor, kind="clients.import",
                     title=_("Import of %(name)s") % {"name": import_file.original_name},
                     params={"import_id": str(import_file.pk)})
    import_file.job = job
    import_file.report = {k: import_file.report.get(k) for k in ("rows", "kind", "merged") if k in import_file.report}
    import_file.save(update_fields=["job", "report", "updated_at"])
    audit(agency=agency, actor=actor, action="client_import.started", target=import_file, changes={
        "mapping": (None, ", ".join(f"{import_file.headers[int(i)]} → {k}" for i, k in import_file.mapping.items())),
        "match_key": (None, import_file.match_key), "skip_bad_rows": (None, import_file.skip_bad_rows)})
    from ..tasks import import_run_task

    import_run_task.delay_on_commit(agency_id=agency.pk, import_id=str(import_file.pk))
    return job


def import_run(*, agency: Agency, import_file: ImportFile, job: Job) -> dict:
    """The job's work: check every row, then write the good ones in one transaction (or nothing), under
    the memory and time caps."""
    with job_limits():
        return _import_run(agency=agency, import_file=import_file, job=job)


def _import_run(*, agency: Agency, import_file: ImportFile, job: Job) -> dict:
    membership = Membership.objects.filter(agency=agency, user_id=import_file.uploaded_by_id, is_active=True,
                                           role__in=[Role.DIRECTOR, Role.AM]).select_related("user").first()
    if membership is None:
        raise ServiceError(_("The person who uploaded the file no longer has access to import."))
    total = import_file.report.get("rows") or 1
    resolver = Resolver(agency=agency, membership=membership, entity=import_file.entity,
                        match_key=import_file.match_key)
    mapping = _int_mapping(import_file)
    good: list[CheckedRow] = []
    bad: list[CheckedRow] = []
    reported: list[dict] = []  # the bad rows with their reasons and their cells, for the page and the CSV
    job_progress(job=job, progress=2, message=_("Reading the file…"))
    with open_import_file(import_file) as table:
        for n, row in enumerate(table.rows, 1):
            checked = resolver.check(row, mapping)
            (good if checked.ok else bad).append(checked)
            if not checked.ok and len(reported) < REPORTED_ERRORS:
                reported.append({"line": row.line, "errors": checked.errors, "values": row.values})
            if n % 1000 == 0:
                job_progress(job=job, progress=min(50, 2 + 48 * n // total), message=_(
                    "Checked %(n)s of %(total)s rows") % {"n": n, "total": total})
    report = {"rows": len(good) + len(bad), "kind": import_file.report.get("kind"),
              "merged": import_file.report.get("merged", []), "created": 0, "updated": 0,
              "unchanged": 0, "skipped": 0, "error_count": len(bad),
              "errors": reported}
    if bad and not import_file.skip_bad_rows:
        report["outcome"] = "rejected"
        _save_report(import_file, report)
        raise ServiceError(_("%(n)s rows have errors, so nothing was imported. Fix them in the file, or tick “Skip "
                             "bad rows” to import the good rows only.") % {"n": len(bad)})
    report["skipped"] = len(bad)
    job_progress(job=job, progress=55, message=_("Saving %(n)s rows…") % {"n": len(good)})
    writer = {E.COMPANIES: _write_companies, E.CONTACTS: _write_contacts, E.DEALS: _write_deals}[import_file.entity]
    with transaction.atomic():
        # The rows, the report and the job's success commit together, under the job row's lock: a run whose
        # claim was taken over (its worker went silent past the lease) writes nothing, and of two runs only
        # the one still holding the claim imports.
        locked = job_lock(job=job)
        if locked.status != Job.Status.RUNNING or locked.attempts != job.attempts:
            logger.warning("import job %s: the claim was lost; the run holding it imports", job.pk)
            return report
        counts = writer(agency=agency, membership=membership, rows=good, match_key=import_file.match_key)
        report.update(counts, outcome="done", finished_at=timezone.now().isoformat())
        _save_report(import_file, report)
        audit(agency=agency, actor=membership.user, action="client_import.completed", target=import_file,
              changes={k: (None, report[k]) for k in ("created", "updated", "unchanged", "skipped")})
        job_succeed(job=job, message=_("%(created)s created, %(updated)s updated, %(skipped)s skipped") % report)
    return report


def _save_report(import_file: ImportFile, report: dict) -> None:
    ImportFile.objects.filter(agency_id=import_file.agency_id, pk=import_file.pk).update(
        report=report, updated_at=timezone.now())
    import_file.report = report


def _apply(obj, values: dict, *, overwrite: bool = True) -> set[str]:
    """Set non-empty imported values; an empty cell never erases what the AM already has."""
    changed = set()
    for name, value in values.items():
        if value in ("", None) or (not overwrite and getattr(obj, name)):
            continue
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed.add(name)
    return changed


def _write(model, *, agency: Agency, rows: Iterable[CheckedRow], build, values, match_key: str,
           track: tuple[str, ...] = (), record=None) -> tuple[dict, dict, list, list]:
    """Create or update one model from checked rows; rows with the same key merge into one record.
    A name used as the key is not rewritten: "кофейня зерно" matched «Кофейня Зерно» and keeps it.
    `record(created, changed)` gets the new objects and (object, old values of `track`) of the updated
    ones once everything is saved: the status/stage history of `clients.services.history`."""
    keep = match_key if match_key in ("name", "full_name", "title") else None
    rows = list(rows)
    ids = [r.existing_id for r in rows if r.existing_id is not None]
    existing = {}
    for start in range(0, len(ids), BATCH):
        existing.update(model.objects.filter(agency=agency, pk__in=ids[start:start + BATCH]).in_bulk())
    seen: dict = {}
    created, dirty, before = [], {}, {}
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    by_row = {}
    for row in rows:
        obj = existing.get(row.existing_id) if row.existing_id is not None else seen.get(row.key)
        if obj is None:
            obj = build(row)
            created.append(obj)
            seen[row.key] = obj
            counts["created"] += 1
        else:
            if track and obj.pk in existing:
                before.setdefault(obj.pk, tuple(getattr(obj, name) for name in track))
            changed = _apply(obj, {k: v for k, v in values(row, obj).items() if k != keep})
            if changed and obj.pk in existing:
                dirty.setdefault(obj.pk, (obj, set()))[1].update(changed)
            counts["updated" if changed else "unchanged"] += 1
        by_row[row.line] = obj
    model.objects.bulk_create(created, batch_size=BATCH)
    now = timezone.now()
    groups: dict[frozenset, list] = {}
    for obj, changed in dirty.values():
        obj.updated_at = now
        groups.setdefault(frozenset(changed | {"updated_at"}), []).append(obj)
    for fields, objs in groups.items():
        model.objects.bulk_update(objs, sorted(fields), batch_size=BATCH)
    if record is not None:
        record(created, [(obj, before[obj.pk]) for obj, _changed in dirty.values() if obj.pk in before])
    if created or dirty:  # bulk writes send no signals: the cached board totals and dashboard figures are told here
        _announce(agency)
    return counts, by_row, created, [obj for obj, changed in dirty.values() if "status" in changed]


def _announce(agency: Agency) -> None:
    from dashboards.figures_cache import figures_changed

    from ..caches import crm_changed

    crm_changed(agency_id=agency.pk)
    figures_changed(agency_id=agency.pk)


def _custom(row: CheckedRow, obj=None) -> dict:
    """The row's custom field values merged into the record's (a value the file leaves empty is kept)."""
    new = {k[len(CUSTOM_PREFIX):]: v for k, v in row.data.items() if k.startswith(CUSTOM_PREFIX)}
    if not new:
        return {}
    return {"custom": {**((obj.custom if obj is not None else None) or {}), **new}}


def _owner(row: CheckedRow, membership: Membership):
    # An AM who imports owns what they import; a director may assign owners from the file.
    return row.owner_id if membership.role == Role.DIRECTOR and row.owner_id else membership.user_id


def _write_companies(*, agency: Agency, membership: Membership, rows: list[CheckedRow], match_key: str) -> dict:
    keys = ("name", "legal_name", "industry", "website", "status", "start_date", "source", "notes", "external_id")

    def values(row: CheckedRow, obj=None) -> dict:
        data = {k: row.data[k] for k in keys if k in row.data}
        if membership.role == Role.DIRECTOR and row.owner_id:
            data["owner_id"] = row.owner_id
        return {**data, **_custom(row, obj)}

    def build(row: CheckedRow) -> Client:
        return Client(agency=agency, **{"owner_id": _owner(row, membership), **values(row)})

    def record(created: list, changed: list) -> None:
        history.client_history_record_bulk(agency=agency, actor=membership.user, rows=[
            *((c, None, None) for c in created), *((c, old[0], old[1]) for c, old in changed)])

    counts, by_row, created, status_changed = _write(Client, agency=agency, rows=rows, build=build, values=values,
                                                     match_key=match_key, track=("status", "owner_id"), record=record)
    _add_tags(agency=agency, rows=rows, by_row=by_row)
    # The same hook as client_create / client_update: an imported active (or onboarding) client gets its
    # onboarding plan like one added by hand; a re-import that makes a client active starts it too.
    for client in [*created, *status_changed]:
        onboarding_start_if_active(agency=agency, actor=membership.user, client=client)
    return counts


def _add_tags(*, agency: Agency, rows: list[CheckedRow], by_row: dict) -> None:
    wanted = {(by_row[r.line].pk, name) for r in rows for name in r.data.get("tags", [])}
    if not wanted:
        return
    names = {name for _pk, name in wanted}
    Tag.objects.bulk_create([Tag(agency=agency, name=n) for n in names], ignore_conflicts=True)
    tag_ids = dict(Tag.objects.filter(agency=agency, name__in=names).values_list("name", "pk"))
    through = Client.tags.through
    through.objects.bulk_create([through(client_id=pk, tag_id=tag_ids[name]) for pk, name in wanted],
                                ignore_conflicts=True, batch_size=BATCH)


def _write_contacts(*, agency: Agency, membership: Membership, rows: list[CheckedRow], match_key: str) -> dict:
    keys = ("full_name", "position", "email", "phone", "telegram", "notes", "external_id")
    has_primary = set(Contact.objects.filter(agency=agency, is_primary=True).values_list("client_id", flat=True))

    def values(row: CheckedRow, obj=None) -> dict:
        # A matched contact stays at its company: moving people between clients is a manual decision.
        data = {k: row.data[k] for k in keys if k in row.data} | _custom(row, obj)
        return data if obj else {**data, "client_id": row.client_id}

    def build(row: CheckedRow) -> Contact:
        # The first contact of a company without one becomes its primary contact.
        primary = row.client_id not in has_primary
        has_primary.add(row.client_id)
        return Contact(agency=agency, is_primary=primary, **values(row))

    counts, *_rest = _write(Contact, agency=agency, rows=rows, build=build, values=values, match_key=match_key)
    return counts


def _write_deals(*, agency: Agency, membership: Membership, rows: list[CheckedRow], match_key: str) -> dict:
    keys = ("title", "stage", "amount", "currency", "expected_close_date", "kind", "lost_reason", "external_id")
    now = timezone.now()
    # New deals go to the default pipeline; an updated deal's stage is that step in its own pipeline.
    default = pipeline_ensure_default(agency=agency)
    columns: dict = {}
    pipeline_of: dict = {}
    for column in PipelineStage.objects.filter(agency=agency).order_by("-is_archived", "-order"):
        columns[(column.pipeline_id, column.code)] = column.pk  # the first live stage of a step wins
        pipeline_of[column.pk] = column.pipeline_id

    def values(row: CheckedRow, obj=None) -> dict:
        data = {k: row.data[k] for k in keys if k in row.data}
        if obj is None:
            data["client_id"] = row.client_id
        if membership.role == Role.DIRECTOR and row.owner_id:
            data["owner_id"] = row.owner_id
        stage = data.get("stage") or (obj.stage if obj else Deal.Stage.NEW)
        if stage in (Deal.Stage.WON, Deal.Stage.LOST) and not (obj and obj.closed_at):
            data["closed_at"] = now
        pipeline_id = pipeline_of.get(obj.pipeline_stage_id) if obj is not None else default.pk
        if obj is None or (data.get("stage") and data["stage"] != obj.stage):
            data["stage"] = stage
            data["pipeline_stage_id"] = columns.get((pipeline_id, stage)) or columns[(default.pk, stage)]
        return {**data, **_custom(row, obj)}

    def build(row: CheckedRow) -> Deal:
        return Deal(agency=agency, **{"owner_id": _owner(row, membership), "currency": agency.currency, **values(row)})

    def record(created: list, changed: list) -> None:
        history.deal_history_record_bulk(agency=agency, actor=membership.user, rows=[
            *((d, None) for d in created), *((d, old[0]) for d, old in changed)])

    counts, *_rest = _write(Deal, agency=agency, rows=rows, build=build, values=values, match_key=match_key,
                            track=("stage",), record=record)
    return counts


def import_errors_csv(*, import_file: ImportFile) -> bytes:
    """The bad rows of the last run with their reasons and their cells, for Excel (UTF-8 with BOM,
    semicolons). Every cell is formula-escaped (the shared export helper): the values come from an uploaded file."""
    errors = import_file.report.get("errors", [])
    rows = [[item["line"], "; ".join(item["errors"]), *item.get("values", [])] for item in errors]
    count, listed = import_file.report.get("error_count", 0), len(errors)
    if count > listed:
        rows.append(["", _("…and %(n)s more rows with errors: fix these and run the import again to see them.")
                     % {"n": count - listed}])
    return csv_bytes(header=[_("Row"), _("What is wrong"), *import_file.headers], delimiter=";", rows=rows)


def finished_at(import_file: ImportFile) -> datetime | None:
    value = import_file.report.get("finished_at")
    return datetime.fromisoformat(value) if value else None
