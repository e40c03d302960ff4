"""Client page header numbers and query counts; client list filters, exports and the duplicate-name check."""
import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled
from openpyxl import load_workbook

from clients.models import Client
from tests.conftest import login
from tests.factories import (
    ClientFactory,
    ClientFileFactory,
    ContactFactory,
    DealFactory,
    InteractionFactory,
    InvoiceFactory,
)
from tests.money import money_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"  # assertions read the English source strings


def test_client_page_key_numbers(alice_world):
    client = ClientFactory(agency=alice_world.agency, owner=alice_world.am.user,
                           last_contact_at=timezone.now() - timedelta(hours=3))
    DealFactory(client=client, amount=Decimal("300000"), stage="new")
    DealFactory(client=client, amount=Decimal("200000"), stage="negotiation")
    DealFactory(client=client, amount=Decimal("999999"), stage="won")
    InvoiceFactory(client=client, status="paid", amount=Decimal("100000"), paid_on=date.today() - timedelta(days=10))
    InvoiceFactory(client=client, status="paid", amount=Decimal("50000"), paid_on=date.today() - timedelta(days=400))
    InvoiceFactory(client=client, status="sent", amount=Decimal("70000"))
    ContactFactory(client=client)
    ContactFactory(client=client)
    response = login(alice_world.am).get(f"/clients/{client.pk}/")
    html = response.content.decode()
    assert money_in(response, 500000) in html and "2 deals in the pipeline" in html
    assert money_in(response, 100000) in html and "3 h ago" in html


def _rich_client(world, n=55):
    client = ClientFactory(agency=world.agency, owner=world.am.user)
    contacts = [ContactFactory(client=client) for _ in range(n)]
    for i in range(n):
        item = InteractionFactory(client=client, author=world.am.user, summary=f"Событие {i}",
                                  occurred_at=timezone.now() - timedelta(hours=i))
        with scopes_disabled():
            item.contacts.set(contacts[i % 5:i % 5 + 2])
        InvoiceFactory(client=client, status="paid", paid_on=date.today(), amount=1000 + i)
        ClientFileFactory(client=client)
        DealFactory(client=client)
    return client


def test_client_page_query_count_is_constant(alice_world, django_assert_max_num_queries):
    client = _rich_client(alice_world)
    http = login(alice_world.am)
    # The page: the header, tasks, deals, requests, contacts, timeline and custom fields (each a constant few);
    # the deferred blocks (projects, proposals, reports, invoices, the portal, files, ...) come in one more request.
    with django_assert_max_num_queries(22):
        response = http.get(f"/clients/{client.pk}/")
    assert response.status_code == 200 and "Событие 0" in response.content.decode()
    with django_assert_max_num_queries(21):
        assert http.get(f"/clients/{client.pk}/blocks/", HTTP_HX_REQUEST="true").status_code == 200
    with django_assert_max_num_queries(14):
        assert http.get(f"/clients/{client.pk}/timeline/?page=2", HTTP_HX_REQUEST="true").status_code == 200


def test_client_list_query_count_with_filters(alice_world, django_assert_max_num_queries):
    for i in range(55):
        c = ClientFactory(agency=alice_world.agency, owner=alice_world.am.user, name=f"Компания {i:02d}",
                          industry="Ритейл" if i % 2 else "Медицина")
        with scopes_disabled():
            c.tags.create(agency=alice_world.agency, name=f"тег-{i}")
        ContactFactory(client=c)
    http = login(alice_world.director)
    with django_assert_max_num_queries(14):
        response = http.get("/clients/?industry=Ритейл")
    html = response.content.decode()
    assert response.status_code == 200 and "Компания 01" in html and "Компания 02" not in html
    with django_assert_max_num_queries(14):
        assert "Компания 07" in http.get("/clients/?tag=тег-7").content.decode()


def test_client_list_filters_by_industry_tag_and_contact(alice_world):
    w = alice_world
    retail = ClientFactory(agency=w.agency, owner=w.am.user, name="Магазин", industry="Ритейл")
    clinic = ClientFactory(agency=w.agency, owner=w.am.user, name="Клиника", industry="Медицина")
    with scopes_disabled():
        clinic.tags.create(agency=w.agency, name="vip")
    ContactFactory(client=retail, full_name="Глафира Петрова")
    http = login(w.am)
    page = http.get("/clients/?industry=Ритейл").content.decode()
    assert "Магазин" in page and "Клиника" not in page
    page = http.get("/clients/?tag=vip").content.decode()
    assert "Клиника" in page and "Магазин" not in page
    page = http.get("/clients/?q=Глафира").content.decode()
    assert "Магазин" in page and "Клиника" not in page
    with scopes_disabled():
        retail.tags.create(agency=w.agency, name="Сеть")
    page = http.get("/clients/?q=VIP").content.decode()  # a tag's whole name, in any case, finds its clients
    assert "Клиника" in page and "Магазин" not in page
    page = http.get("/clients/?q=сеть").content.decode()
    assert "Магазин" in page and "Клиника" not in page
    page = http.get("/clients/?q=vi").content.decode()  # part of a tag's name does not
    assert "No clients match" in page
    page = http.get("/clients/?tag=nothing").content.decode()
    assert "No clients match" in page


def test_client_export_csv_and_xlsx_filtered_and_injection_safe(alice_world):
    w = alice_world
    ClientFactory(agency=w.agency, owner=w.am.user, name="=HYPERLINK(\"http://evil\")", industry="Ритейл")
    ClientFactory(agency=w.agency, owner=w.am.user, name="@SUM(A1)", industry="Ритейл", legal_name="+7 ООО")
    ClientFactory(agency=w.agency, owner=w.am.user, name="Обычный", industry="Медицина")
    ClientFactory(agency=w.agency, owner=w.am2.user, name="Чужой", industry="Ритейл")
    http = login(w.am)
    response = http.get("/clients/export.csv?industry=Ритейл")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    names = [r[0] for r in rows[1:]]
    assert sorted(names) == ["'=HYPERLINK(\"http://evil\")", "'@SUM(A1)"]
    assert "'+7 ООО" in [r[1] for r in rows[1:]]
    xlsx = http.get("/clients/export.xlsx?industry=Ритейл")
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    cells = [sheet.cell(row=r, column=1) for r in range(2, sheet.max_row + 1)]
    assert sorted(c.value for c in cells) == ["'=HYPERLINK(\"http://evil\")", "'@SUM(A1)"]
    assert all(c.data_type == "s" for c in cells)


def test_client_create_duplicate_name_needs_confirmation(alice_world):
    w = alice_world
    ClientFactory(agency=w.agency, owner=w.am2.user, name="Ромашка")
    http = login(w.am)
    data = {"name": "ромашка", "legal_name": "ООО «Ромашка-2»", "status": "lead", "source": "referral",
            "owner": w.am.user.pk}
    warned = http.post("/clients/new/", data)
    html = warned.content.decode()
    assert warned.status_code == 422 and "already exists" in html and 'name="confirm_duplicate"' in html
    assert "ООО «Ромашка-2»" in html  # typed data preserved
    assert "another account manager" in html  # not visible to this AM: named, not linked
    created = http.post("/clients/new/", {**data, "confirm_duplicate": "on"})
    assert created.status_code == 302
    with scopes_disabled():
        assert Client.objects.filter(agency=w.agency, legal_name="ООО «Ромашка-2»").count() == 1
    # A fresh name needs no confirmation and the checkbox is not shown.
    form = http.get("/clients/new/").content.decode()
    assert 'name="confirm_duplicate"' not in form
