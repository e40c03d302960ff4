"""The KPI API: values per period, per AM, per client; 400 for a bad period; isolation."""
from tests.conftest import login

Q1 = {"period": "quarter", "on": "2026-02-15"}


def test_kpis_list(portfolio):
    response = login(portfolio.world.director).get("/api/v1/kpis/", Q1)
    assert response.status_code == 200
    data = response.json()
    assert data["start"] == "2026-01-01" and data["end"] == "2026-03-31"
    tiles = {t["metric"]: t for t in data["results"]}
    assert tiles["retention"]["value"] == "66.70"
    assert tiles["nps"]["value"] == "25.00" and tiles["nps"]["facts"]["detractors"] == 1
    assert tiles["revenue"]["judged"] == "11.10"
    assert tiles["reports"]["value"] == "3.67" and tiles["reports"]["status"] == "red"
    assert len(tiles["nps"]["trend"]) == 6


def test_kpis_bad_period_is_400(portfolio):
    response = login(portfolio.world.director).get("/api/v1/kpis/", {"period": "custom", "start": "2026-01-01"})
    assert response.status_code == 400
    assert "non_field_errors" in response.json() or "__all__" in response.json()


def test_kpis_team(portfolio):
    response = login(portfolio.world.director).get("/api/v1/kpis/team/", Q1)
    assert response.status_code == 200
    rows = {r["account_manager"]: r for r in response.json()["results"]}
    am = portfolio.world.am.user.pk
    assert {t["metric"]: t["value"] for t in rows[am]["kpis"]}["retention"] == "66.70"


def test_kpis_one_client_and_isolation(portfolio, bob_world):
    ok = login(portfolio.world.director).get("/api/v1/kpis/", {**Q1, "client": str(portfolio.a.pk)})
    assert ok.status_code == 200 and ok.json()["client"] == str(portfolio.a.pk)
    assert login(bob_world.director).get("/api/v1/kpis/", {**Q1, "client": str(portfolio.a.pk)}).status_code == 404
    assert login(portfolio.world.am).get("/api/v1/kpis/", {**Q1, "client": str(portfolio.c.pk)}).status_code == 404
    assert login(portfolio.world.director).get("/api/v1/kpis/", {"client": "nope"}).status_code == 400
    bob = login(bob_world.director).get("/api/v1/kpis/", Q1).json()
    assert {t["metric"]: t["value"] for t in bob["results"]}["nps"] == "-100.00"


def test_kpis_refused_for_specialist_and_client(portfolio):
    assert login(portfolio.world.specialist).get("/api/v1/kpis/").status_code == 403
    assert login(portfolio.world.client_contact).get("/api/v1/kpis/").status_code == 403
