"""The client health API: list with filters, search, ordering, pages; detail; 400 on bad filters; isolation."""
from tests.conftest import login

URL = "/api/v1/health/"


def test_list_by_revenue_at_stake_with_signals_and_action(health_world):
    response = login(health_world.world.director).get(URL, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 3
    first = data["results"][0]
    assert (first["client"], first["client_name"], first["score"], first["band"]) == (
        str(health_world.r.pk), "Риск", 40, "at_risk")
    assert first["revenue_at_stake"] == "300000.00" and first["currency"] == "RUB"
    assert first["account_manager"] == health_world.world.am.user.email
    assert first["next_action"]["key"] == "contact" and first["next_action"]["text"]
    contact = next(s for s in first["signals"] if s["key"] == "contact")
    assert contact["points"] == 25 and contact["value"]["days"] == 45 and contact["text"]


def test_filters_search_ordering(health_world):
    http = login(health_world.world.director)
    assert [r["client_name"] for r in http.get(URL, {"band": "watch"}).json()["results"]] == ["Внимание"]
    assert [r["client_name"] for r in http.get(URL, {"search": "здор"}).json()["results"]] == ["Здоровье"]
    owner = health_world.world.am2.user_id
    assert [r["client_name"] for r in http.get(URL, {"owner": owner}).json()["results"]] == ["Внимание"]
    names = [r["client_name"] for r in http.get(URL, {"ordering": "-score"}).json()["results"]]
    assert names == ["Здоровье", "Внимание", "Риск"]


def test_bad_filters_answer_400(health_world):
    http = login(health_world.world.director)
    assert http.get(URL, {"band": "doomed"}).status_code == 400
    assert http.get(URL, {"owner": "abc"}).status_code == 400
    assert http.get(URL, {"page": 99}).status_code == 404


def test_detail_and_isolation(health_world):
    http = login(health_world.world.director)
    ok = http.get(f"{URL}{health_world.w.pk}/")
    assert ok.status_code == 200 and ok.json()["score"] == 60
    assert http.get(f"{URL}{health_world.b.pk}/").status_code == 404  # bob's client
    assert http.get(f"{URL}{health_world.lead.pk}/").status_code == 404  # a lead has no score
    assert login(health_world.world.am2).get(f"{URL}{health_world.r.pk}/").status_code == 404  # not am2's client
    bob = login(health_world.bob.director).get(URL).json()
    assert {r["client_name"] for r in bob["results"]} == {"Бобов клиент", "Клиент Bob Agency"}


def test_am_lists_their_clients_only(health_world):
    names = {r["client_name"] for r in login(health_world.world.am).get(URL).json()["results"]}
    assert names == {"Риск", "Здоровье"}


def test_specialist_is_refused(health_world):
    assert login(health_world.world.specialist).get(URL).status_code == 403
