"""Reporting pages over HTTP: sources (area page, client block), the import wizard end to end, the metrics page."""
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.utils import timezone
from django_scopes import scopes_disabled

from reporting.models import DailyMetric, DataSource, MetricImport
from tests.conftest import client_page, login
from tests.factories import ClientFactory, DailyMetricFactory, DataSourceFactory, MetricImportFactory

pytestmark = pytest.mark.django_db


def _http(membership):
    http = login(membership)
    http.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    return http


def _day(n: int) -> str:
    return (timezone.localdate() - timedelta(days=n)).strftime("%d.%m.%Y")


def _csv(rows=None, encoding="cp1251") -> SimpleUploadedFile:
    lines = ["Дата;Кампания;Показы;Клики;Расход, руб.;Конверсии;Доход"]
    lines += rows or [f"{_day(2)};Бренд;1 000;50;500,00;5;2000", f"{_day(1)};Бренд;2 000;100;1000,00;10;0",
                      f"{_day(1)};Поиск;500;0;0;0;0"]
    return SimpleUploadedFile("direct.csv", "\n".join(lines).encode(encoding), content_type="text/csv")


def _facts(source):
    with scopes_disabled():
        return DailyMetric.objects.filter(source=source).count()


def _run(http, item_id):
    """Start the import and run its job (eager Celery after commit), as the worker would."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return http.post(f"/reporting/imports/{item_id}/", {**_mapping(item_id), "action": "start"})


def _mapping(item_id) -> dict:
    with scopes_disabled():
        item = MetricImport.objects.get(pk=item_id)
    data = {f"col_{i}": item.mapping.get(str(i), "") for i in range(len(item.headers))}
    return {**data, "currency": item.currency, "channel": "Яндекс Директ"}


def _upload(http, source, upload):
    """Upload a file; its reading job runs after commit (eager Celery), as the worker would."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return http.post(f"/reporting/sources/{source.pk}/import/", {"file": upload})


@pytest.fixture
def source(alice_world):
    client = ClientFactory(agency=alice_world.agency, owner=alice_world.am.user, name="Зерно")
    return DataSourceFactory(client=client, name="Директ: выгрузка")


def test_menu_links_to_reporting(alice_world):
    page = _http(alice_world.am).get("/clients/").content.decode()
    assert 'href="/reporting/"' in page and "nav-reporting" in page


def test_roles(alice_world, source):
    assert _http(alice_world.am).get("/reporting/").status_code == 200
    assert _http(alice_world.specialist).get("/reporting/").status_code == 200
    assert _http(alice_world.specialist).get("/reporting/sources/new/").status_code == 403
    assert _http(alice_world.specialist).get(f"/reporting/sources/{source.pk}/import/").status_code == 403
    assert _http(alice_world.client_contact).get("/reporting/").status_code == 302  # to the portal


def test_source_list_shows_visible_sources_with_errors(alice_world, source, django_assert_max_num_queries):
    other = DataSourceFactory(client=ClientFactory(agency=alice_world.agency, owner=alice_world.am2.user),
                              name="Чужой источник")
    with scopes_disabled():
        DataSource.objects.filter(pk=source.pk).update(status="error", last_error="Строка 3: дата в будущем")
    for _ in range(30):
        DataSourceFactory(client=source.client)
    http = _http(alice_world.am)
    with django_assert_max_num_queries(12):
        page = http.get("/reporting/").content.decode()
    assert "Директ: выгрузка" in page and "Строка 3: дата в будущем" in page and other.name not in page
    assert "?page=2" in page
    assert other.name in _http(alice_world.director).get("/reporting/?q=Чужой").content.decode()
    assert "Директ" not in _http(alice_world.director).get("/reporting/?q=Чужой").content.decode().split(
        "<tbody>")[-1].split("</tbody>")[0]


def test_create_edit_delete_source(alice_world):
    client = ClientFactory(agency=alice_world.agency, owner=alice_world.am.user)
    http = _http(alice_world.am)
    response = http.post("/reporting/sources/new/", {"client": client.pk, "kind": "yandex_direct", "name": " Директ ",
                                                     "currency": "rub", "accounts": "login-1\nlogin-2, login-1"})
    assert response.status_code == 302
    with scopes_disabled():
        created = DataSource.objects.get(client=client)
    assert created.name == "Директ" and created.currency == "RUB" and created.accounts == ["login-1", "login-2"]
    bad = http.post("/reporting/sources/new/", {"client": client.pk, "kind": "file", "name": "", "currency": "рубли"},
                    HTTP_HX_REQUEST="true")
    assert bad.status_code == 422
    foreign = ClientFactory(agency=alice_world.agency, owner=alice_world.am2.user)
    assert http.post("/reporting/sources/new/", {"client": foreign.pk, "kind": "file", "name": "x",
                                                 "currency": "RUB"}).status_code == 422
    assert http.post(f"/reporting/sources/{created.pk}/edit/", {"kind": "yandex_direct", "name": "Директ 2",
                                                                "currency": "RUB", "status": "paused"}).status_code == 302
    with scopes_disabled():
        created.refresh_from_db()
    assert created.name == "Директ 2" and created.status == "paused"
    DailyMetricFactory(source=created)
    assert http.post(f"/reporting/sources/{created.pk}/delete/").status_code == 302
    with scopes_disabled():
        assert not DataSource.objects.filter(pk=created.pk).exists() and not DailyMetric.objects.exists()


def test_wizard_upload_map_preview_run_and_result(alice_world, source):
    http = _http(alice_world.am)
    response = _upload(http, source, _csv())
    assert response.status_code == 302
    with scopes_disabled():
        item = MetricImport.objects.get(source=source)
    assert item.encoding == "cp1251" and item.mapping == {"0": "date", "1": "campaign", "2": "impressions",
                                                          "3": "clicks", "4": "cost", "5": "conversions",
                                                          "6": "revenue"}
    page = http.get(response["Location"]).content.decode()
    assert "Бренд" in page and "No errors" in page and "do not import" in page
    # The HTMX preview answers in place when a column changes.
    partial = http.post(f"/reporting/imports/{item.pk}/", {**_mapping(item.pk), "col_4": ""}, HTTP_HX_REQUEST="true")
    assert partial.status_code == 200 and 'id="import-preview"' in partial.content.decode()
    response = _run(http, item.pk)
    assert response.status_code == 302
    result = http.get(f"/reporting/imports/{item.pk}/").content.decode()
    assert "Import finished" in result
    assert _facts(source) == 3
    with scopes_disabled():
        assert DailyMetric.objects.filter(source=source, channel="yandex_direct").count() == 3
    # Re-importing the same file replaces, never doubles.
    _upload(http, source, _csv())
    with scopes_disabled():
        again = MetricImport.objects.filter(source=source).order_by("-created_at").first()
    _run(http, again.pk)
    assert _facts(source) == 3
    metrics = http.get(f"/reporting/clients/{source.client_id}/metrics/").content.decode()
    assert "3\u202f500" in metrics or "3,500" in metrics  # impressions
    assert "Бренд" in metrics and "Поиск" in metrics


def test_a_bad_file_imports_nothing_and_keeps_the_data(alice_world, source):
    http = _http(alice_world.am)
    _upload(http, source, _csv())
    with scopes_disabled():
        good = MetricImport.objects.get(source=source)
    _run(http, good.pk)
    future = (timezone.localdate() + timedelta(days=3)).strftime("%d.%m.%Y")
    _upload(http, source, _csv([f"{_day(2)};Бренд;1;1;-5;0;0", f"{future};Бренд;1;1;1;0;0",
                                f"{_day(3)};Бренд;много;1;1;0;0", f"{_day(4)};Бренд;1;1;1;0;0",
                                f"{_day(4)};бренд;1;1;1;0;0"]))
    with scopes_disabled():
        bad = MetricImport.objects.filter(source=source).order_by("-created_at").first()
    preview = http.get(f"/reporting/imports/{bad.pk}/").content.decode()
    assert "cannot be negative" in preview and "in the future" in preview and "same day and campaign" in preview
    _run(http, bad.pk)
    page = http.get(f"/reporting/imports/{bad.pk}/").content.decode()
    assert "4 rows have errors, so nothing was imported" in page and "whole number" in page
    assert _facts(source) == 3
    with scopes_disabled():
        source.refresh_from_db()
        assert DailyMetric.objects.filter(source=source, cost=Decimal("500.00")).exists()
    assert source.status == "error" and "nothing was imported" in source.last_error


def test_upload_errors_answer_422_in_place(alice_world, source, settings):
    http = _http(alice_world.am)
    named_xlsx = SimpleUploadedFile("report.xlsx", "Дата;Расход\n01.01.2026;5".encode(), content_type="text/csv")
    response = http.post(f"/reporting/sources/{source.pk}/import/", {"file": named_xlsx}, HTTP_HX_REQUEST="true")
    assert response.status_code == 422 and "does not match its" in response.content.decode()
    binary = SimpleUploadedFile("data.csv", b"\x00\x01\x02\xff" * 100, content_type="text/csv")
    assert http.post(f"/reporting/sources/{source.pk}/import/", {"file": binary}).status_code == 422
    # Text the shared check accepts but no encoding we read decodes: the reader's clear message.
    utf16 = SimpleUploadedFile("u.csv", "Дата;Расход\n01.01.2026;5\n".encode("utf-16-le"), content_type="text/csv")
    assert http.post(f"/reporting/sources/{source.pk}/import/", {"file": utf16}).status_code == 422
    settings.MRM_REPORTING_IMPORT_MAX_BYTES = 30
    big = SimpleUploadedFile("big.csv", b"a;b\n" * 10, content_type="text/csv")
    assert "the limit is" in http.post(f"/reporting/sources/{source.pk}/import/", {"file": big}).content.decode()
    settings.MRM_REPORTING_IMPORT_MAX_BYTES = 20 * 1024 * 1024
    pdf = SimpleUploadedFile("r.pdf", b"%PDF-1.4 ...", content_type="application/pdf")
    assert "not accepted" in http.post(f"/reporting/sources/{source.pk}/import/", {"file": pdf}).content.decode()
    old = SimpleUploadedFile("old.xls", b"\xd0\xcf\x11\xe0" + b"0" * 100)
    assert http.post(f"/reporting/sources/{source.pk}/import/", {"file": old}).status_code == 422


def test_xlsx_import(alice_world, source):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Date", "Source", "Impressions", "Clicks", "Spend", "Sessions"])
    day = timezone.localdate() - timedelta(days=1)
    sheet.append([day, "VK Ads", 100, 10, 99.5, 7])
    sheet.append([day, "Google Ads", 200, 20, 10, 3])
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload = SimpleUploadedFile("vk.xlsx", buffer.getvalue(),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    http = _http(alice_world.am)
    assert _upload(http, source, upload).status_code == 302
    with scopes_disabled():
        item = MetricImport.objects.get(source=source)
    assert item.kind == "xlsx" and item.mapping["1"] == "channel"
    _run(http, item.pk)
    with scopes_disabled():
        assert sorted(DailyMetric.objects.filter(source=source).values_list("channel", flat=True)) == [
            "google_ads", "vk_ads"]


def test_mapping_without_a_date_cannot_start(alice_world, source):
    item = MetricImportFactory(source=source)
    http = _http(alice_world.am)
    response = http.post(f"/reporting/imports/{item.pk}/", {"col_0": "", "col_1": "cost", "currency": "RUB",
                                                           "action": "start"})
    assert response.status_code == 422 and "column with the date" in response.content.decode()


def test_metrics_page_queries_and_period(alice_world, source, django_assert_max_num_queries):
    day = timezone.localdate() - timedelta(days=1)
    with scopes_disabled():
        from reporting.models import Campaign

        for n in range(30):
            campaign = Campaign.objects.create(agency=source.agency, source=source, external_id=str(n), name=f"К{n}")
            DailyMetricFactory(source=source, campaign=campaign, date=day, clicks=n, impressions=100,
                               cost=Decimal(n + 1))
    http = _http(alice_world.am)
    with django_assert_max_num_queries(16):
        page = http.get(f"/reporting/clients/{source.client_id}/metrics/").content.decode()
    assert "К29" in page and "page=2" in page
    assert "К0" in http.get(f"/reporting/clients/{source.client_id}/metrics/?page=2").content.decode()
    old = http.get(f"/reporting/clients/{source.client_id}/metrics/?date_from=2020-01-01&date_to=2020-01-31")
    assert "No figures for this period" in old.content.decode()
    wrong = http.get(f"/reporting/clients/{source.client_id}/metrics/?date_from=2020-02-01&date_to=2020-01-01")
    assert wrong.status_code == 200 and "Showing the last 30 days" in wrong.content.decode()


def test_client_page_section(alice_world, source, django_assert_max_num_queries):
    for _ in range(8):
        DataSourceFactory(client=source.client)
    page = client_page(_http(alice_world.am), source.client_id)
    assert 'id="client-reporting"' in page and "Директ: выгрузка" in page and "and 4 more sources" in page


def test_another_agencys_objects_answer_404(alice_world, bob_world):
    bob_source = DataSourceFactory(client__agency=bob_world.agency)
    bob_import = MetricImportFactory(source=bob_source)
    http = _http(alice_world.director)
    for url in (f"/reporting/sources/{bob_source.pk}/", f"/reporting/sources/{bob_source.pk}/edit/",
                f"/reporting/sources/{bob_source.pk}/import/", f"/reporting/imports/{bob_import.pk}/",
                f"/reporting/clients/{bob_source.client_id}/metrics/"):
        assert http.get(url).status_code == 404, url
    assert http.post(f"/reporting/sources/{bob_source.pk}/delete/").status_code == 404


def test_am_does_not_see_a_colleagues_sources(alice_world):
    theirs = DataSourceFactory(client=ClientFactory(agency=alice_world.agency, owner=alice_world.am2.user))
    http = _http(alice_world.am)
    assert http.get(f"/reporting/sources/{theirs.pk}/").status_code == 404
    assert http.get(f"/reporting/clients/{theirs.client_id}/metrics/").status_code == 404
    assert _http(alice_world.am2).get(f"/reporting/sources/{theirs.pk}/").status_code == 200


def test_htmx_preview_with_an_invalid_currency_answers_422_in_place(alice_world, source):
    http = _http(alice_world.am)
    _upload(http, source, _csv())
    with scopes_disabled():
        item = MetricImport.objects.get(source=source)
    response = http.post(f"/reporting/imports/{item.pk}/", {**_mapping(item.pk), "currency": "R1"},
                         HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 422 and body.lstrip().startswith('<div id="import-preview"')
    assert "three-letter currency code" in body


def test_client_page_block_queries_stay_constant(alice_world, source, django_assert_num_queries):
    http = _http(alice_world.am)
    http.get(f"/clients/{source.client_id}/")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        http.get(f"/clients/{source.client_id}/")
    for _ in range(10):
        DataSourceFactory(client=source.client)
    with CaptureQueriesContext(connection) as many:
        http.get(f"/clients/{source.client_id}/")
    assert len(many) <= len(few) + 1  # the "and N more" count


def test_the_import_job_is_idempotent_and_checks_the_uploader(alice_world, source):
    from reporting.tasks import metric_import_run_task

    http = _http(alice_world.am)
    _upload(http, source, _csv())
    with scopes_disabled():
        item = MetricImport.objects.get(source=source)
    _run(http, item.pk)
    with scopes_disabled():
        item.refresh_from_db()
        finished = item.job.finished_at
    metric_import_run_task.delay(agency_id=alice_world.agency.pk, import_id=str(item.pk))  # a redelivered message
    with scopes_disabled():
        item.job.refresh_from_db()
    assert _facts(source) == 3 and item.job.finished_at == finished and item.job.status == "succeeded"
    # The uploader lost the right to import before the next run: nothing is written, the job says why.
    _upload(http, source, _csv())
    with scopes_disabled():
        again = MetricImport.objects.filter(source=source).order_by("-created_at").first()
        from mrm.tenancy.models import Membership

        Membership.objects.filter(pk=alice_world.am.pk).update(role="specialist")
    from django_scopes import scope

    from reporting.services.importing import metric_import_start

    with TestCase.captureOnCommitCallbacks(execute=True), scope(agency=alice_world.agency):
        job = metric_import_start(agency=alice_world.agency, actor=alice_world.am.user, item=again)
    with scopes_disabled():
        job.refresh_from_db()
    assert job.status == "failed" and "no longer may import" in job.error and _facts(source) == 3


def test_source_list_search_as_you_type_and_sort(alice_world, source):
    DataSourceFactory(client=source.client, name="Аналитика")
    http = _http(alice_world.am)
    partial = http.get("/reporting/?q=Аналит", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="sources-results")
    body = partial.content.decode()
    assert body.lstrip().startswith('<div id="sources-results">') and "Аналитика" in body and "Директ" not in body
    page = http.get("/reporting/?sort=name").content.decode()
    assert page.index("Аналитика") < page.index("Директ: выгрузка")
    assert http.get("/reporting/?sort=-last_sync").status_code == 200
    assert http.get("/reporting/?sort=bogus").status_code == 200
