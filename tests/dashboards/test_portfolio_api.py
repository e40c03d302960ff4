"""The portfolio API: totals, concentration, paginated rows with ordering, workload, 400s, isolation."""
from tests.conftest import login

from .portfolio_world import Q1

URL = "/api/v1/portfolio/"


def test_portfolio_totals_and_rows(economy):
    response = login(economy.world.director).get(URL, {**Q1, "ordering": "-profit"})
    assert response.status_code == 200
    data = response.json()
    assert data["start"] == "2026-01-01" and data["end"] == "2026-03-31" and data["currency"] == "RUB"
    assert data["hourly_cost"] == "1200.00" and data["figures_as_of"] is None  # never built: live
    assert data["totals"]["period"]["revenue"] == "250000.00" and data["totals"]["loss_making"] == 1
    assert data["totals"]["other_currencies"] == {"USD": "1000.00"}
    assert data["concentration"] == {"top1_share": "80.0", "top3_share": "100.0", "top5_share": "100.0",
                                     "hhi": 6672, "warn_share": "25.00", "warn_hhi": 2500, "warning": True}
    first = data["results"][0]
    assert first["name"] == "P Прибыльный" and first["client"] == str(economy.p.pk)
    assert first["period"]["real_profit"] == "176300.00" and first["period"]["unpriced_extra_work"] == "3000.00"
    assert first["period"]["unplanned_calls"] == "1800.00" and first["to_date"]["revenue"] == "300000.00"
    assert data["results"][-1]["name"] == "L Убыточный" and data["results"][-1]["loss_making"] is True
    assert data["count"] == 6 and data["pages"] == 1


def test_portfolio_pages_search_and_filter(economy):
    http = login(economy.world.director)
    data = http.get(URL, {**Q1, "ordering": "name", "page_size": 2, "page": 2}).json()
    assert [r["name"] for r in data["results"]] == ["N Новый", "P Прибыльный"] and data["pages"] == 3
    assert [r["name"] for r in http.get(URL, {**Q1, "loss_only": "true"}).json()["results"]] == ["L Убыточный"]
    assert [r["name"] for r in http.get(URL, {**Q1, "search": "ЗВЕЗ"}).json()["results"]] == ["E Звезда"]


def test_portfolio_bad_input_is_400(economy):
    http = login(economy.world.director)
    for params in ({"ordering": "password"}, {"page": "x"}, {"page": "0"}, {"page_size": "100000"}, {"page": str(10**15)},
                   {"loss_only": "maybe"}, {"period": "decade"}, {"period": "custom", "start": "2026-01-01"}):
        response = http.get(URL, params)
        assert response.status_code == 400, params
        assert response.json()
    assert http.get(URL, {"page": "99"}).status_code == 404
    assert http.get(URL + "workload/", {"ordering": "nope"}).status_code == 400


def test_workload(economy):
    data = login(economy.world.director).get(URL + "workload/", {**Q1, "ordering": "-profit"}).json()
    assert [r["account_manager"] for r in data["results"]] == [economy.world.am.user.pk, economy.world.am2.user.pk]
    assert data["results"][0] == {"account_manager": economy.world.am.user.pk, "name": economy.world.am.user.full_name,
                                  "clients": 4, "revenue": "200000.00", "hours": "15.00", "real_profit": "176300.00"}


def test_isolation_and_roles(economy, bob_world):
    bob = login(bob_world.director).get(URL, Q1).json()
    assert {r["name"] for r in bob["results"]} == {"Bob's client", "Клиент Bob Agency"}
    assert bob["totals"]["period"]["revenue"] == "999999.00"
    bob_load = login(bob_world.director).get(URL + "workload/", Q1).json()
    assert economy.world.am.user.pk not in {r["account_manager"] for r in bob_load["results"]}
    am2 = login(economy.world.am2).get(URL, Q1).json()
    assert {r["name"] for r in am2["results"]} == {"L Убыточный", "E Звезда"}
    assert login(economy.world.specialist).get(URL).status_code == 403
    assert login(economy.world.client_contact).get(URL + "workload/").status_code == 403


def test_schema_documents_the_routes(economy):
    response = login(economy.world.director).get("/api/schema/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "/api/v1/portfolio/" in text and "/api/v1/portfolio/workload/" in text and "loss_only" in text
