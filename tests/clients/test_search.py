"""Global search across clients, contacts and deals, within the member's visibility."""
import pytest

from tests.conftest import login
from tests.factories import ClientFactory, ContactFactory, DealFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"  # assertions read the English source strings


@pytest.fixture
def data(alice_world, bob_world):
    w = alice_world
    own = ClientFactory(agency=w.agency, owner=w.am.user, name="Лотос Ритейл")
    other = ClientFactory(agency=w.agency, owner=w.am2.user, name="Лотос Медиа")
    ContactFactory(client=own, full_name="Лотова Анна")
    ContactFactory(client=other, full_name="Лотов Борис")
    DealFactory(client=own, title="Лотос: контекст")
    DealFactory(client=other, title="Лотос: SEO")
    ClientFactory(agency=bob_world.agency, name="Лотос Боба")
    return own, other


def test_search_dropdown_is_grouped_and_respects_visibility(alice_world, data):
    http = login(alice_world.am)
    response = http.get("/clients/search/?q=Лот", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert "Лотос Ритейл" in html and "Лотова Анна" in html and "Лотос: контекст" in html
    assert "Лотос Медиа" not in html and "Лотов Борис" not in html and "Лотос: SEO" not in html
    assert "Лотос Боба" not in html
    assert html.index("Clients") < html.index("Contacts") < html.index("Deals")


def test_search_full_page_works_without_js(alice_world, data):
    director = login(alice_world.director)
    html = director.get("/clients/search/?q=Лотос").content.decode()
    assert "<html" in html and "Лотос Ритейл" in html and "Лотос Медиа" in html and "Лотос Боба" not in html
    assert "Type at least two characters" in director.get("/clients/search/?q=Л").content.decode()
    assert "Nothing found" in director.get("/clients/search/?q=zzzzzz").content.decode()


def test_search_query_count_is_constant(alice_world, django_assert_max_num_queries):
    for i in range(60):
        c = ClientFactory(agency=alice_world.agency, owner=alice_world.am.user, name=f"Альфа {i}")
        ContactFactory(client=c, full_name=f"Альфа Контакт {i}")
        DealFactory(client=c, title=f"Альфа сделка {i}")
    http = login(alice_world.am)
    with django_assert_max_num_queries(12):
        assert http.get("/clients/search/?q=Альфа").status_code == 200
