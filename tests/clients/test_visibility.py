"""Who sees which clients: directors all, AMs their own and their teams', specialists their teams'."""
import pytest
from django_scopes import scopes_disabled

from tests.conftest import login
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def portfolio(alice_world):
    w = alice_world
    own = ClientFactory(agency=w.agency, name="Свой клиент", owner=w.am.user)
    other = ClientFactory(agency=w.agency, name="Чужой клиент", owner=w.am2.user)
    on_team = ClientFactory(agency=w.agency, name="Командный клиент", owner=w.am2.user)
    on_team.team.add(w.am.user, w.specialist.user)
    return own, other, on_team


def _names(response) -> set[str]:
    return {c["name"] for c in response.json()["results"]}


def test_am_sees_own_and_team_clients_only(alice_world, portfolio):
    own, other, on_team = portfolio
    http = login(alice_world.am)
    page = http.get("/clients/").content.decode()
    assert own.name in page and on_team.name in page and other.name not in page
    assert http.get(f"/clients/{other.pk}/").status_code == 404
    assert http.get(f"/clients/{other.pk}/edit/").status_code == 404
    api = _names(http.get("/api/v1/clients/"))
    assert own.name in api and on_team.name in api and other.name not in api
    assert http.get(f"/api/v1/clients/{other.pk}/").status_code == 404


def test_director_sees_every_client(alice_world, portfolio):
    http = login(alice_world.director)
    assert {c.name for c in portfolio} <= _names(http.get("/api/v1/clients/?page_size=100"))


def test_specialist_sees_team_clients_and_cannot_create(alice_world, portfolio):
    _own, _other, on_team = portfolio
    http = login(alice_world.specialist)
    assert _names(http.get("/api/v1/clients/")) == {on_team.name}
    assert http.get("/clients/new/").status_code == 403


def test_portal_contact_sees_only_their_company(alice_world, bob_world, portfolio):
    http = login(alice_world.client_contact)
    page = http.get("/portal/").content.decode()
    assert "Клиент Alice Agency" in page
    assert "Свой клиент" not in page and "Bob" not in page
    assert http.get("/api/v1/clients/").status_code == 403


def test_client_list_query_count_is_constant(alice_world, django_assert_max_num_queries):
    for i in range(60):
        client = ClientFactory(agency=alice_world.agency, owner=alice_world.am.user, name=f"Компания {i:02d}")
        with scopes_disabled():
            client.tags.create(agency=alice_world.agency, name=f"тег-{i}")
    http = login(alice_world.director)
    with django_assert_max_num_queries(13):  # h-fields: + the custom field definitions and the saved views
        response = http.get("/clients/")
    assert response.status_code == 200
    with django_assert_max_num_queries(13):  # h-fields: + the custom field definitions
        assert http.get("/api/v1/clients/").status_code == 200


def test_create_client_validates_and_audits(alice_world):
    http = login(alice_world.am)
    bad = http.post("/clients/new/", {"name": "", "status": "churned", "source": "other"})
    assert bad.status_code == 422
    ok = http.post("/clients/new/", {"name": "Новый бренд", "status": "lead", "source": "referral",
                                     "owner": alice_world.am.user.pk, "tag_names": "vip, retail"})
    assert ok.status_code == 302
    api = http.post("/api/v1/clients/", {"name": "Через API", "status": "churned"}, content_type="application/json")
    assert api.status_code == 400 and "churn_reason" in api.json()
    created = http.post("/api/v1/clients/", {"name": "Через API", "status": "lead"}, content_type="application/json")
    assert created.status_code == 201 and created.json()["owner"] == alice_world.am.user.email
