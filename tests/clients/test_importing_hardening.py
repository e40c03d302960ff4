"""Import hardening: zip bombs and caps (the request never parses a file, the job reads it under memory
and time limits), onboarding for imported clients, the way back after a rejected run, skipped rows and
the errors CSV, unclosed CSV quotes, and text files named .xlsx."""
import io
import resource
import time
import zipfile

import pytest
from django.conf import settings as django_settings
from django.core.files.base import File
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.utils import translation
from django_scopes import scope, scopes_disabled
from openpyxl import Workbook

from clients.importing import archive, limits, readers
from clients.models import Client, ImportFile, OnboardingPlan
from clients.tasks import import_inspect_task
from mrm.core.errors import ServiceError
from mrm.jobs.models import Job
from mrm.jobs.services import job_create
from tests.conftest import login

pytestmark = pytest.mark.django_db

BOMB_MB = 300  # sharedStrings.xml expands to this; the file itself stays under 1 MB


@pytest.fixture(autouse=True)
def _english():
    """The messages checked here are read in English (the suite's default language is Russian)."""
    with translation.override("en"):
        yield


def _workbook_bytes(rows) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


NS = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
REL = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships"
WORKBOOK_PARTS = {
    "[Content_Types].xml": b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    b'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    b'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
    b'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    b'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    b'spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.'
    b'openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    "_rels/.rels": b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
    b'package/2006/relationships"><Relationship Id="rId1" Type="' + REL + b'/officeDocument" '
    b'Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml": b'<?xml version="1.0" encoding="UTF-8"?><workbook ' + NS + b' xmlns:r="' + REL + b'">'
    b'<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels": b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
    b'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="' + REL + b'/worksheet" '
    b'Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="' + REL + b'/sharedStrings" '
    b'Target="sharedStrings.xml"/></Relationships>',
    "xl/worksheets/sheet1.xml": b'<?xml version="1.0" encoding="UTF-8"?><worksheet ' + NS + b'><sheetData>'
    b'<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2"><c r="A2" t="s"><v>1</v></c></row>'
    b'</sheetData></worksheet>',
}


@pytest.fixture(scope="module")
def bomb(tmp_path_factory) -> bytes:
    """A real .xlsx (the parts Excel needs, the sheet's cells point into the shared strings) whose
    sharedStrings.xml is BOMB_MB of one repeated character, written in 1 MB chunks (never held in memory)."""
    path = tmp_path_factory.mktemp("bomb") / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, content in WORKBOOK_PARTS.items():
            dst.writestr(name, content)
        with dst.open(archive.SHARED_STRINGS, "w", force_zip64=True) as out:
            out.write(b'<?xml version="1.0" encoding="UTF-8"?><sst ' + NS + b' count="2" uniqueCount="2">'
                      b"<si><t>Name</t></si><si><t>")
            chunk = b"A" * (1 << 20)
            for _i in range(BOMB_MB):
                out.write(chunk)
            out.write(b"</t></si></sst>")
    data = path.read_bytes()
    assert len(data) < 1024 * 1024
    return data


def _http(membership):
    http = login(membership)
    http.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    return http


def _imports(agency) -> list[ImportFile]:
    with scopes_disabled():
        return list(ImportFile.objects.filter(agency=agency))


def _post_upload(http, name: str, content: bytes, entity: str = "companies"):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return http.post("/clients/import/", {"entity": entity, "file": SimpleUploadedFile(name, content)})


def _stored_import(world, name: str, content: bytes) -> ImportFile:
    """An import stored without the request's checks (as if they had been looser), with its reading job."""
    with scope(agency=world.agency):
        imp = ImportFile(agency=world.agency, uploaded_by=world.director.user, entity="companies",
                         original_name=name, report={"kind": "xlsx"})
        imp.file.save("upload.xlsx", File(io.BytesIO(content)), save=False)
        imp.inspection = job_create(agency=world.agency, actor=world.director.user, kind="clients.import_inspect",
                                    title="Reading", params={})
        imp.save()
    return imp


def _inspect_job(imp: ImportFile) -> Job:
    import_inspect_task.delay(agency_id=imp.agency_id, import_id=str(imp.pk))
    with scopes_disabled():
        return Job.objects.get(pk=imp.inspection_id)


# --- 1. zip bombs, and the caps of the job ----------------------------------------------------------

def test_zip_bomb_upload_is_refused_within_seconds(alice_world, bomb):
    http = _http(alice_world.director)
    assert http.get("/clients/import/").status_code == 200  # warm: time the upload alone
    started = time.monotonic()
    response = _post_upload(http, "clients.xlsx", bomb)
    assert time.monotonic() - started < 5
    assert response.status_code == 422
    assert "unpacks to far more data than a spreadsheet of its size can hold" in response.content.decode()
    assert _imports(alice_world.agency) == []


def test_archive_limits_each_refuse(settings):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, content in WORKBOOK_PARTS.items():
            z.writestr(name, content)
        z.writestr(archive.SHARED_STRINGS, b'<sst ' + NS + b'><si><t>Name</t></si><si><t>Zerno</t></si></sst>')
    good = buf.getvalue()
    archive.check_archive(io.BytesIO(good))  # a normal workbook passes
    assert readers.inspect_file(io.BytesIO(good), size=len(good)).headers == ["Name"]
    for name, value in [("MRM_IMPORT_XLSX_MAX_MEMBERS", 3), ("MRM_IMPORT_XLSX_MAX_UNCOMPRESSED", 1500),
                        ("MRM_IMPORT_XLSX_MAX_MEMBER", 400), ("MRM_IMPORT_XLSX_MAX_SHARED_STRINGS", 50)]:
        setattr(settings, name, value)
        with pytest.raises(ServiceError) as exc:
            archive.check_archive(io.BytesIO(good))
        assert exc.value.code == "xlsx_too_big", name
        delattr(settings, name)
    plain_zip = io.BytesIO()
    with zipfile.ZipFile(plain_zip, "w") as z:
        z.writestr("photo.txt", "hello")
    with pytest.raises(ServiceError) as exc:
        archive.check_archive(plain_zip)
    assert "not an Excel workbook" in exc.value.message


def test_compression_ratio_limit(bomb, settings):
    settings.MRM_IMPORT_XLSX_MAX_UNCOMPRESSED = 10 * 1024 ** 3
    settings.MRM_IMPORT_XLSX_MAX_MEMBER = 10 * 1024 ** 3
    settings.MRM_IMPORT_XLSX_MAX_SHARED_STRINGS = 10 * 1024 ** 3
    with pytest.raises(ServiceError) as exc:  # only the ~1000:1 ratio is left to catch it
        archive.check_archive(io.BytesIO(bomb))
    assert exc.value.code == "xlsx_too_big"


def test_the_job_checks_the_archive_again_and_measures_shared_strings(alice_world, bomb, monkeypatch):
    # The request's check is skipped here: the reading job refuses the bomb on its own.
    imp = _stored_import(alice_world, "bomb.xlsx", bomb)
    started = time.monotonic()
    job = _inspect_job(imp)
    assert job.status == Job.Status.FAILED and "unpacks to far more data" in job.error
    # With the directory check gone too, the streamed measure of sharedStrings.xml stops at its limit.
    monkeypatch.setattr(archive, "check_archive", lambda fileobj: None)
    with pytest.raises(ServiceError) as exc:
        readers.inspect_file(io.BytesIO(bomb), size=len(bomb))
    assert exc.value.code == "xlsx_too_big"
    assert time.monotonic() - started < 10


def test_memory_cap_stops_a_bomb_that_passes_every_size_check(alice_world, bomb, settings):
    for name in ("MRM_IMPORT_XLSX_MAX_UNCOMPRESSED", "MRM_IMPORT_XLSX_MAX_MEMBER",
                 "MRM_IMPORT_XLSX_MAX_SHARED_STRINGS"):
        setattr(settings, name, 10 * 1024 ** 3)
    settings.MRM_IMPORT_XLSX_MAX_RATIO = 10_000
    settings.MRM_IMPORT_MEMORY_MB = 150
    before = resource.getrlimit(resource.RLIMIT_AS)
    imp = _stored_import(alice_world, "bomb.xlsx", bomb)
    started = time.monotonic()
    job = _inspect_job(imp)
    assert time.monotonic() - started < 30
    assert job.status == Job.Status.FAILED
    assert "needs more memory than an import may use" in job.error or "damaged" in job.error
    assert resource.getrlimit(resource.RLIMIT_AS) == before  # the worker gets its limit back


def test_memory_cap_turns_memory_error_into_a_message(settings):
    settings.MRM_IMPORT_MEMORY_MB = 64
    before = resource.getrlimit(resource.RLIMIT_AS)
    with pytest.raises(ServiceError) as exc, limits.job_limits():
        bytearray(512 * 1024 * 1024)
    assert exc.value.code == "memory"
    assert resource.getrlimit(resource.RLIMIT_AS) == before


def test_time_cap_and_cell_cap(settings):
    text = "Название компании\n" + "".join(f"Клиент {i}\n" for i in range(2000))
    settings.MRM_IMPORT_TIME_LIMIT = 0
    with pytest.raises(ServiceError) as exc, limits.job_limits():
        readers.inspect_file(io.BytesIO(text.encode()), size=len(text.encode()))
    assert exc.value.code == "timeout"
    settings.MRM_IMPORT_TIME_LIMIT = 600
    settings.MRM_IMPORT_MAX_CELL_CHARS = 50
    with pytest.raises(ServiceError) as exc:
        readers.inspect_file(io.BytesIO(("Название компании\nЗерно\n" + "x" * 51 + "\n").encode()), size=100)
    assert exc.value.code == "cell_too_big" and "Row 3" in exc.value.message


def test_the_upload_request_never_opens_the_workbook(alice_world, monkeypatch):
    import openpyxl

    def no_parsing(*args, **kwargs):
        raise AssertionError("the web request opened the workbook")

    monkeypatch.setattr(openpyxl, "load_workbook", no_parsing)
    http = _http(alice_world.director)
    content = _workbook_bytes([["Название компании"], ["Зерно"]])
    response = http.post("/clients/import/", {"entity": "companies", "file": SimpleUploadedFile("c.xlsx", content)})
    assert response.status_code == 302  # stored; the reading job (not run here) parses it
    (imp,) = _imports(alice_world.agency)
    page = http.get(f"/clients/import/{imp.pk}/").content.decode()
    assert 'id="import-read"' in page and 'hx-trigger="every 2s"' in page and "Reading c.xlsx" in page
    poll = http.get(f"/clients/import/{imp.pk}/", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="import-read")
    assert poll.content.decode().lstrip().startswith('<div id="import-read"') and "Reading c.xlsx" in \
        poll.content.decode()
    # The job reads it; the next poll asks the browser to reload into the mapping page.
    monkeypatch.undo()
    job = _inspect_job(imp)
    assert job.status == Job.Status.SUCCEEDED
    poll = http.get(f"/clients/import/{imp.pk}/", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="import-read")
    assert poll.headers.get("HX-Refresh") == "true"
    page = http.get(f"/clients/import/{imp.pk}/").content.decode()
    assert "Columns of your file" in page and "Зерно" in page


def test_a_file_the_job_cannot_read_shows_why_and_the_way_back(alice_world):
    http = _http(alice_world.director)
    response = _post_upload(http, "headers.csv", "Название компании;Сайт\n".encode())
    assert response.status_code == 302
    page = http.get(response["Location"]).content.decode()
    assert "We could not read this file." in page and "no data under it" in page
    assert 'href="/clients/import/"' in page and "Upload another file" in page


# --- 2. onboarding for imported clients -------------------------------------------------------------

def test_imported_active_clients_get_an_onboarding_plan_like_hand_made_ones(alice_world):
    w = alice_world
    http = _http(w.director)
    text = "Название компании;Статус\nЗерно;Активный\nАтлант;Лид\n"
    response = _post_upload(http, "c.csv", text.encode())
    imp_id = response["Location"].rstrip("/").rsplit("/", 1)[1]
    with TestCase.captureOnCommitCallbacks(execute=True):
        http.post(f"/clients/import/{imp_id}/", {"col_0": "name", "col_1": "status", "match_key": "name",
                                                 "action": "start"})
    with scopes_disabled():
        zerno = Client.objects.get(agency=w.agency, name="Зерно")
        assert zerno.status == "active"
        plan = OnboardingPlan.objects.get(agency=w.agency, client=zerno)
        assert plan.steps.count() > 0
        assert not OnboardingPlan.objects.filter(client__name="Атлант").exists()
    # A re-import that makes the lead active starts its plan, as editing the client would.
    response = _post_upload(http, "c2.csv", "Название компании;Статус\nАтлант;Активный\n".encode())
    imp_id = response["Location"].rstrip("/").rsplit("/", 1)[1]
    with TestCase.captureOnCommitCallbacks(execute=True):
        http.post(f"/clients/import/{imp_id}/", {"col_0": "name", "col_1": "status", "match_key": "name",
                                                 "action": "start"})
    with scopes_disabled():
        assert OnboardingPlan.objects.filter(agency=w.agency, client__name="Атлант").exists()
        assert OnboardingPlan.objects.filter(agency=w.agency, client__name="Зерно").count() == 1


# --- 3 and 4. a rejected run, skipped rows and the errors CSV --------------------------------------

BAD = "Название компании;Сайт\nХороший;ok.example\n;пусто\n=HYPERLINK(\"http://evil\");not a site\n"


def _start(http, imp_id, **extra):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return http.post(f"/clients/import/{imp_id}/", {"col_0": "name", "col_1": "website", "match_key": "name",
                                                        "action": "start", **extra})


def test_a_rejected_run_leads_back_to_the_preview_with_the_file_kept(alice_world):
    http = _http(alice_world.director)
    imp_id = _post_upload(http, "c.csv", BAD.encode())["Location"].rstrip("/").rsplit("/", 1)[1]
    _start(http, imp_id)
    result = http.get(f"/clients/import/{imp_id}/").content.decode()
    assert "nothing was imported" in result
    assert f'href="/clients/import/{imp_id}/?step=map"' in result and "Back to the preview and mapping" in result
    mapping = http.get(f"/clients/import/{imp_id}/?step=map").content.decode()
    assert "The last run imported nothing: 2 rows have errors." in mapping
    assert "The file is kept" in mapping and "Хороший" in mapping  # the preview, from the same upload
    assert f'href="/clients/import/{imp_id}/errors.csv"' in mapping
    _start(http, imp_id, skip_bad_rows="on")  # fixed in place: the same upload, bad rows skipped
    with scopes_disabled():
        assert Client.objects.filter(agency=alice_world.agency, name="Хороший").exists()


def test_skipped_rows_are_listed_with_reasons_and_the_errors_csv_is_escaped(alice_world, bob_world):
    http = _http(alice_world.director)
    imp_id = _post_upload(http, "c.csv", BAD.encode())["Location"].rstrip("/").rsplit("/", 1)[1]
    _start(http, imp_id, skip_bad_rows="on")
    page = http.get(f"/clients/import/{imp_id}/").content.decode()
    assert "Import finished" in page and "Skipped rows" in page
    assert "Company name is empty" in page and "“not a site” is not a website address" in page
    assert f'href="/clients/import/{imp_id}/errors.csv"' in page
    csv_text = http.get(f"/clients/import/{imp_id}/errors.csv").content.decode("utf-8-sig")
    lines = csv_text.splitlines()
    assert lines[0] == "Row;What is wrong;Название компании;Сайт"
    assert lines[1].startswith('3;"Company name is empty; Website') and lines[1].endswith(";;пусто")
    assert "'=HYPERLINK" in lines[2] and ";=HYPERLINK" not in lines[2]  # formula-escaped
    # Permission-checked: another AM of the agency and another agency get 404.
    assert _http(alice_world.am2).get(f"/clients/import/{imp_id}/errors.csv").status_code == 404
    assert _http(bob_world.director).get(f"/clients/import/{imp_id}/errors.csv").status_code == 404


# --- 5. an unclosed quote in a CSV ------------------------------------------------------------------

def test_an_unclosed_quote_is_reported_with_its_line(alice_world):
    http = _http(alice_world.director)
    text = "Название компании;Сайт\nАтлант;atlant.example\n\"Кофейня Зерно;zerno.example\nШкола;school.example\n"
    imp_id = _post_upload(http, "c.csv", text.encode())["Location"].rstrip("/").rsplit("/", 1)[1]
    page = http.get(f"/clients/import/{imp_id}/").content.decode()
    assert "A quote in the file is probably not closed" in page
    assert "Row 3 takes lines 3–4 of the file" in page
    assert "Company name takes lines 3–4 of the file" in page  # the row error in the preview
    assert "No errors" not in page
    _start(http, imp_id)
    with scopes_disabled():
        assert not Client.objects.filter(agency=alice_world.agency, name__startswith="Кофейня").exists()
    assert "Row 3 takes lines 3–4 of the file" in http.get(f"/clients/import/{imp_id}/?step=map").content.decode()


def test_line_breaks_inside_quoted_notes_are_fine(alice_world):
    text = ("Название компании;Сайт;Примечание\nЗерно;z.example;\"первая строка\nвторая; с точкой с запятой\"\n"
            "Атлант;a.example;ок\n")
    info = readers.inspect_file(io.BytesIO(text.encode()), size=len(text.encode()))
    assert [(r.line, r.first, r.last) for r in info.sample] == [(2, 2, 3), (3, 4, 4)]
    assert info.merged == []  # a note over two lines is not a swallowed record
    http = _http(alice_world.director)
    imp_id = _post_upload(http, "c.csv", text.encode())["Location"].rstrip("/").rsplit("/", 1)[1]
    page = http.get(f"/clients/import/{imp_id}/").content.decode()
    assert "No errors" in page and "A quote in the file is probably not closed" not in page


# --- 6. a text file named .xlsx ---------------------------------------------------------------------

def test_a_text_file_named_xlsx_is_told_to_be_renamed(alice_world):
    http = _http(alice_world.director)
    response = _post_upload(http, "clients.xlsx", "Название компании;Сайт\nЗерно;z.example\n".encode("cp1251"))
    assert response.status_code == 422
    assert "This file is not an Excel workbook (it looks like text/CSV). Rename it to .csv" in \
        response.content.decode()
    assert _imports(alice_world.agency) == []
