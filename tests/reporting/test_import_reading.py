"""The metrics import reads its file in a job, not in the request: the upload answers at once after the cheap
checks, the page follows the reading job (HTMX polling) and turns into the mapping; a file the job cannot read
(zip bomb, huge shared strings, not a workbook, wrong encoding, too many rows, no rows) fails the job with a
clear message on the page, the upload is kept and nothing is imported."""
import io
import os
import resource
import subprocess
import sys
import time
import zipfile

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.utils import translation
from django_scopes import scope, scopes_disabled

from clients.importing import archive
from mrm.core.errors import ServiceError
from mrm.jobs.models import Job
from reporting import tasks
from reporting.models import DailyMetric, MetricImport
from reporting.services.importing import metric_import_start
from tests.clients.test_importing_hardening import NS, WORKBOOK_PARTS
from tests.conftest import login
from tests.factories import ClientFactory, DataSourceFactory

pytestmark = pytest.mark.django_db

BOMB_MB = 300  # sharedStrings.xml expands to this; the file itself stays under 1 MB


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def source(alice_world):
    client = ClientFactory(agency=alice_world.agency, owner=alice_world.am.user, name="Зерно")
    return DataSourceFactory(client=client, name="Директ: выгрузка")


@pytest.fixture
def http(alice_world):
    http = login(alice_world.am)
    http.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    return http


def _xlsx(path, shared_strings) -> bytes:
    """A real .xlsx (the parts Excel needs; its two cells point at the first two shared strings) whose
    sharedStrings.xml is written from the chunks of `shared_strings`, never held in memory whole."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, content in WORKBOOK_PARTS.items():
            dst.writestr(name, content)
        with dst.open(archive.SHARED_STRINGS, "w", force_zip64=True) as out:
            out.write(b'<?xml version="1.0" encoding="UTF-8"?><sst ' + NS + b"><si><t>Date</t></si><si><t>")
            for chunk in shared_strings:
                out.write(chunk)
            out.write(b"</t></si></sst>")
    return path.read_bytes()


@pytest.fixture(scope="module")
def bomb(tmp_path_factory) -> bytes:
    """One shared string of BOMB_MB megabytes of one character: the directory check refuses it by its ratio."""
    data = _xlsx(tmp_path_factory.mktemp("bomb") / "bomb.xlsx", (b"A" * (1 << 20) for _i in range(BOMB_MB)))
    assert len(data) < 1024 * 1024
    return data


@pytest.fixture(scope="module")
def many_strings(tmp_path_factory) -> bytes:
    """24 MB of shared strings (under the 64 MB cap) that compress only ~50:1, so every size check of the
    zip directory passes: the kind of workbook openpyxl used to parse inside a web worker."""
    def chunks():
        for n in range(24_000):
            yield b"%08x" % (n * 2654435761 % 2**32) + b"x" * 1000 + b"</t></si><si><t>"
    data = _xlsx(tmp_path_factory.mktemp("strings") / "strings.xlsx", chunks())
    archive.check_archive(io.BytesIO(data))  # the request's cheap check lets it through
    return data


def _post(http, source, name: str, content: bytes, *, read: bool = True):
    """Upload through the view; with `read` the reading job runs after commit (eager), as a worker would."""
    with TestCase.captureOnCommitCallbacks(execute=read):
        return http.post(f"/reporting/sources/{source.pk}/import/", {"file": SimpleUploadedFile(name, content)})


def _item(source) -> MetricImport:
    with scopes_disabled():
        return MetricImport.objects.select_related("inspection").get(source=source)


def _timed_upload(http, source, name: str, content: bytes) -> MetricImport:
    """The request alone is timed (its job is queued, not run): it answers within seconds and stores the
    file; then the job runs."""
    assert http.get(f"/reporting/sources/{source.pk}/import/").status_code == 200  # warm up
    queued = []
    with TestCase.captureOnCommitCallbacks(execute=False) as callbacks:
        started = time.monotonic()
        response = http.post(f"/reporting/sources/{source.pk}/import/", {"file": SimpleUploadedFile(name, content)})
        assert time.monotonic() - started < 20  # generous: a loaded CI box; the job is not run here
    assert response.status_code == 302
    item = _item(source)
    assert item.inspection.status == Job.Status.QUEUED and item.headers == []  # nothing parsed in the request
    queued.extend(callbacks)
    for callback in queued:
        callback()  # the reading job
    return _item(source)


def _assert_failed_on_page(http, item: MetricImport, message: str) -> None:
    assert item.inspection.status == Job.Status.FAILED and message in item.inspection.error, item.inspection.error
    page = http.get(f"/reporting/imports/{item.pk}/").content.decode()
    assert "We could not read this file." in page and message in page and "imported before is unchanged" in page
    assert f'href="/reporting/sources/{item.source_id}/import/"' in page  # the way back
    assert 'hx-trigger="every 2s"' not in page  # a finished job is not polled
    assert item.file and item.file.storage.exists(item.file.name)  # the upload is kept
    with scopes_disabled():
        assert not DailyMetric.objects.filter(source_id=item.source_id).exists()


def test_the_page_follows_the_reading_job_then_shows_the_mapping(alice_world, source, http,
                                                                 django_assert_max_num_queries):
    csv = "Дата;Кампания;Расход\n01.05.2026;Бренд;100\n02.05.2026;Бренд;200\n".encode("cp1251")
    response = _post(http, source, "direct.csv", csv, read=False)
    assert response.status_code == 302
    item = _item(source)
    with django_assert_max_num_queries(12):
        page = http.get(response["Location"]).content.decode()
    assert 'id="import-read"' in page and 'hx-trigger="every 2s"' in page and "Reading direct.csv" in page
    poll = http.get(response["Location"], HTTP_HX_REQUEST="true", HTTP_HX_TARGET="import-read")
    assert poll.status_code == 200 and poll.content.decode().lstrip().startswith('<div id="import-read"')
    with scope(agency=alice_world.agency), pytest.raises(ServiceError) as exc:  # nothing starts before it is read
        metric_import_start(agency=alice_world.agency, actor=alice_world.am.user, item=item)
    assert "still being read" in exc.value.message
    tasks.metric_import_inspect_task.delay(agency_id=alice_world.agency.pk, import_id=str(item.pk))
    done = http.get(response["Location"], HTTP_HX_REQUEST="true", HTTP_HX_TARGET="import-read")
    assert done.headers.get("HX-Refresh") == "true"  # the whole page turns into the mapping
    item = _item(source)
    assert item.encoding == "cp1251" and item.headers == ["Дата", "Кампания", "Расход"]
    assert item.mapping == {"0": "date", "1": "campaign", "2": "cost"} and len(item.sample) == 2
    page = http.get(response["Location"]).content.decode()
    assert 'id="import-preview"' in page and "Бренд" in page and "2 rows" in page
    # A second delivery of the reading job leaves the finished job alone.
    finished = item.inspection.finished_at
    tasks.metric_import_inspect_task.delay(agency_id=alice_world.agency.pk, import_id=str(item.pk))
    assert _item(source).inspection.finished_at == finished


def test_a_zip_bomb_is_refused_by_the_cheap_check_in_seconds(source, http, bomb):
    started = time.monotonic()
    response = _post(http, source, "bomb.xlsx", bomb)
    assert time.monotonic() - started < 20  # generous: a loaded CI box; the job is not run here
    assert response.status_code == 422
    assert "unpacks to far more data than a spreadsheet of its size can hold" in response.content.decode()
    with scopes_disabled():
        assert not MetricImport.objects.filter(source=source).exists()


def test_a_zip_bomb_past_the_directory_check_fails_in_the_job_under_the_memory_cap(source, http, bomb, settings):
    for name in ("MRM_IMPORT_XLSX_MAX_UNCOMPRESSED", "MRM_IMPORT_XLSX_MAX_MEMBER",
                 "MRM_IMPORT_XLSX_MAX_SHARED_STRINGS"):
        setattr(settings, name, 10 * 1024 ** 3)
    settings.MRM_IMPORT_XLSX_MAX_RATIO = 10_000
    settings.MRM_IMPORT_MEMORY_MB = 150
    before = resource.getrlimit(resource.RLIMIT_AS)
    started = time.monotonic()
    item = _timed_upload(http, source, "bomb.xlsx", bomb)
    assert time.monotonic() - started < 60
    assert item.inspection.status == Job.Status.FAILED
    message = ("needs more memory than an import may use" if "memory" in item.inspection.error else "damaged")
    _assert_failed_on_page(http, item, message)
    assert resource.getrlimit(resource.RLIMIT_AS) == before  # the worker gets its limit back


_READ_CAPPED = """
import io, sys
import django
django.setup()
from django.conf import settings
from django.utils import translation
from clients.importing import readers
from clients.importing.limits import job_limits
from mrm.core.errors import ServiceError
settings.MRM_IMPORT_MEMORY_MB = int(sys.argv[2])
data = open(sys.argv[1], "rb").read()
with translation.override("en"):
    try:
        with job_limits():
            readers.inspect_file(io.BytesIO(data), size=len(data))
    except ServiceError as exc:
        print(exc.message)
"""


def _read_in_fresh_process(path, memory_mb: int) -> str:
    """Read a workbook under the job's caps in a new interpreter: a long-lived test process has freed memory
    inside its address space, which an allocation reuses without touching the cap, so only a fresh process
    measures the cap as a worker starting its job does. Returns the error the job would show ("" when read)."""
    done = subprocess.run([sys.executable, "-c", _READ_CAPPED, str(path), str(memory_mb)], capture_output=True,
                          text=True, timeout=120, env={**os.environ, "DJANGO_SETTINGS_MODULE": "mrm.settings.test"})
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip()


def test_large_shared_strings_are_read_in_the_job_under_the_memory_cap(source, http, many_strings, tmp_path):
    response = _post(http, source, "strings.xlsx", many_strings, read=False)
    assert response.status_code == 302  # the request only stores it: no workbook is opened there
    item = _item(source)
    assert item.inspection.status == Job.Status.QUEUED and item.headers == []
    path = tmp_path / "strings.xlsx"
    path.write_bytes(many_strings)
    error = _read_in_fresh_process(path, memory_mb=16)
    assert "needs more memory than an import may use" in error or "damaged" in error, error
    assert _read_in_fresh_process(path, memory_mb=1024) == ""  # the same file, with room: it reads


@pytest.mark.parametrize("name, content, message", [
    # A zip with a workbook's names whose parts are not a workbook: only opening it tells.
    ("fake.xlsx", None, "not a spreadsheet we can read"),
    # The first 64 KB look like text (the request's look), binary data follows: the job's full decode refuses it.
    ("mixed.csv", "Дата;Расход\n".encode() + b"01.05.2026;1\n" * 6000 + b"\x00\x01\x02" * 100,
     "could not read the text"),
    ("header.csv", "Дата;Расход\n".encode(), "no data under it"),
    ("long.csv", "Дата;Расход\n".encode() + b"01.05.2026;1\n" * 5, "more than 3 rows"),
])
def test_files_the_job_cannot_read_fail_with_a_clear_message(alice_world, source, http, settings, name, content,
                                                             message):
    settings.MRM_IMPORT_MAX_ROWS = 3
    if content is None:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr("[Content_Types].xml", b"<Types/>")
            z.writestr("xl/workbook.xml", b"not xml at all")
        content = buf.getvalue()
    response = _post(http, source, name, content)
    assert response.status_code == 302  # the cheap checks pass; the job finds out
    item = _item(source)
    _assert_failed_on_page(http, item, message)
    # The mapping cannot be reached or started: the page stays on the error, the service refuses.
    assert "We could not read this file." in http.get(f"/reporting/imports/{item.pk}/?step=map").content.decode()
    with scope(agency=alice_world.agency), pytest.raises(ServiceError) as exc:
        metric_import_start(agency=alice_world.agency, actor=alice_world.am.user, item=item)
    assert "could not be read" in exc.value.message
    source_page = http.get(f"/reporting/sources/{source.pk}/").content.decode()
    assert "could not be read" in source_page


def test_an_xlsx_is_read_by_the_job_and_imports(alice_world, source, http):
    from datetime import timedelta

    from django.utils import timezone
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["Дата", "Кампания", "Показы", "Расход"])
    day = timezone.localdate() - timedelta(days=1)
    workbook.active.append([day, "Бренд", 100, 99.5])
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert _post(http, source, "direct.xlsx", buffer.getvalue()).status_code == 302
    item = _item(source)
    assert item.kind == "xlsx" and item.inspection.status == Job.Status.SUCCEEDED
    assert item.sample[0]["values"][1] == "Бренд"
    data = {f"col_{i}": item.mapping.get(str(i), "") for i in range(len(item.headers))}
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = http.post(f"/reporting/imports/{item.pk}/", {**data, "currency": "RUB", "channel": "",
                                                               "action": "start"})
    assert response.status_code == 302
    assert "Import finished" in http.get(f"/reporting/imports/{item.pk}/").content.decode()
    with scopes_disabled():
        assert DailyMetric.objects.filter(source=source, impressions=100).count() == 1


def test_reading_and_import_tasks_go_to_the_imports_queue():
    routes = django_settings.CELERY_TASK_ROUTES
    for task in ("reporting.tasks.metric_import_inspect_task", "reporting.tasks.metric_import_run_task"):
        assert routes[task]["queue"].endswith("imports")
