"""Custom fields: validation per kind, the directors' settings, record forms (422), lists (filters, columns,
constant queries), exports, the API (400 per key, another agency's keys and definitions) and the import."""
import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.utils import translation
from django_scopes import scope, scopes_disabled

from clients.importing.schema import custom_import_fields, guess_mapping, parse_row
from clients.models import Client, Contact, CustomField, Deal
from clients.services import custom_fields as services
from clients.services import importing as import_services
from clients.services.custom_fields import CustomValuesInvalid, custom_values_clean
from mrm.core.errors import ServiceError
from mrm.tenancy.models import AuditLog
from tests.conftest import login as _login
from tests.factories import ClientFactory, ContactFactory, CustomFieldFactory, DealFactory

JSON = "application/json"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def login(membership):
    """Pages and API answers in English: the messages are asserted in the source language."""
    http = _login(membership)
    http.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return http


TEXT = CustomField(key="contract", label="Contract", kind="text")
NUMBER = CustomField(key="budget", label="Budget", kind="number")
DAY = CustomField(key="renewal", label="Renewal", kind="date")
CHOICE = CustomField(key="tier", label="Tier", kind="choice", choices=["Gold", "Silver"])
REQUIRED = CustomField(key="region", label="Region", kind="text", required=True)


# --- services: validation per kind ------------------------------------------------------------------

@pytest.mark.parametrize(("field", "value", "stored"), [
    (TEXT, "  Д-15/24 ", "Д-15/24"),
    (NUMBER, "1 250,5", 1250.5),
    (NUMBER, 42, 42),
    (NUMBER, Decimal("10.00"), 10),
    (DAY, "2026-03-01", "2026-03-01"),
    (DAY, date(2026, 3, 1), "2026-03-01"),
    (CHOICE, "Gold", "Gold"),
])
def test_values_are_stored_canonically(field, value, stored):
    assert custom_values_clean(defs=[field], values={field.key: value}) == {field.key: stored}


@pytest.mark.parametrize(("field", "value", "message"), [
    (NUMBER, "many", "Enter a number."),
    (NUMBER, True, "Enter a number."),
    (NUMBER, "1e20", "The number is too large."),
    (NUMBER, "NaN", "Enter a number."),
    (DAY, "01.03.2026", "Enter a date as YYYY-MM-DD."),
    (DAY, "2026-02-30", "Enter a date as YYYY-MM-DD."),
    (CHOICE, "Bronze", "“Bronze” is not one of the choices: Gold, Silver."),
    (TEXT, "x" * 501, "At most 500 characters."),
    (TEXT, ["a"], "Enter text."),
])
def test_bad_values_get_a_message_per_field(field, value, message):
    with pytest.raises(CustomValuesInvalid) as exc:
        custom_values_clean(defs=[field], values={field.key: value})
    assert exc.value.errors == {field.key: message}
    assert exc.value.field == f"cf_{field.key}"


def test_unknown_keys_required_fields_merging_and_inactive_values():
    with pytest.raises(CustomValuesInvalid) as exc:
        custom_values_clean(defs=[TEXT, REQUIRED], values={"nope": 1, "contract": "A"})
    assert exc.value.errors == {"nope": "Unknown field “nope”.", "region": "Region is required."}
    # A patch keeps the other values (and those of a deactivated field); "" or None removes one.
    current = {"contract": "A", "old_inactive": "kept", "region": "Север"}
    result = custom_values_clean(defs=[TEXT, REQUIRED], values={"contract": ""}, current=current)
    assert result == {"old_inactive": "kept", "region": "Север"}
    with pytest.raises(CustomValuesInvalid):
        custom_values_clean(defs=[REQUIRED], values={"region": None}, current=current)
    with pytest.raises(CustomValuesInvalid):
        custom_values_clean(defs=[TEXT], values=["not", "a", "dict"])


def test_definitions_create_rename_deactivate_delete(alice_world):
    w = alice_world
    with scope(agency=w.agency):
        with pytest.raises(ServiceError, match="Latin letter"):
            services.custom_field_create(agency=w.agency, actor=w.director.user, entity="client", key="Номер",
                                         label="Номер", kind="text")
        with pytest.raises(ServiceError, match="at least one choice"):
            services.custom_field_create(agency=w.agency, actor=w.director.user, entity="client", key="tier",
                                         label="Tier", kind="choice", choices=[" "])
        field = services.custom_field_create(agency=w.agency, actor=w.director.user, entity="client", key="tier",
                                             label="Tier", kind="choice", choices=["Gold", "Silver", "Gold"])
        assert field.choices == ["Gold", "Silver"]
        with pytest.raises(ServiceError, match="already used"):
            services.custom_field_create(agency=w.agency, actor=w.director.user, entity="client", key="tier",
                                         label="Again", kind="text")
        client = ClientFactory(agency=w.agency, custom={"tier": "Gold"})
        with pytest.raises(ServiceError, match="still hold “Gold”"):
            services.custom_field_update(agency=w.agency, actor=w.director.user, field=field, label="Tier",
                                         choices=["Silver"])
        services.custom_field_update(agency=w.agency, actor=w.director.user, field=field, label="Уровень",
                                     choices=["Gold", "Silver", "Bronze"], is_active=False)
        client.refresh_from_db()
        assert client.custom == {"tier": "Gold"}  # a rename and a deactivation keep the values
        with pytest.raises(ServiceError) as exc:
            services.custom_field_delete(agency=w.agency, actor=w.director.user, field=field)
        assert exc.value.code == "confirm"
        assert services.custom_field_delete(agency=w.agency, actor=w.director.user, field=field, confirmed=True) == 1
        client.refresh_from_db()
        assert client.custom == {}
        assert not CustomField.objects.filter(agency=w.agency).exists()
        assert set(AuditLog.objects.filter(agency=w.agency, action__startswith="custom_field.").values_list(
            "action", flat=True)) == {"custom_field.created", "custom_field.updated", "custom_field.deleted"}


# --- settings pages ---------------------------------------------------------------------------------

def test_settings_pages_for_directors_only(alice_world):
    w = alice_world
    assert login(w.am).get("/clients/custom-fields/").status_code == 403
    http = login(w.director)
    assert http.get("/clients/custom-fields/").status_code == 200
    bad = http.post("/clients/custom-fields/", {"entity": "client", "label": "Договор", "key": "1bad", "kind": "text",
                                                "order": 0})
    assert bad.status_code == 422 and "Latin letter" in bad.content.decode()
    ok = http.post("/clients/custom-fields/", {"entity": "client", "label": "Договор", "key": "contract",
                                               "kind": "text", "order": 0})
    assert ok.status_code == 302
    with scopes_disabled():
        field = CustomField.objects.get(agency=w.agency, key="contract")
    edit = http.post(f"/clients/custom-fields/{field.pk}/", {"label": "Номер договора", "order": 1,
                                                            "is_active": "on", "key": "hacked", "kind": "number"})
    assert edit.status_code == 302
    with scopes_disabled():
        field.refresh_from_db()
        ClientFactory(agency=w.agency, custom={"contract": "Д-1"})
    assert (field.label, field.key, field.kind) == ("Номер договора", "contract", "text")  # key and type stay
    confirm = http.post(f"/clients/custom-fields/{field.pk}/delete/")
    assert confirm.status_code == 200 and "1 records hold a value" in confirm.content.decode()
    assert http.post(f"/clients/custom-fields/{field.pk}/delete/", {"confirm": "yes"}).status_code == 302
    with scopes_disabled():
        assert not CustomField.objects.filter(pk=field.pk).exists()


def test_another_agencys_definition_is_404(alice_world, bob_world):
    foreign = CustomFieldFactory(agency=bob_world.agency)
    http = login(alice_world.director)
    assert http.get(f"/clients/custom-fields/{foreign.pk}/").status_code == 404
    assert http.post(f"/clients/custom-fields/{foreign.pk}/delete/", {"confirm": "yes"}).status_code == 404
    assert http.get(f"/api/v1/custom-fields/{foreign.pk}/").status_code == 404


# --- record forms -----------------------------------------------------------------------------------

def _client_fields(agency):
    return (CustomFieldFactory(agency=agency, key="budget", label="Budget", kind="number", order=1),
            CustomFieldFactory(agency=agency, key="tier", label="Tier", kind="choice", choices=["Gold", "Silver"],
                               required=True, order=2),
            CustomFieldFactory(agency=agency, key="renewal", label="Renewal", kind="date", order=3),
            CustomFieldFactory(agency=agency, key="hidden", label="Hidden", is_active=False))


def test_client_form_renders_validates_and_saves_custom_fields(alice_world):
    w = alice_world
    _client_fields(w.agency)
    http = login(w.am)
    page = http.get("/clients/new/").content.decode()
    assert 'name="cf_budget"' in page and 'name="cf_renewal"' in page and 'type="date"' in page
    assert "cf_hidden" not in page
    base = {"name": "Зерно", "status": "lead", "source": "other", "owner": w.am.user.pk}
    bad = http.post("/clients/new/", {**base, "cf_budget": "много", "cf_renewal": "01.03.2026"},
                    headers={"HX-Request": "true"})
    assert bad.status_code == 422
    assert bad.content.decode().count("invalid-feedback") >= 3  # number, date, required choice
    ok = http.post("/clients/new/", {**base, "cf_budget": "1500.50", "cf_tier": "Gold", "cf_renewal": "2026-03-01"})
    assert ok.status_code == 302
    with scopes_disabled():
        client = Client.objects.get(agency=w.agency, name="Зерно")
        client.custom["hidden"] = "stays"
        Client.objects.filter(pk=client.pk).update(custom=client.custom)
    assert client.custom == {"budget": 1500.5, "tier": "Gold", "renewal": "2026-03-01", "hidden": "stays"}
    edit = http.post(f"/clients/{client.pk}/edit/", {**base, "cf_tier": "Silver", "cf_budget": "",
                                                     "cf_renewal": "2026-03-01"})
    assert edit.status_code == 302
    with scopes_disabled():
        client.refresh_from_db()
    assert client.custom == {"tier": "Silver", "renewal": "2026-03-01", "hidden": "stays"}
    detail = http.get(f"/clients/{client.pk}/").content.decode()
    assert "Silver" in detail and "stays" not in detail  # the block shows active fields only


def test_contact_and_deal_forms_take_their_own_fields(alice_world):
    w = alice_world
    CustomFieldFactory(agency=w.agency, entity="contact", key="birthday", label="Birthday", kind="date")
    CustomFieldFactory(agency=w.agency, entity="deal", key="source_id", label="Tender no.", kind="text",
                       required=True)
    client = ClientFactory(agency=w.agency, owner=w.am.user)
    http = login(w.am)
    bad = http.post(f"/clients/{client.pk}/contacts/new/", {"full_name": "Анна", "role": "other",
                                                             "preferred_channel": "email", "cf_birthday": "завтра"},
                    headers={"HX-Request": "true"})
    assert bad.status_code == 422 and "cf_birthday" in bad.content.decode()
    ok = http.post(f"/clients/{client.pk}/contacts/new/", {"full_name": "Анна", "role": "other",
                                                            "preferred_channel": "email", "cf_birthday": "1990-05-04"})
    assert ok.status_code == 302
    with scopes_disabled():
        assert Contact.objects.get(client=client).custom == {"birthday": "1990-05-04"}
    assert "1990-05-04" in http.get(f"/clients/{client.pk}/").content.decode()
    form = http.get("/clients/deals/new/").content.decode()
    assert 'name="cf_source_id"' in form and "cf_birthday" not in form
    data = {"title": "SMM", "client": client.pk, "kind": "new_business", "stage": "new", "amount": "1000",
            "currency": "RUB", "owner": w.am.user.pk}
    assert http.post("/clients/deals/new/", data).status_code == 422
    assert http.post("/clients/deals/new/", {**data, "cf_source_id": "T-77"}).status_code == 302
    with scopes_disabled():
        deal = Deal.objects.get(client=client)
    assert deal.custom == {"source_id": "T-77"}
    assert "T-77" in http.get(f"/clients/deals/{deal.pk}/").content.decode()


# --- lists and exports ------------------------------------------------------------------------------

def _seed_list(agency, owner, n: int):
    for i in range(n):
        ClientFactory(agency=agency, owner=owner, name=f"Клиент {i:02d}",
                      custom={"budget": i * 100, "tier": "Gold" if i % 2 else "Silver",
                              "renewal": f"2026-01-{i % 28 + 1:02d}", "note": f"заметка {i}"})


def test_client_list_filters_and_columns(alice_world):
    w = alice_world
    _client_fields(w.agency)
    CustomFieldFactory(agency=w.agency, key="note", label="Note", kind="text")
    _seed_list(w.agency, w.am.user, 10)
    http = login(w.director)

    def names(query):
        page = http.get(f"/clients/?{query}&per=100").content.decode()
        return {f"Клиент {i:02d}" for i in range(10) if f"Клиент {i:02d}<" in page}

    assert names("cf_tier=Gold") == {f"Клиент {i:02d}" for i in (1, 3, 5, 7, 9)}
    assert names("cf_budget_min=300&cf_budget_max=500") == {"Клиент 03", "Клиент 04", "Клиент 05"}
    assert names("cf_renewal_min=2026-01-09") == {"Клиент 08", "Клиент 09"}
    assert names("cf_note=ЗАМЕТКА 7") == {"Клиент 07"}
    bad = http.get("/clients/?cf_budget_min=lots")
    assert bad.status_code == 200 and "is not a valid bound" in bad.content.decode()
    page = http.get("/clients/?col=tier&col=budget&sort=name").content.decode()
    assert "<th>Budget</th>" in page and "<th>Tier</th>" in page and "<th>Renewal</th>" not in page


def test_client_list_queries_constant_with_custom_columns(alice_world, django_assert_max_num_queries):
    w = alice_world
    _client_fields(w.agency)
    http = login(w.director)
    url = "/clients/?col=tier&col=budget&col=renewal&cf_budget_min=0&cf_tier=Gold"
    _seed_list(w.agency, w.am.user, 4)
    with django_assert_max_num_queries(13):
        assert http.get(url).status_code == 200
    _seed_list(w.agency, w.am.user, 40)
    with django_assert_max_num_queries(13):
        assert http.get(url).status_code == 200
    with django_assert_max_num_queries(11):
        assert http.get("/api/v1/clients/").status_code == 200


def test_deal_list_filters_and_columns(alice_world, django_assert_max_num_queries):
    w = alice_world
    CustomFieldFactory(agency=w.agency, entity="deal", key="probability", label="Probability", kind="number")
    client = ClientFactory(agency=w.agency, owner=w.am.user)
    for i in range(6):
        DealFactory(agency=w.agency, client=client, title=f"Сделка {i}", custom={"probability": i * 20})
    http = login(w.director)
    with django_assert_max_num_queries(13):
        page = http.get("/clients/deals/list/?cf_probability_min=60&col=probability").content.decode()
    assert "<th>Probability</th>" in page
    assert {f"Сделка {i}" for i in range(6) if f"Сделка {i}<" in page} == {"Сделка 3", "Сделка 4", "Сделка 5"}


def test_exports_have_a_column_per_active_field(alice_world):
    w = alice_world
    _client_fields(w.agency)
    ClientFactory(agency=w.agency, owner=w.am.user, name="Зерно",
                  custom={"budget": 1500.5, "tier": "Gold", "hidden": "secret"})
    http = login(w.am)
    response = http.get("/clients/export.csv?cf_tier=Gold")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][-3:] == ["Budget", "Tier", "Renewal"]
    assert rows[1][0] == "Зерно" and rows[1][-3:] == ["1500.5", "Gold", ""]
    assert "secret" not in response.content.decode("utf-8-sig")
    xlsx = http.get("/clients/export.xlsx")
    assert xlsx.status_code == 200
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert [c.value for c in sheet[1]][-3:] == ["Budget", "Tier", "Renewal"]


# --- API --------------------------------------------------------------------------------------------

def test_api_reads_and_writes_custom_fields_with_400_per_key(alice_world, bob_world):
    w = alice_world
    _client_fields(w.agency)
    CustomFieldFactory(agency=bob_world.agency, key="bob_only", label="Bob")
    http = login(w.am)
    bad = http.post("/api/v1/clients/", {"name": "API", "status": "lead",
                                         "custom_fields": {"budget": "x", "bob_only": "1", "renewal": "3/1/26"}},
                    content_type=JSON)
    assert bad.status_code == 400
    errors = bad.json()["custom_fields"]  # one message per key (in the user's language), another agency's unknown
    assert set(errors) == {"budget", "bob_only", "renewal", "tier"}
    assert all(isinstance(m, list) and len(m) == 1 and m[0] for m in errors.values())
    assert "bob_only" in errors["bob_only"][0]
    missing = http.post("/api/v1/clients/", {"name": "API", "status": "lead"}, content_type=JSON)
    assert missing.status_code == 400 and set(missing.json()["custom_fields"]) == {"tier"}
    created = http.post("/api/v1/clients/", {"name": "API", "status": "lead",
                                             "custom_fields": {"tier": "Gold", "budget": 10}}, content_type=JSON)
    assert created.status_code == 201 and created.json()["custom_fields"] == {"budget": 10, "tier": "Gold"}
    client_id = created.json()["id"]
    patched = http.patch(f"/api/v1/clients/{client_id}/", {"custom_fields": {"budget": None, "renewal": "2026-05-01"}},
                         content_type=JSON)
    assert patched.status_code == 200
    assert patched.json()["custom_fields"] == {"tier": "Gold", "renewal": "2026-05-01"}
    assert http.patch(f"/api/v1/clients/{client_id}/", {"name": "Renamed"}, content_type=JSON).status_code == 200
    assert http.patch(f"/api/v1/clients/{client_id}/", {"custom_fields": ["x"]},
                      content_type=JSON).status_code == 400
    listed = http.get("/api/v1/custom-fields/?entity=client").json()
    assert [f["key"] for f in listed] == ["budget", "tier", "renewal"]  # active only, in order, own agency only


def test_api_contacts_and_deals_custom_fields(alice_world):
    w = alice_world
    CustomFieldFactory(agency=w.agency, entity="contact", key="birthday", label="Birthday", kind="date")
    CustomFieldFactory(agency=w.agency, entity="deal", key="tier", label="Tier", kind="choice", choices=["A", "B"])
    client = ClientFactory(agency=w.agency, owner=w.am.user)
    contact = ContactFactory(agency=w.agency, client=client)
    http = login(w.am)
    bad = http.patch(f"/api/v1/contacts/{contact.pk}/", {"custom_fields": {"tier": "A"}}, content_type=JSON)
    assert bad.status_code == 400 and list(bad.json()["custom_fields"]) == ["tier"]
    ok = http.patch(f"/api/v1/contacts/{contact.pk}/", {"custom_fields": {"birthday": "1990-01-02"}},
                    content_type=JSON)
    assert ok.json()["custom_fields"] == {"birthday": "1990-01-02"}
    deal = http.post("/api/v1/deals/", {"client": str(client.pk), "title": "T", "custom_fields": {"tier": "C"}},
                     content_type=JSON)
    assert deal.status_code == 400 and "tier" in deal.json()["custom_fields"]
    deal = http.post("/api/v1/deals/", {"client": str(client.pk), "title": "T", "custom_fields": {"tier": "B"}},
                     content_type=JSON)
    assert deal.status_code == 201 and deal.json()["custom_fields"] == {"tier": "B"}


# --- import -----------------------------------------------------------------------------------------

def test_import_schema_maps_and_parses_custom_columns():
    custom = custom_import_fields([NUMBER, DAY, CHOICE])
    mapping = guess_mapping("companies", ["Название", "Budget", "renewal", "Tier"], custom)
    assert mapping == {"0": "name", "1": "cf.budget", "2": "cf.renewal", "3": "cf.tier"}
    data, errors = parse_row("companies", {0: "name", 1: "cf.budget", 2: "cf.renewal", 3: "cf.tier"},
                             ["Зерно", "1 500 руб", "01.03.2026", "gold"], custom)
    assert errors == [] and data == {"name": "Зерно", "cf.budget": 1500, "cf.renewal": "2026-03-01",
                                     "cf.tier": "Gold"}
    _data, errors = parse_row("companies", {0: "name", 1: "cf.budget", 2: "cf.tier"}, ["Х", "сто", "Bronze"], custom)
    assert len(errors) == 2 and errors[0].startswith("Budget:") and errors[1].startswith("Tier:")


def test_import_writes_custom_values_and_keeps_the_others(alice_world, django_capture_on_commit_callbacks):
    w = alice_world
    _client_fields(w.agency)
    existing = ClientFactory(agency=w.agency, owner=w.am.user, name="Зерно", external_id="101",
                             custom={"renewal": "2025-01-01"})
    text = "ID;Название компании;Budget;Tier\n101;Зерно;1500;Gold\n102;Автодом;;silver\n"
    upload = SimpleUploadedFile("file.csv", text.encode(), content_type="text/csv")
    with scope(agency=w.agency):
        with TestCase.captureOnCommitCallbacks(execute=True):
            imp = import_services.import_file_upload(agency=w.agency, actor=w.director.user, entity="companies",
                                                     upload=upload)
        imp.refresh_from_db()
        assert imp.mapping == {"0": "external_id", "1": "name", "2": "cf.budget", "3": "cf.tier"}
        imp = import_services.import_file_configure(agency=w.agency, import_file=imp, mapping=imp.mapping,
                                                    match_key="external_id", skip_bad_rows=False)
        with django_capture_on_commit_callbacks(execute=True):
            import_services.import_start(agency=w.agency, actor=w.director.user, import_file=imp)
        existing.refresh_from_db()
        assert existing.custom == {"renewal": "2025-01-01", "budget": 1500, "tier": "Gold"}
        assert Client.objects.get(agency=w.agency, external_id="102").custom == {"tier": "Silver"}


def test_import_mapping_page_offers_custom_fields(alice_world, django_capture_on_commit_callbacks):
    w = alice_world
    _client_fields(w.agency)
    http = login(w.director)
    upload = SimpleUploadedFile("f.csv", "Название;Budget\nЗерно;10\n".encode(), content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = http.post("/clients/import/", {"entity": "companies", "file": upload})
    assert response.status_code == 302
    page = http.get(response["Location"]).content.decode()
    assert 'value="cf.budget"' in page and "Custom fields" in page
