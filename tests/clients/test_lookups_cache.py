"""clients.caches.LOOKUPS: the agency's custom field definitions, industries in use and tags are read once per
change, and every write that changes them (a field, a client's industry, a tag, even one made by bulk_create
when a client gets a new tag) shows on the next client list; another agency's cache is its own."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scope

from clients.models import Tag
from clients.services import companies as client_services
from clients.services import custom_fields as field_services
from clients.services import saved_views as saved_services
from tests.conftest import login
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db


def _lookup_queries(http) -> dict:
    with CaptureQueriesContext(connection) as ctx:
        response = http.get("/clients/")
        assert response.status_code == 200
    sql = [q["sql"] for q in ctx.captured_queries]
    return {"fields": sum('FROM "clients_customfield"' in s for s in sql),
            "industries": sum('SELECT DISTINCT "clients_client"."industry"' in s for s in sql),
            "tags": sum(s.startswith('SELECT "clients_tag"') and "INNER JOIN" not in s for s in sql),
            "html": response.content.decode()}


def test_the_second_list_reads_the_lookups_from_the_cache(alice_world):
    ClientFactory(agency=alice_world.agency, owner=alice_world.am.user, industry="Ритейл")
    http = login(alice_world.am)
    first = _lookup_queries(http)
    assert (first["fields"], first["industries"], first["tags"]) == (1, 1, 1)
    second = _lookup_queries(http)
    assert (second["fields"], second["industries"], second["tags"]) == (0, 0, 0)
    assert "Ритейл" in second["html"]


@pytest.mark.parametrize("write", ["field", "industry", "tag", "new tag on a client", "renamed owner",
                                   "saved view"])
def test_a_write_shows_on_the_next_list(alice_world, write):
    w = alice_world
    client = ClientFactory(agency=w.agency, owner=w.am.user, industry="Ритейл")
    http = login(w.am)
    _lookup_queries(http)
    with scope(agency=w.agency):
        if write == "field":
            field_services.custom_field_create(agency=w.agency, actor=w.director.user, entity="client",
                                               key="budget_tier", label="Уровень бюджета", kind="text")
            expected = "Уровень бюджета"  # its filter input and column
        elif write == "industry":
            client.industry = "Фарма"
            client.save()
            expected = '<option value="Фарма">'  # the industry filter (the row shows it anyway)
        elif write == "tag":
            Tag.objects.create(agency=w.agency, name="тендерный")
            expected = '<option value="тендерный">'
        elif write == "renamed owner":  # the owner filter: a user belongs to no agency, its memberships do
            w.am2.user.full_name = "Переименованный Менеджер"
            w.am2.user.save()
            expected = "Переименованный Менеджер"
        elif write == "saved view":
            saved_services.saved_view_create(agency=w.agency, user=w.am.user, list_key="clients",
                                             name="Мои тендеры", query="tag=тендер")
            expected = "Мои тендеры"
        else:  # _set_tags creates the missing tag with bulk_create, which sends no signal
            client_services.client_update(agency=w.agency, actor=w.am.user, client=client, data={},
                                          tag_names=["федералы"])
            expected = '<option value="федералы">'  # the tag filter (the row shows its tags anyway)
    after = _lookup_queries(http)
    assert expected in after["html"]


def test_another_agencys_write_keeps_this_agency_cached(alice_world, bob_world):
    http = login(alice_world.am)
    _lookup_queries(http)
    with scope(agency=bob_world.agency):
        Tag.objects.create(agency=bob_world.agency, name="чужой")
    after = _lookup_queries(http)
    assert after["tags"] == 0 and "чужой" not in after["html"]
