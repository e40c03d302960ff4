"""The dashboard pages: who may open them, what they show, exports, bad periods, query budgets."""
import io

import pytest
from openpyxl import load_workbook

from tests.conftest import login

Q1 = {"period": "quarter", "on": "2026-02-15"}



def test_director_sees_the_tiles_with_status_words_and_charts(portfolio):
    response = login(portfolio.world.director).get("/dashboards/", Q1)
    assert response.status_code == 200
    html = response.content.decode()
    for metric in ("retention", "nps", "revenue", "upsell", "response", "reports"):
        assert f'id="tile-{metric}"' in html
    assert 'id="tile-retention-value">66,7' in html
    assert 'id="tile-nps-value">25' in html
    assert "<svg" in html and "<desc" in html  # trend charts with a text description
    assert 'href="/dashboards/nps/?period=quarter&amp;on=2026-01-01&amp;segment=detractors"' in html
    assert "Bob" not in html


@pytest.mark.parametrize("path", ["/dashboards/", "/dashboards/team/", "/dashboards/nps/", "/dashboards/retention/"])
def test_specialist_is_refused(portfolio, path):
    assert login(portfolio.world.specialist).get(path).status_code == 403


def test_client_login_never_reaches_the_dashboard(portfolio):
    response = login(portfolio.world.client_contact).get("/dashboards/")
    assert response.status_code in (302, 403)
    assert b"tile-retention" not in response.content


def test_anonymous_is_sent_to_login(db):
    from django.test import Client as HttpClient

    assert HttpClient().get("/dashboards/").status_code == 302


def test_am_sees_their_figures_only(portfolio):
    html = login(portfolio.world.am).get("/dashboards/", Q1).content.decode()
    assert 'id="tile-retention-value">50' in html


def test_bad_period_answers_400_with_the_message(portfolio):
    response = login(portfolio.world.director).get("/dashboards/", {"period": "custom", "start": "2026-03-01",
                                                                    "end": "2026-02-01"})
    assert response.status_code == 400
    assert "period-errors" in response.content.decode()
    assert login(portfolio.world.director).get("/dashboards/", {"period": "decade"}).status_code == 400
    assert login(portfolio.world.director).get("/dashboards/", {"on": "not-a-date"}).status_code == 400


def test_custom_period(portfolio):
    response = login(portfolio.world.director).get("/dashboards/", {"period": "custom", "start": "2026-01-01",
                                                                    "end": "2026-03-31"})
    assert response.status_code == 200
    assert 'id="tile-nps-value">25' in response.content.decode()


def test_dashboard_query_budget(portfolio, django_assert_max_num_queries):
    http = login(portfolio.world.director)
    http.get("/dashboards/", Q1)
    with django_assert_max_num_queries(10):
        assert http.get("/dashboards/", Q1).status_code == 200


def test_drill_nps_detractors(portfolio, django_assert_max_num_queries):
    http = login(portfolio.world.director)
    with django_assert_max_num_queries(10):
        response = http.get("/dashboards/nps/", {**Q1, "segment": "detractors"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "B Бета" in html and "Долго отвечаете" in html
    assert f"/clients/{portfolio.b.pk}/" in html  # each row links to its client
    assert "A Альфа" not in html and "Bob's detractor" not in html


@pytest.mark.parametrize("metric,expected", [("retention", "Сократили бюджет"), ("revenue", "A Альфа"),
                                             ("upsell", "A Альфа"), ("response", "E Эпсилон"),
                                             ("reports", "Отчёт непонятный")])
def test_drill_pages(portfolio, metric, expected, django_assert_max_num_queries):
    http = login(portfolio.world.director)
    with django_assert_max_num_queries(10):
        response = http.get(f"/dashboards/{metric}/", {**Q1, "segment": "churned"})
    assert response.status_code == 200
    assert expected in response.content.decode()


def test_unknown_drill_metric_is_404(portfolio):
    assert login(portfolio.world.director).get("/dashboards/ltv/").status_code == 404


def test_exports_csv_and_xlsx(portfolio):
    http = login(portfolio.world.director)
    response = http.get("/dashboards/nps/", {**Q1, "export": "csv"})
    assert response["Content-Disposition"].startswith("attachment")
    text = response.content.decode("utf-8-sig")
    assert "Долго отвечаете" in text and "Bob" not in text
    response = http.get("/dashboards/team/", {**Q1, "export": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    names = [row[0].value for row in sheet.iter_rows(min_row=2)]
    assert any("am@alice" in (n or "") or n for n in names)
    response = http.get("/dashboards/", {**Q1, "export": "csv"})
    assert "66.7" in response.content.decode("utf-8-sig")


def test_am_export_has_only_their_clients(portfolio):
    text = login(portfolio.world.am).get("/dashboards/nps/", {**Q1, "export": "csv"}).content.decode("utf-8-sig")
    assert "A Альфа" in text and "C Гамма" not in text


def test_other_agency_director_sees_none_of_alices_figures(portfolio, bob_world):
    http = login(bob_world.director)
    for path in ("/dashboards/nps/", "/dashboards/retention/", "/dashboards/revenue/"):
        text = http.get(path, {**Q1, "export": "csv"}).content.decode("utf-8-sig")
        assert "Альфа" not in text and "Бета" not in text
    assert "Альфа" not in http.get("/dashboards/team/", Q1).content.decode()


def test_team_table_sorts_and_budget(portfolio, django_assert_max_num_queries):
    http = login(portfolio.world.director)
    http.get("/today/")  # the session's first request loads more
    with django_assert_max_num_queries(10):
        response = http.get("/dashboards/team/", {**Q1, "sort": "nps", "dir": "desc"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'aria-sort="descending"' in html
    assert html.index(portfolio.world.am.user.email.split("@")[0]) > 0


def test_client_block(portfolio, django_assert_max_num_queries):
    http = login(portfolio.world.director)
    http.get("/today/")
    # 3 of the login, the client, its six KPI queries and the targets: constant whatever the client's history.
    with django_assert_max_num_queries(11):
        response = http.get(f"/dashboards/client/{portfolio.a.pk}/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'id="client-kpi-nps"' in response.content.decode()
    # The client page loads it with htmx (and links to it).
    page = http.get(f"/clients/{portfolio.a.pk}/")
    assert f"/dashboards/client/{portfolio.a.pk}/" in page.content.decode()


def test_client_block_of_a_client_the_am_does_not_see_is_404(portfolio):
    assert login(portfolio.world.am).get(f"/dashboards/client/{portfolio.c.pk}/").status_code == 404


def test_client_block_of_another_agency_is_404(portfolio, bob_world):
    assert login(bob_world.director).get(f"/dashboards/client/{portfolio.a.pk}/").status_code == 404


def test_menu_link_for_director_and_am_only(portfolio):
    assert 'href="/dashboards/"' in login(portfolio.world.director).get("/today/").content.decode()
    assert 'href="/dashboards/"' in login(portfolio.world.am).get("/today/").content.decode()
    assert 'href="/dashboards/"' not in login(portfolio.world.specialist).get("/today/").content.decode()
