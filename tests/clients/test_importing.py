"""Import: reading files (encoding, delimiter, XLSX, limits), guessing columns, checking rows,
and the job that writes them (idempotent, all-or-nothing unless bad rows are skipped)."""
import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.utils import translation
from django_scopes import scope, scopes_disabled
from openpyxl import Workbook

from clients.importing import readers
from clients.importing.schema import guess_mapping, parse_amount, parse_date, parse_row, parse_stage
from clients.models import Client, Contact, Deal, ImportFile
from clients.services import importing as services
from mrm.core.errors import ServiceError
from mrm.jobs.models import Job
from mrm.tenancy.models import AuditLog
from tests.factories import ClientFactory, ContactFactory


@pytest.fixture(autouse=True)
def _english():
    # Messages are asserted in the source language; the .po file translates them for users.
    with translation.override("en"):
        yield


AMO_COMPANIES = (
    "ID;Название компании;Ответственный;Сфера деятельности;Сайт;Теги;Дата начала работы\n"
    "101;Кофейня «Зерно»;{am};HoReCa;zerno.example;vip, кофе;01.03.2024\n"
    "102;Автодом Премиум;;Автодилер;https://avtodom.example;;2023-11-15\n"
    "103;Школа Speakly;;Образование;;;15/01/2025\n"
)


def _csv(text: str, encoding: str = "utf-8", name: str = "export.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def _xlsx(rows: list[list], name: str = "export.xlsx", literal_text: tuple = ()) -> SimpleUploadedFile:
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    for ref in literal_text:  # a text cell that merely starts with "=" (not a formula)
        ws[ref].data_type = "s"
    buf = io.BytesIO()
    wb.save(buf)
    return SimpleUploadedFile(name, buf.getvalue(), content_type="application/octet-stream")


def _inspect(upload) -> readers.FileInfo:
    return readers.inspect_file(upload, size=upload.size)


# --- reading files --------------------------------------------------------------------------------

@pytest.mark.parametrize(("encoding", "expected"), [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"),
                                                     ("cp1251", "cp1251"), ("utf-16", "utf-16")])
def test_encoding_detected_and_text_is_read_correctly(encoding, expected):
    info = _inspect(_csv("Название компании;Город\nКофейня «Зерно»;Москва\n", encoding))
    assert info.encoding == expected
    assert info.headers == ["Название компании", "Город"]
    assert info.sample[0].values == ["Кофейня «Зерно»", "Москва"]


@pytest.mark.parametrize(("text", "delimiter"), [
    ("Name;Company;Phone\nИван;Зерно;+7 916 000-00-00\n", ";"),
    ("Name,Company,Phone\nИван,\"Зерно; кофе\",+7 916\n", ","),
    ("Name\tCompany\tPhone\nИван\tЗерно\t+7 916\n", "\t"),
    ("sep=;\nName;Company\nИван;Зерно\n", ";"),
])
def test_delimiter_detected(text, delimiter):
    info = _inspect(_csv(text))
    assert info.delimiter == delimiter
    assert info.headers[:2] == ["Name", "Company"]
    assert info.sample[0].values[1].startswith("Зерно")


def test_delimiter_falls_back_when_the_sniffer_is_wrong():
    # Commas inside the values fool csv.Sniffer; the column count across lines decides.
    text = "Компания;Комментарий\n" + "".join(f"Клиент {i};один, два, три\n" for i in range(30))
    assert readers.detect_delimiter(text) == ";"


def test_line_numbers_are_spreadsheet_rows_and_blank_rows_are_skipped():
    info = _inspect(_csv("\nName\nА\n\nБ\n"))
    assert [r.line for r in info.sample] == [3, 5]
    assert info.row_count == 2


@pytest.mark.parametrize(("content", "message"), [
    (b"", "The file is empty"),
    (b"\n\n  \n", "The file is empty"),
    (b"Name;Company\n", "no data under it"),
    (bytes(range(256)) * 40, "could not read the text"),
    (b"%PDF-1.4\x00\x01\x02 binary", "could not read the text"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old Excel (.xls)"),
    (b"PK\x03\x04not really a zip", "not a spreadsheet"),
    ("Name\n" + "x\n" * 3, None),
])
def test_broken_files_get_clear_errors(content, message):
    upload = SimpleUploadedFile("f.csv", content if isinstance(content, bytes) else content.encode())
    if message is None:
        assert _inspect(upload).row_count == 3
        return
    with pytest.raises(ServiceError) as exc:
        _inspect(upload)
    assert message in exc.value.message


def test_size_limit_is_checked_before_reading(settings):
    settings.MRM_IMPORT_MAX_BYTES = 1024

    class Unreadable(io.BytesIO):
        def read(self, *args):  # the limit must be enforced from the size alone
            raise AssertionError("read before the size check")

    with pytest.raises(ServiceError) as exc:
        readers.inspect_file(Unreadable(), size=2048)
    assert "the limit is" in exc.value.message


def test_row_limit(settings):
    settings.MRM_IMPORT_MAX_ROWS = 5
    with pytest.raises(ServiceError) as exc:
        _inspect(_csv("Name\n" + "".join(f"Клиент {i}\n" for i in range(6))))
    assert "more than 5 rows" in exc.value.message
    assert _inspect(_csv("Name\n" + "".join(f"Клиент {i}\n" for i in range(5)))).row_count == 5


def test_xlsx_values_are_read_and_formulas_never_evaluated():
    upload = _xlsx([["Название компании", "Бюджет", "Дата", "Комментарий"],
                    ["Зерно", 1250000.0, date(2025, 3, 1), "=2+2"],
                    ["Атлант", "=1+2", None, "обычный текст"]], literal_text=("D2",))
    info = _inspect(upload)
    assert info.kind == "xlsx"
    assert info.sample[0].values == ["Зерно", "1250000", "2025-03-01", "=2+2"]  # literal text stays text
    # openpyxl wrote no cached value for the formula: it comes back empty, never "3".
    assert info.sample[1].values[1] in ("", "=1+2")
    assert "3" not in info.sample[1].values


# --- columns and values ---------------------------------------------------------------------------

def test_headers_guessed_from_amocrm_and_bitrix_names():
    amo = guess_mapping("contacts", ["ID", "Полное имя", "Имя", "Компания", "Рабочий телефон",
                                     "Мобильный телефон", "Рабочий email", "Должность", "Ответственный"])
    assert amo == {"0": "external_id", "1": "full_name", "3": "company", "4": "phone", "5": "phone",
                   "6": "email", "7": "position"}
    bitrix = guess_mapping("deals", ["ID", "Название сделки", "Стадия сделки", "Сумма", "Валюта", "Компания",
                                     "Ответственный", "Предполагаемая дата закрытия", "Тип"])
    assert bitrix == {"0": "external_id", "1": "title", "2": "stage", "3": "amount", "4": "currency",
                      "5": "company", "6": "owner", "7": "expected_close_date", "8": "kind"}
    english = guess_mapping("companies", ["Company", "Website", "Industry", "Tags", "Notes", "Whatever"])
    assert english == {"0": "name", "1": "website", "2": "industry", "3": "tags", "4": "notes"}
    # INN is the external id when there is no ID column; with both, the ID wins.
    assert guess_mapping("companies", ["ИНН", "Наименование"]) == {"0": "external_id", "1": "name"}
    assert guess_mapping("companies", ["ИНН", "ID", "Наименование"])["1"] == "external_id"
    assert guess_mapping("contacts", ["Телефон (мобильный)", "E-mail"]) == {"0": "phone", "1": "email"}


@pytest.mark.parametrize(("text", "expected"), [
    ("01.03.2024", date(2024, 3, 1)), ("2024-03-01", date(2024, 3, 1)), ("01/03/2024", date(2024, 3, 1)),
    ("01.03.2024 14:20:00", date(2024, 3, 1)), ("2024-03-01T10:00", date(2024, 3, 1)),
])
def test_dates(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("1 250 000", "1250000.00"), ("1 250 000,50 ₽", "1250000.50"), ("1,250,000.50", "1250000.50"),
    ("1.250.000,50", "1250000.50"), ("99,9", "99.90"), ("15000 руб.", "15000.00"), ("0", "0.00"),
])
def test_amounts(text, expected):
    assert parse_amount(text) == Decimal(expected)


def test_stages_from_crm_pipelines():
    assert parse_stage("Успешно реализовано") == "won"
    assert parse_stage("Закрыто и не реализовано") == "lost"
    assert parse_stage("Сделка провалена") == "lost"
    assert parse_stage("Переговоры") == "negotiation"
    assert parse_stage("КП отправлено") == "proposal_sent"
    assert parse_stage("Назначена встреча") == "new"  # a custom open stage


def test_row_errors_name_the_field_and_the_value():
    mapping = {0: "full_name", 1: "company", 2: "email", 3: "phone"}
    data, errors = parse_row("contacts", mapping, ["", "Зерно", "ivan@", "12"])
    assert errors == ["Full name is empty", "E-mail: “ivan@” is not a valid e-mail address",
                      "Phone: “12” is not a phone number"]
    data, errors = parse_row("deals", {0: "title", 1: "company", 2: "amount", 3: "expected_close_date"},
                             ["Ведение SMM", "Зерно", "много", "31.02.2025"])
    assert [e.split(":")[0] for e in errors] == ["Amount", "Expected close date"]
    data, errors = parse_row("contacts", {0: "last_name", 1: "first_name", 2: "company"}, ["Иванов", "Иван", "З"])
    assert errors == [] and data["full_name"] == "Иванов Иван"


# --- the job ----------------------------------------------------------------------------------------

def _upload(membership, upload, entity="companies") -> ImportFile:
    # The upload queues the reading job after commit; run it, as the worker would.
    with scope(agency=membership.agency):
        with TestCase.captureOnCommitCallbacks(execute=True):
            import_file = services.import_file_upload(agency=membership.agency, actor=membership.user,
                                                      entity=entity, upload=upload)
        import_file.refresh_from_db()
        return import_file


def _run(membership, import_file, *, skip=False, match_key=None, mapping=None,
         capture=None) -> ImportFile:
    agency = membership.agency
    with scope(agency=agency):
        import_file = services.import_file_configure(
            agency=agency, import_file=import_file, mapping=mapping or import_file.mapping,
            match_key=match_key or import_file.match_key, skip_bad_rows=skip)
        with capture(execute=True):
            services.import_start(agency=agency, actor=membership.user, import_file=import_file)
        import_file.refresh_from_db()
        return import_file


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    def _go(membership, import_file, **kw):
        return _run(membership, import_file, capture=django_capture_on_commit_callbacks, **kw)
    return _go


def _names(agency) -> list[str]:
    with scopes_disabled():
        return sorted(Client.objects.filter(agency=agency).values_list("name", flat=True))


def test_companies_import_and_reimport_creates_no_duplicates(alice_world, run):
    w = alice_world
    text = AMO_COMPANIES.format(am=w.am.user.full_name)
    imp = run(w.director, _upload(w.director, _csv(text)))
    assert imp.job.status == Job.Status.SUCCEEDED, imp.job.error
    assert (imp.report["created"], imp.report["updated"], imp.report["skipped"]) == (3, 0, 0)
    with scopes_disabled():
        zerno = Client.objects.get(agency=w.agency, external_id="101")
        assert zerno.name == "Кофейня «Зерно»" and zerno.owner == w.am.user  # "Ответственный" resolved
        assert zerno.website == "https://zerno.example" and zerno.start_date == date(2024, 3, 1)
        assert sorted(zerno.tags.values_list("name", flat=True)) == ["vip", "кофе"]
        assert Client.objects.get(agency=w.agency, external_id="102").owner == w.director.user
        assert AuditLog.objects.filter(agency=w.agency, action="client_import.completed").count() == 1

    again = run(w.director, _upload(w.director, _csv(text)))
    assert (again.report["created"], again.report["updated"], again.report["unchanged"]) == (0, 0, 3)
    changed = text.replace("HoReCa", "Кофейни")
    third = run(w.director, _upload(w.director, _csv(changed, "cp1251")))
    assert (third.report["created"], third.report["updated"]) == (0, 1)
    assert len(_names(w.agency)) == 4  # the fixture's client + 3 imported


def test_match_on_name_is_case_and_quote_insensitive(alice_world, run):
    w = alice_world
    ClientFactory(agency=w.agency, name="Кофейня «Зерно»", industry="")
    imp = _upload(w.director, _csv("Компания;Отрасль\nкофейня \"зерно\";HoReCa\n"))
    assert imp.match_key == "name"
    imp = run(w.director, imp)
    assert (imp.report["created"], imp.report["updated"]) == (0, 1)
    with scopes_disabled():
        assert Client.objects.get(agency=w.agency, name="Кофейня «Зерно»").industry == "HoReCa"


def test_bad_rows_reject_the_whole_file_unless_skipped(alice_world, run):
    w = alice_world
    text = "Название компании;Сайт;Дата начала работы\nХороший;good.example;01.01.2024\n;x;\nПлохой;;32.13.2024\n"
    imp = run(w.director, _upload(w.director, _csv(text)))
    assert imp.job.status == Job.Status.FAILED
    assert "2 rows have errors, so nothing was imported" in imp.job.error
    assert imp.report["outcome"] == "rejected"
    assert [e["line"] for e in imp.report["errors"]] == [3, 4]
    assert "Company name is empty" in imp.report["errors"][0]["errors"]
    assert "Start date" in imp.report["errors"][1]["errors"][0]
    assert "Хороший" not in _names(w.agency)

    imp = run(w.director, imp, skip=True)  # the same upload, now skipping bad rows
    assert imp.job.status == Job.Status.SUCCEEDED
    assert (imp.report["created"], imp.report["skipped"]) == (1, 2)
    assert "Хороший" in _names(w.agency) and "Плохой" not in _names(w.agency)


def test_contacts_need_a_known_company_and_match_on_email(alice_world, bob_world, run):
    w = alice_world
    ClientFactory(agency=w.agency, name="Зерно")
    ClientFactory(agency=bob_world.agency, name="Чужая компания")
    text = ("Полное имя;Компания;Email;Рабочий телефон;Мобильный телефон\n"
            "Иван Петров;Зерно;ivan@zerno.example;;+7 916 123-45-67\n"
            "Ольга Сидорова;Чужая компания;olga@x.example;;\n")
    imp = _upload(w.director, _csv(text), entity="contacts")
    assert imp.match_key == "email"
    with scope(agency=w.agency):
        preview = services.import_preview(agency=w.agency, membership=w.director, import_file=imp)
    assert preview[0].errors == []
    assert preview[1].errors == ["Unknown company “Чужая компания”: import the companies first or check the name."]
    imp = run(w.director, imp, skip=True)
    assert (imp.report["created"], imp.report["skipped"]) == (1, 1)
    with scopes_disabled():
        ivan = Contact.objects.get(agency=w.agency, email="ivan@zerno.example")
        assert ivan.phone == "+7 916 123-45-67" and ivan.is_primary  # first contact of the company
        assert not Contact.objects.filter(full_name="Ольга Сидорова").exists()
    imp = run(w.director, _upload(w.director, _csv(text.replace("Иван Петров", "Иван Петров-Водкин")),
                                  entity="contacts"), skip=True)
    assert (imp.report["created"], imp.report["updated"]) == (0, 1)
    with scopes_disabled():
        assert Contact.objects.filter(agency=w.agency, email="ivan@zerno.example").count() == 1


def test_deals_import_from_xlsx(alice_world, run):
    w = alice_world
    ClientFactory(agency=w.agency, name="Зерно", external_id="C-1")
    from clients.caches import BOARD_SUMS

    version = BOARD_SUMS.version(agency_id=w.agency.pk)
    rows = [["ID", "Название сделки", "ID компании", "Компания", "Этап сделки", "Бюджет", "Тип сделки",
             "Дата закрытия"],
            ["D-1", "SMM на 2025", "C-1", "", "Успешно реализовано", 1250000.5, "Допродажа", date(2025, 2, 1)],
            ["D-2", "Контекст", "", "Зерно", "Переговоры", "300 000", "", "15.04.2025"]]
    imp = run(w.director, _upload(w.director, _xlsx(rows), entity="deals"))
    assert imp.job.status == Job.Status.SUCCEEDED, imp.job.error
    with scopes_disabled():
        won = Deal.objects.get(agency=w.agency, external_id="D-1")
        assert (won.stage, won.kind, won.amount) == ("won", "upsell", Decimal("1250000.50"))
        assert won.closed_at is not None and won.expected_close_date == date(2025, 2, 1)
        assert Deal.objects.get(agency=w.agency, external_id="D-2").stage == "negotiation"
    assert BOARD_SUMS.version(agency_id=w.agency.pk) != version  # bulk_create sends no signal: the import tells
    again = run(w.director, _upload(w.director, _xlsx(rows), entity="deals"))
    assert again.report["created"] == 0
    with scopes_disabled():
        assert Deal.objects.filter(agency=w.agency).count() == 2


def test_am_import_owns_rows_and_cannot_touch_other_ams_clients(alice_world, run):
    w = alice_world
    ClientFactory(agency=w.agency, name="Чужой клиент", owner=w.am2.user)
    text = f"Компания;Ответственный;Отрасль\nНовый клиент;{w.am2.user.full_name};Ритейл\nЧужой клиент;;Банки\n"
    imp = run(w.am, _upload(w.am, _csv(text)), skip=True)
    assert (imp.report["created"], imp.report["skipped"]) == (1, 1)
    assert "another account manager" in imp.report["errors"][0]["errors"][0]
    with scopes_disabled():
        assert Client.objects.get(agency=w.agency, name="Новый клиент").owner == w.am.user
        assert Client.objects.get(agency=w.agency, name="Чужой клиент").industry == ""


def test_a_failure_while_writing_leaves_nothing_half_written(alice_world, run, monkeypatch):
    w = alice_world
    text = "Название компании\n" + "".join(f"Клиент из файла {i}\n" for i in range(30))
    from clients.services import importing

    def broken_tags(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(importing, "_add_tags", broken_tags)
    imp = _upload(w.director, _csv(text))
    with pytest.raises(RuntimeError):
        run(w.director, imp)
    with scopes_disabled():
        imp.refresh_from_db()
        assert imp.job.status == Job.Status.FAILED
        assert not Client.objects.filter(agency=w.agency, name__startswith="Клиент из файла").exists()


def test_mapping_without_required_column_cannot_start(alice_world, run):
    w = alice_world
    imp = _upload(w.director, _csv("Сайт;Отрасль\nzerno.example;HoReCa\n"))
    with scope(agency=w.agency), pytest.raises(ServiceError) as exc:
        services.import_start(agency=w.agency, actor=w.director.user, import_file=imp)
    assert "Company name" in exc.value.message and "required" in exc.value.message
    with scopes_disabled():
        assert not Job.objects.filter(agency=w.agency, kind="clients.import").exists()


def test_reimport_of_a_contact_keeps_the_existing_primary(alice_world, run):
    w = alice_world
    company = ClientFactory(agency=w.agency, name="Зерно")
    ContactFactory(agency=w.agency, client=company, is_primary=True, email="boss@zerno.example")
    imp = run(w.director, _upload(w.director, _csv("ФИО;Компания;E-mail\nНовый человек;Зерно;new@zerno.example\n"),
                                  entity="contacts"))
    assert imp.report["created"] == 1
    with scopes_disabled():
        assert not Contact.objects.get(email="new@zerno.example").is_primary


def test_xlsx_rows_are_counted_without_parsing_every_cell(settings):
    rows = [["Название компании", "Сайт"]] + [[f"Клиент {i}", f"c{i}.example"] for i in range(45)]
    info = _inspect(_xlsx(rows))
    assert info.row_count == 45 and len(info.sample) == 20
    settings.MRM_IMPORT_MAX_ROWS = 40
    with pytest.raises(ServiceError) as exc:
        _inspect(_xlsx(rows))
    assert "more than 40 rows" in exc.value.message


@pytest.mark.parametrize("encoding", ["utf-16", "cp1251", "utf-8-sig"])
def test_stored_file_is_read_back_with_the_detected_encoding(alice_world, encoding):
    w = alice_world
    ClientFactory(agency=w.agency, name="Зерно")
    text = "sep=;\nФИО;Компания;Телефон\nЁлкина Анна;Зерно;+7 916 000-00-01\n"
    imp = _upload(w.director, _csv(text, encoding), entity="contacts")
    with scope(agency=w.agency):
        (row,) = services.import_preview(agency=w.agency, membership=w.director, import_file=imp)
    assert row.line == 3 and row.errors == [] and row.data["full_name"] == "Ёлкина Анна"
