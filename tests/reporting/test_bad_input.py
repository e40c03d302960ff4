"""Bad input of the issue's quality list, end to end where it arrives: a connector answering garbage (through
`source_sync`), files in encodings we do not read, a stored file that turned into garbage, a 100 MB upload
(streamed to the view: refused with the limit, without reading it into memory). Every case: a clear message,
nothing written, the facts saved before untouched, the source showing the error."""
import io
import tracemalloc
import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.test.client import ClientHandler
from django.utils import timezone, translation
from django_scopes import scope, scopes_disabled

from mrm.core.errors import ServiceError
from reporting.connectors import base
from reporting.models import DailyMetric, DataSource, MetricImport
from reporting.services.metrics import metrics_replace
from tests.factories import DataSourceFactory, MetricImportFactory
from tests.reporting.reports_helpers import http

pytestmark = pytest.mark.django_db
D = date(2026, 3, 1)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _row(day=D, campaign="Бренд", **figures):
    return {"date": day, "channel": "yandex_direct", "campaign": campaign, "campaign_id": "", "impressions": 1000,
            "clicks": 50, "cost": Decimal("500.00"), "conversions": Decimal(5), "revenue": Decimal("2000.00"),
            "sessions": 40, "currency": "RUB", **figures}


def _facts(source) -> list[tuple]:
    with scopes_disabled():
        return list(DailyMetric.objects.filter(source=source).order_by("date", "id").values_list("date", "cost"))


class _Answers:
    """A connector whose answers the test decides (registered for the VK Ads kind for one test)."""

    kind = "vk_ads"

    def __init__(self):
        self.rows: list = []

    def fetch(self, source, date_from, date_to):
        return list(self.rows)


@pytest.fixture
def connector(monkeypatch):
    fake = _Answers()
    monkeypatch.setitem(base._REGISTRY, "vk_ads", lambda: fake)
    return fake


@pytest.fixture
def vk_source(alice_world):
    return DataSourceFactory(client__agency=alice_world.agency, client__owner=alice_world.am.user, kind="vk_ads")


def _sync(world, source):
    with scope(agency=world.agency):
        return base.source_sync(agency=world.agency, source=source, date_from=D, date_to=D + timedelta(days=6))


FUTURE = timezone.localdate() + timedelta(days=5)
GARBAGE = [
    ("a negative cost", [_row(cost=Decimal("-5"))], "cost cannot be negative"),
    ("clicks that are text", [_row(clicks="много")], "clicks is not a number"),
    ("a fractional count", [_row(impressions=Decimal("10.5"))], "impressions is not a whole number"),
    ("NaN revenue", [_row(revenue=float("nan"))], "revenue is not a number"),
    ("a boolean", [_row(sessions=True)], "sessions is not a number"),
    ("an absurd amount", [_row(cost=Decimal("1e20"))], "cost is too large"),
    ("a list instead of a row", [["2026-03-01", 1, 2]], "not a row of figures"),
    ("a date as text", [_row(day="2026-03-01")], "the date is not a date"),
    ("no date", [_row(day=None)], "no date"),
    ("a bad currency", [_row(currency="рубли")], "three-letter code"),
    ("the same campaign day twice", [_row(), _row(campaign=" бренд ")], "the same day and campaign as row 2"),
]


@pytest.mark.parametrize(("case", "rows", "message"), GARBAGE, ids=[g[0] for g in GARBAGE])
def test_metrics_replace_refuses_garbage_and_keeps_the_facts(alice_world, vk_source, case, rows, message):
    with scope(agency=alice_world.agency):
        metrics_replace(agency=alice_world.agency, source=vk_source, rows=[_row(), _row(D + timedelta(days=1))])
        before = _facts(vk_source)
        with pytest.raises(ServiceError) as caught:
            metrics_replace(agency=alice_world.agency, source=vk_source, rows=[_row(D + timedelta(days=2)), *rows])
    assert message in caught.value.message.lower() and "row 2" in caught.value.message
    assert "unchanged" in caught.value.message
    assert _facts(vk_source) == before and len(before) == 2
    with scopes_disabled():
        vk_source.refresh_from_db()
    assert vk_source.status == DataSource.Status.ERROR and message in vk_source.last_error.lower()


def test_a_connector_answering_garbage_changes_nothing(alice_world, vk_source, connector):
    connector.rows = [_row(D + timedelta(days=n)) for n in range(3)]
    assert _sync(alice_world, vk_source)["rows"] == 3
    good = _facts(vk_source)
    connector.rows = [_row(D, cost=Decimal("1.00")), _row(D + timedelta(days=1), clicks=-3),
                      _row(D + timedelta(days=2), cost="1,5,0")]
    with pytest.raises(ServiceError) as caught:
        _sync(alice_world, vk_source)
    assert "2 rows are wrong" in caught.value.message and "clicks cannot be negative" in caught.value.message.lower()
    assert _facts(vk_source) == good  # the good first row was not written either
    with scopes_disabled():
        vk_source.refresh_from_db()
    assert vk_source.status == "error" and "row 2" in vk_source.last_error
    # The next good answer clears the error and replaces the days it covers.
    connector.rows = [_row(D, cost=Decimal("7.00"))]
    _sync(alice_world, vk_source)
    with scopes_disabled():
        vk_source.refresh_from_db()
    assert vk_source.status == "active" and vk_source.last_error == ""
    assert _facts(vk_source)[0] == (D, Decimal("7.00")) and len(_facts(vk_source)) == 3


CONNECTOR_GARBAGE = [g for g in GARBAGE if g[0] in ("no date", "a list instead of a row", "a date as text")]


@pytest.mark.parametrize(("case", "rows", "message"), CONNECTOR_GARBAGE, ids=[g[0] for g in CONNECTOR_GARBAGE])
def test_a_connector_row_without_a_date_or_not_a_row_is_reported_not_crashed(alice_world, vk_source, connector,
                                                                              case, rows, message):
    """The sync filters the answer to its period by date: garbage is checked first, so a row without a usable
    date is a clear error on the source, not a KeyError / TypeError in the worker."""
    connector.rows = [_row(D)]
    _sync(alice_world, vk_source)
    good = _facts(vk_source)
    connector.rows = [_row(D), *rows]
    with pytest.raises(ServiceError) as caught:
        _sync(alice_world, vk_source)
    assert message in caught.value.message.lower() and "row 2" in caught.value.message
    assert _facts(vk_source) == good
    with scopes_disabled():
        vk_source.refresh_from_db()
    assert vk_source.status == DataSource.Status.ERROR and message in vk_source.last_error.lower()


def test_connector_rows_in_loose_types_are_cleaned(alice_world, vk_source, connector):
    """Numbers as strings or floats (JSON) are accepted and stored exactly."""
    connector.rows = [_row(cost="12.30", clicks="7", impressions=100.0, revenue=10.005, campaign_id=12345)]
    _sync(alice_world, vk_source)
    with scopes_disabled():
        fact = DailyMetric.objects.get(source=vk_source)
    assert (fact.cost, fact.clicks, fact.impressions, fact.revenue) == (Decimal("12.30"), 7, 100, Decimal("10.01"))
    assert fact.campaign.external_id == "12345"


def test_a_connector_day_in_the_future_is_refused(alice_world, vk_source, connector):
    with scope(agency=alice_world.agency):
        with pytest.raises(ServiceError) as caught:
            metrics_replace(agency=alice_world.agency, source=vk_source, rows=[_row(day=FUTURE)])
    assert "is in the future" in caught.value.message and _facts(vk_source) == []


def test_the_file_connector_with_a_stored_file_turned_garbage(alice_world):
    source = DataSourceFactory(client__agency=alice_world.agency)
    item = MetricImportFactory(source=source, headers=["Дата", "Расход"], mapping={"0": "date", "1": "cost"},
                               report={"outcome": "done"})
    with scopes_disabled():
        item.file.save("upload.csv", ContentFile("Дата;Расход\n01.03.2026;100\n".encode()))
    _sync(alice_world, source)
    good = _facts(source)
    with scopes_disabled():
        item.file.save("upload.csv", ContentFile("Дата;Расход\n01.03.2026;-100\nвчера;сто\n".encode()))
    with pytest.raises(ServiceError) as caught:
        _sync(alice_world, source)
    assert "Row 2 of the file" in caught.value.message and "negative" in caught.value.message
    assert _facts(source) == good
    with scopes_disabled():
        source.refresh_from_db()
        item.file.delete(save=True)
    assert source.status == "error"
    with pytest.raises(ServiceError) as caught:
        _sync(alice_world, source)
    assert "no longer available" in caught.value.message and _facts(source) == good


# --- files -------------------------------------------------------------------------------------------
@pytest.fixture
def file_source(alice_world):
    return DataSourceFactory(client__agency=alice_world.agency, client__owner=alice_world.am.user)


def _post_file(world, source, name: str, content: bytes):
    """Upload through the view; the reading job runs after commit (eager), as a worker would."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return http(world.am).post(f"/reporting/sources/{source.pk}/import/",
                                   {"file": SimpleUploadedFile(name, content, content_type="text/csv")})


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp1251", "utf-8", "utf-16"])  # utf-16: with a BOM (Excel)
def test_the_encodings_we_read(alice_world, file_source, encoding):
    text = "Дата;Кампания;Расход\n01.03.2026;Бренд Москва;100\n"
    response = _post_file(alice_world, file_source, "m.csv", text.encode(encoding))
    assert response.status_code == 302
    with scopes_disabled():
        item = MetricImport.objects.get(source=file_source)
    assert item.headers == ["Дата", "Кампания", "Расход"] and item.sample[0]["values"][1] == "Бренд Москва"


@pytest.mark.parametrize("encoding", ["utf-16-be", "utf-32"])  # no BOM / not an encoding we read
def test_encodings_we_do_not_read_are_refused_with_a_message(alice_world, file_source, encoding):
    """Refused by the request's cheap check, before anything is stored."""
    response = _post_file(alice_world, file_source, "m.csv", "Дата;Расход\n01.03.2026;100\n".encode(encoding))
    assert response.status_code == 422
    body = response.content.decode()
    assert "UTF-8" in body and "alert" in body
    with scopes_disabled():
        assert not MetricImport.objects.filter(source=file_source).exists()


def test_a_file_with_mixed_encodings_is_refused_instead_of_imported_garbled(alice_world, file_source):
    """UTF-8 with a row pasted in from a Windows-1251 file: decoded as Windows-1251 as a whole, every Cyrillic
    header and name would be mojibake («Р”Р°С‚Р°»); the upload says what happened instead."""
    content = ("Дата;Кампания;Расход\n01.03.2026;Бренд Москва;100\n".encode()
               + "02.03.2026;Ретаргетинг;5\n".encode("cp1251"))
    response = _post_file(alice_world, file_source, "m.csv", content)
    assert response.status_code == 422 and "Part of the file is in UTF-8" in response.content.decode()
    with scopes_disabled():
        assert not MetricImport.objects.filter(source=file_source).exists()


def test_mixed_encodings_check_leaves_real_windows_1251_alone():
    from reporting.services.importing import mixed_encodings

    text = "Дата;Кампания;Расход, руб.\n01.03.2026;«Бренд» — Москва, №1 ё;100\n" * 50
    assert not mixed_encodings(text.encode("cp1251"))
    assert mixed_encodings(text.encode() + "Ретаргетинг".encode("cp1251"))


def test_the_size_limit_is_said_in_the_form_and_its_hint(alice_world, file_source, settings):
    settings.MRM_REPORTING_IMPORT_MAX_BYTES = 2 * 1024 * 1024
    page = http(alice_world.am).get(f"/reporting/sources/{file_source.pk}/import/").content.decode()
    assert "up to 2.0\xa0MB" in page or "up to 2.0 MB" in page
    response = _post_file(alice_world, file_source, "big.csv", b"a;b\n" * (600 * 1024))
    assert response.status_code == 422
    assert "the limit is 2.0" in response.content.decode()


def _multipart_file(path, *, boundary: str, size: int) -> int:
    """A multipart body with one CSV of `size` bytes, written in chunks (never held in memory)."""
    line = b"01.03.2026;\xd0\x91\xd1\x80\xd0\xb5\xd0\xbd\xd0\xb4;1000;50;500,00\n"
    with open(path, "wb") as fh:
        fh.write(f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"huge.csv\"\r\n"
                 f"Content-Type: text/csv\r\n\r\n".encode())
        fh.write("Дата;Кампания;Показы;Клики;Расход\n".encode())
        chunk = line * (1024 * 1024 // len(line))
        written = 0
        while written < size:
            fh.write(chunk)
            written += len(chunk)
        fh.write(f"\r\n--{boundary}--\r\n".encode())
        return fh.tell()


def test_a_100_mb_upload_is_refused_with_the_limit_without_reading_it_into_memory(alice_world, file_source,
                                                                                  tmp_path):
    boundary = uuid.uuid4().hex
    body = tmp_path / "body"
    length = _multipart_file(body, boundary=boundary, size=100 * 1024 * 1024)
    client = http(alice_world.am)
    environ = client._base_environ(
        PATH_INFO=f"/reporting/sources/{file_source.pk}/import/", REQUEST_METHOD="POST",
        CONTENT_TYPE=f"multipart/form-data; boundary={boundary}", CONTENT_LENGTH=str(length))
    with open(body, "rb") as stream:
        environ["wsgi.input"] = stream
        tracemalloc.start()
        try:
            response = ClientHandler(enforce_csrf_checks=False)(environ)
            _current, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert response.status_code == 422
    text = response.content.decode()
    assert "huge.csv" in text and "the limit is 20.0" in text
    assert peak < 30 * 1024 * 1024, f"the upload took {peak / 1e6:.0f} MB of memory"
    with scopes_disabled():
        assert not MetricImport.objects.filter(source=file_source).exists()


def test_the_import_service_checks_the_size_before_reading(alice_world, file_source):
    from reporting.services.importing import metric_import_upload

    class Huge(io.BytesIO):
        name, size = "huge.csv", 100 * 1024 * 1024

        def read(self, *args):  # pragma: no cover - reading is the failure this test guards against
            raise AssertionError("the file was read")

    with scope(agency=alice_world.agency), pytest.raises(ServiceError) as caught:
        metric_import_upload(agency=alice_world.agency, actor=alice_world.am.user, source=file_source, upload=Huge())
    assert caught.value.code == "too_big" and "20.0" in caught.value.message
