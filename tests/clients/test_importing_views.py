"""The import wizard over HTTP: roles, upload errors, mapping + preview (HTMX and plain), the job and its report."""
import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django_scopes import scopes_disabled

from clients.models import Client, ImportFile
from mrm.jobs.models import Job
from tests.conftest import login
from tests.factories import ClientFactory, ImportFileFactory

pytestmark = pytest.mark.django_db

COMPANIES = "Название компании;Сайт;Сфера деятельности\nЗерно;zerno.example;HoReCa\nАтлант;;Спорт\n"


def _http(membership):
    http = login(membership)
    http.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    return http


def _file(text: str = COMPANIES, name: str = "amo.csv", encoding: str = "utf-8") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def _upload(http, data: dict, **extra):
    """POST the upload form and run the reading job it queues after commit, as the worker would."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return http.post("/clients/import/", data, **extra)


def _imports(agency) -> list[ImportFile]:
    with scopes_disabled():
        return list(ImportFile.objects.filter(agency=agency))


def test_client_list_links_to_import(alice_world):
    page = _http(alice_world.am).get("/clients/").content.decode()
    assert 'href="/clients/import/"' in page
    assert 'href="/clients/import/"' not in _http(alice_world.specialist).get("/clients/").content.decode()


def test_roles(alice_world):
    assert _http(alice_world.director).get("/clients/import/").status_code == 200
    assert _http(alice_world.am).get("/clients/import/").status_code == 200
    assert _http(alice_world.specialist).get("/clients/import/").status_code == 403
    assert _http(alice_world.client_contact).get("/clients/import/").status_code == 302  # to the portal


def test_upload_then_map_preview_and_import(alice_world, django_capture_on_commit_callbacks):
    http = _http(alice_world.director)
    response = _upload(http, {"entity": "companies", "file": _file(encoding="cp1251")})
    assert response.status_code == 302
    (imp,) = _imports(alice_world.agency)
    assert response["Location"] == f"/clients/import/{imp.pk}/"
    assert imp.encoding == "cp1251" and imp.delimiter == ";" and imp.mapping == {"0": "name", "1": "website",
                                                                                  "2": "industry"}
    page = http.get(response["Location"]).content.decode()
    assert "Columns of your file" in page and "Зерно" in page and "No errors" in page
    assert "Import 2 rows" in page

    # HTMX: changing a select refreshes only the preview block, and saves the choice.
    partial = http.post(f"/clients/import/{imp.pk}/", {"col_0": "name", "col_1": "", "col_2": "industry",
                                                        "match_key": "name"}, HTTP_HX_REQUEST="true")
    assert partial.status_code == 200
    body = partial.content.decode()
    assert body.lstrip().startswith('<div id="import-preview"') and "<html" not in body
    with scopes_disabled():
        imp.refresh_from_db()
    assert imp.mapping == {"0": "name", "2": "industry"}

    with django_capture_on_commit_callbacks(execute=True):
        response = http.post(f"/clients/import/{imp.pk}/", {"col_0": "name", "col_1": "website",
                                                             "col_2": "industry", "match_key": "name",
                                                             "action": "start"})
    assert response.status_code == 302
    page = http.get(f"/clients/import/{imp.pk}/").content.decode()
    assert "Import finished" in page
    with scopes_disabled():
        assert set(Client.objects.filter(agency=alice_world.agency).values_list("name", flat=True)) >= {
            "Зерно", "Атлант"}
        assert Job.objects.get(agency=alice_world.agency, kind="clients.import").status == "succeeded"
    # The HTMX poll of a finished run answers the run block only.
    poll = http.get(f"/clients/import/{imp.pk}/", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="import-run")
    assert poll.content.decode().lstrip().startswith('<div id="import-run"')
    assert "hx-trigger" not in poll.content.decode().split(">", 1)[0]  # finished: it stops polling


def test_running_import_page_polls(alice_world):
    job = Job.objects.create(agency=alice_world.agency, kind="clients.import", title="Import of amo.csv",
                             created_by=alice_world.am.user, status=Job.Status.RUNNING, progress=40)
    imp = ImportFileFactory(agency=alice_world.agency, uploaded_by=alice_world.am.user, job=job)
    page = _http(alice_world.am).get(f"/clients/import/{imp.pk}/").content.decode()
    assert 'id="import-run"' in page and 'hx-trigger="every 2s"' in page and "40%" in page
    # Only the run block polls: a job partial inside it that polled on its own would inherit
    # hx-target="this" and replace the whole block with the bare job status (no report, no way back).
    run_block = page.split('id="import-run"', 1)[1].split("</main>", 1)[0]
    assert run_block.count("hx-get") == 1 and f"/jobs/{job.pk}/" not in run_block
    # While it runs the mapping cannot change.
    response = _http(alice_world.am).post(f"/clients/import/{imp.pk}/", {"col_0": "", "match_key": "name"})
    assert response.status_code == 200 and 'id="import-run"' in response.content.decode()


@pytest.mark.parametrize(("content", "name", "message"), [
    (b"", "empty.csv", "The submitted file is empty."),
    (b"\n \n", "blank.csv", "The file is empty."),
    (b"\x00\x01\x02\x03garbage" * 50, "garbage.csv", "We could not read the text of this file"),
    (b"PK\x03\x04broken", "broken.xlsx", "not a spreadsheet"),
    (b"\xd0\xcf\x11\xe0" + b"\x00" * 50, "old.xls", "Old Excel .xls files are not supported"),
    (b"%PDF-1.5", "scan.pdf", "Upload a CSV or an Excel .xlsx file."),
])
def test_bad_uploads_are_refused_with_a_clear_message(alice_world, content, name, message):
    response = _upload(_http(alice_world.director), {
        "entity": "contacts", "file": SimpleUploadedFile(name, content)})
    assert response.status_code == 422
    page = response.content.decode()
    assert message in page
    assert 'value="contacts" class="form-selectgroup-input" checked' in page  # the choice is kept
    assert _imports(alice_world.agency) == []


def test_file_over_the_limit_is_refused(alice_world, settings):
    settings.MRM_IMPORT_MAX_BYTES = 100
    response = _upload(_http(alice_world.director), {
        "entity": "companies", "file": _file(COMPANIES * 5)})
    assert response.status_code == 422
    assert "the limit is" in response.content.decode()
    assert _imports(alice_world.agency) == []


def test_missing_required_column_blocks_the_start(alice_world):
    http = _http(alice_world.director)
    _upload(http, {"entity": "companies", "file": _file("Сайт;Отрасль\nz.example;HoReCa\n")})
    (imp,) = _imports(alice_world.agency)
    page = http.get(f"/clients/import/{imp.pk}/").content.decode()
    assert "Choose the column with “Company name”: it is required." in page
    response = http.post(f"/clients/import/{imp.pk}/", {"col_0": "website", "col_1": "industry",
                                                         "match_key": "name", "action": "start"})
    assert response.status_code == 422
    assert "Choose the column with “Company name”" in response.content.decode()
    assert 'name="col_0"' in response.content.decode() and 'value="website" selected' in response.content.decode()
    with scopes_disabled():
        assert not Job.objects.filter(agency=alice_world.agency, kind="clients.import").exists()


def test_tampered_mapping_answers_422(alice_world):
    imp = ImportFileFactory(agency=alice_world.agency, uploaded_by=alice_world.director.user)
    response = _http(alice_world.director).post(f"/clients/import/{imp.pk}/", {"col_0": "password",
                                                                                "match_key": "name"})
    assert response.status_code == 422


def test_rejected_run_lists_rows_and_offers_the_error_csv(alice_world, django_capture_on_commit_callbacks):
    http = _http(alice_world.director)
    _upload(http, {"entity": "companies", "file": _file(
        "Название компании;Сайт\nХороший;ok.example\n;пусто\nПлохой;not a site\n")})
    (imp,) = _imports(alice_world.agency)
    with django_capture_on_commit_callbacks(execute=True):
        http.post(f"/clients/import/{imp.pk}/", {"col_0": "name", "col_1": "website", "match_key": "name",
                                                  "action": "start"})
    page = http.get(f"/clients/import/{imp.pk}/").content.decode()
    assert "2 rows have errors, so nothing was imported." in page
    assert "Company name is empty" in page and "“not a site” is not a website address" in page
    csv_response = http.get(f"/clients/import/{imp.pk}/errors.csv")
    assert csv_response.status_code == 200 and csv_response["Content-Type"] == "text/csv"
    text = csv_response.content.decode("utf-8-sig")
    assert text.splitlines()[1].startswith("3;") and "4;" in text
    with scopes_disabled():
        assert not Client.objects.filter(agency=alice_world.agency, name="Хороший").exists()


def test_am_sees_only_own_imports(alice_world):
    mine = ImportFileFactory(agency=alice_world.agency, uploaded_by=alice_world.am.user)
    theirs = ImportFileFactory(agency=alice_world.agency, uploaded_by=alice_world.am2.user)
    http = _http(alice_world.am)
    page = http.get(f"/clients/import/{mine.pk}/")
    assert page.status_code == 200
    assert "The uploaded file is no longer available. Upload it again." in page.content.decode()  # not a 500
    assert http.get(f"/clients/import/{theirs.pk}/").status_code == 404
    assert http.get(f"/clients/import/{theirs.pk}/errors.csv").status_code == 404
    assert _http(alice_world.director).get(f"/clients/import/{theirs.pk}/").status_code == 200


def test_another_agencys_import_is_404(alice_world, bob_world):
    theirs = ImportFileFactory(agency=bob_world.agency, uploaded_by=bob_world.director.user)
    http = _http(alice_world.director)
    assert http.get(f"/clients/import/{theirs.pk}/").status_code == 404
    assert http.post(f"/clients/import/{theirs.pk}/", {"action": "start"}).status_code == 404


def test_mapping_page_queries_do_not_grow_with_rows(alice_world, django_assert_max_num_queries):
    for i in range(60):
        ClientFactory(agency=alice_world.agency, name=f"Компания {i}")
    rows = "".join(f"Контакт {i};Компания {i};c{i}@example.com\n" for i in range(60))
    http = _http(alice_world.director)
    _upload(http, {"entity": "contacts", "file": _file("ФИО;Компания;Email\n" + rows)})
    (imp,) = _imports(alice_world.agency)
    for _i in range(8):
        ImportFileFactory(agency=alice_world.agency, uploaded_by=alice_world.director.user)
    with django_assert_max_num_queries(20):
        page = http.get(f"/clients/import/{imp.pk}/")
    assert page.status_code == 200 and "Контакт 19" in page.content.decode()
    with django_assert_max_num_queries(15):
        assert http.get("/clients/import/").status_code == 200
