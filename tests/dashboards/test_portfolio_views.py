"""The portfolio page: who may open it, what it shows, sorting, filters, exports, query budget, isolation."""
import csv
import io

import pytest
from openpyxl import load_workbook

from tests.conftest import login

from .portfolio_world import Q1

URL = "/dashboards/portfolio/"


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_director_sees_totals_concentration_quadrant_and_workload(economy):
    response = login(economy.world.director).get(URL, Q1)
    assert response.status_code == 200
    html = response.content.decode()
    for block in ("portfolio-ltv", "portfolio-profit", "portfolio-concentration", "portfolio-quadrant",
                  "portfolio-workload", "portfolio-clients", "portfolio-definitions"):
        assert f'id="{block}"' in html
    assert 'id="portfolio-revenue">250\u202f000' in html
    assert 'id="portfolio-top1">80\u00a0%' in html and 'id="portfolio-hhi">6672' in html
    assert 'id="portfolio-loss-count"' in html
    assert "<svg" in html and "P Прибыльный" in html and "<title" in html
    assert "1\u202f000\u00a0$" in html  # the USD paid, apart
    assert 'href="/clients/portfolio/"' in html
    assert "Bob" not in html and "D Лид" not in html


def test_kpi_dashboard_links_to_the_portfolio(economy):
    html = login(economy.world.director).get("/dashboards/", Q1).content.decode()
    assert 'id="portfolio-link"' in html and "/dashboards/portfolio/" in html


def test_sort_search_and_loss_filter(economy):
    http = login(economy.world.director)
    html = http.get(URL, {**Q1, "sort": "profit", "dir": "asc"}).content.decode()
    table = html[html.index('id="portfolio-table"'):]
    assert table.index("L Убыточный") < table.index("P Прибыльный")
    html = http.get(URL, {**Q1, "sort": "name", "dir": "asc"}).content.decode()
    table = html[html.index('id="portfolio-table"'):]
    assert table.index("E Звезда") < table.index("L Убыточный") < table.index("X Ушедший")
    html = http.get(URL, {**Q1, "loss": "1"}).content.decode()
    table = html[html.index('id="portfolio-table"'):html.index('id="portfolio-quadrant"')]
    assert "L Убыточный" in table and "P Прибыльный" not in table
    html = http.get(URL, {**Q1, "q": "звез"}).content.decode()
    table = html[html.index('id="portfolio-clients"'):html.index('id="portfolio-quadrant"')]
    assert "E Звезда" in table and "P Прибыльный" not in table
    html = http.get(URL, {**Q1, "q": "nobody"}).content.decode()
    assert "mrm-empty" in html
    assert http.get(URL, {**Q1, "sort": "drop table", "page": "x"}).status_code == 200  # unknown: the default


def test_workload_sorted(economy):
    am, am2 = economy.world.am.user.full_name, economy.world.am2.user.full_name
    html = login(economy.world.director).get(URL, {**Q1, "wsort": "profit", "wdir": "desc"}).content.decode()
    table = html[html.index('id="portfolio-workload-table"'):]
    assert table.index(f">{am}<") < table.index(f">{am2}<")  # 176 300 before 30 000
    html = login(economy.world.director).get(URL, {**Q1, "wsort": "profit", "wdir": "asc"}).content.decode()
    table = html[html.index('id="portfolio-workload-table"'):]
    assert table.index(f">{am2}<") < table.index(f">{am}<")


def test_exports(economy):
    http = login(economy.world.director)
    rows = _csv(http.get(URL, {**Q1, "export": "csv", "table": "clients", "sort": "profit", "dir": "desc"}))
    assert rows[1][0] == "P Прибыльный" and rows[1][3] == "200000.0" and rows[1][10] == "176300.0"
    assert rows[-1][0] == "L Убыточный" and rows[-1][11]  # "yes": costs more than it pays
    assert "1000.00 USD" in rows[1][-1]
    assert not any("Bob" in cell for row in rows for cell in row)
    workload = _csv(http.get(URL, {**Q1, "export": "csv", "table": "workload"}))
    assert len(workload) == 3
    assert {r[0] for r in workload[1:]} == {economy.world.am.user.full_name, economy.world.am2.user.full_name}
    xlsx = http.get(URL, {**Q1, "export": "xlsx", "table": "clients", "loss": "1"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert [row[0].value for row in sheet.iter_rows(min_row=2)] == ["L Убыточный"]
    assert http.get(URL, {**Q1, "export": "csv", "table": "secrets"}).status_code == 400
    assert http.get(URL, {**Q1, "export": "pdf"}).status_code == 400


def test_am_sees_own_clients_only(economy):
    http = login(economy.world.am2)
    html = http.get(URL, Q1).content.decode()
    assert "L Убыточный" in html and "E Звезда" in html
    assert "P Прибыльный" not in html and "X Ушедший" not in html
    rows = _csv(http.get(URL, {**Q1, "export": "csv", "table": "clients"}))
    assert {r[0] for r in rows[1:]} == {"L Убыточный", "E Звезда"}


def test_other_agency_sees_none_of_alices_figures(economy, bob_world):
    http = login(bob_world.director)
    html = http.get(URL, Q1).content.decode()
    assert "Bob&#x27;s client" in html
    assert not any(name in html for name in ("P Прибыльный", "L Убыточный", "Клиент Alice Agency"))
    rows = _csv(http.get(URL, {**Q1, "export": "csv", "table": "clients"}))
    assert {r[0] for r in rows[1:]} == {"Bob's client", "Клиент Bob Agency"}
    workload = _csv(http.get(URL, {**Q1, "export": "csv", "table": "workload"}))
    assert economy.world.am.user.full_name not in {r[0] for r in workload}


@pytest.mark.parametrize("member", ["specialist", "client_contact"])
def test_refused_for_specialists_and_clients(economy, member):
    response = login(getattr(economy.world, member)).get(URL)
    assert response.status_code in (302, 403)
    assert b"portfolio-ltv" not in response.content


def test_bad_period_is_400(economy):
    response = login(economy.world.director).get(URL, {"period": "custom", "start": "2026-03-01"})
    assert response.status_code == 400 and "period-errors" in response.content.decode()


def test_query_budget(economy, django_assert_max_num_queries):
    http = login(economy.world.director)
    http.get(URL, Q1)
    with django_assert_max_num_queries(10):
        assert http.get(URL, Q1).status_code == 200
    with django_assert_max_num_queries(10):
        assert http.get(URL, {**Q1, "export": "xlsx", "table": "clients"}).status_code == 200
    am = login(economy.world.am)
    am.get(URL, Q1)
    with django_assert_max_num_queries(10):
        assert am.get(URL, Q1).status_code == 200


def test_empty_portfolio(bob_world):
    html = login(bob_world.director).get(URL, Q1).content.decode()
    assert "No revenue in the period" in html or "portfolio-concentration-status" in html
    assert 'id="portfolio-quadrant"' in html
