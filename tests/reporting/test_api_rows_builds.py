"""The REST API's reads of what the other endpoints write: a source's metric rows (GET beside the bulk upload),
a report's builds and its PDF. Roles, isolation (another agency's object: 404; an unseen client's: 404), query
counts at two sizes."""
from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scope

from reporting.services import reports as services
from tests import factories as f
from tests.conftest import login

from .reports_helpers import built_report, company_of, metrics_for

pytestmark = pytest.mark.django_db
JSON = "application/json"
REPORTS = "/api/v1/reporting/reports/"


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


def _rows(n, start=None):
    start = start or timezone.localdate() - timedelta(days=n)
    return [{"date": (start + timedelta(days=i)).isoformat(), "campaign_id": str(100 + i % 3),
             "campaign": f"Кампания {i % 3}", "channel": "vk_ads", "impressions": 10 * i, "clicks": i,
             "cost": f"{i}.50"} for i in range(n)]


@pytest.fixture
def source(alice_world):
    client = f.ClientFactory(agency=alice_world.agency, owner=alice_world.am.user)
    return f.DataSourceFactory(client=client, kind="vk_ads")


def test_metric_rows_read_back_what_the_upload_wrote(alice_world, source, django_assert_max_num_queries):
    api = login(alice_world.am)
    url = f"/api/v1/reporting/sources/{source.pk}/metrics/"
    assert api.post(url, {"rows": _rows(5)}, content_type=JSON).status_code == 200
    period = {"date_from": (timezone.localdate() - timedelta(days=30)).isoformat(),
              "date_to": timezone.localdate().isoformat()}
    with django_assert_max_num_queries(9):
        body = api.get(url, period).json()
    assert body["count"] == 5
    first = body["results"][0]
    assert first["campaign_id"] == "100" and first["campaign"] == "Кампания 0" and first["cost"] == "0.50"
    assert [r["date"] for r in body["results"]] == sorted(r["date"] for r in body["results"])
    assert api.post(url, {"rows": _rows(120)}, content_type=JSON).status_code == 200
    longer = {**period, "date_from": (timezone.localdate() - timedelta(days=200)).isoformat()}
    with django_assert_max_num_queries(9):
        page = api.get(url, longer).json()
    # 122: two days of the first upload lie after the campaign spans the second one replaces.
    assert len(page["results"]) == 50 and page["count"] == 122 and page["next"]
    assert api.get(url, {"date_from": period["date_to"], "date_to": period["date_from"]}).status_code == 400
    assert api.get(url).status_code == 400  # the period is required


def test_metric_rows_roles_and_isolation(alice_world, bob_world, source):
    period = {"date_from": "2026-01-01", "date_to": "2026-01-31"}
    url = f"/api/v1/reporting/sources/{source.pk}/metrics/"
    source.client.team.add(alice_world.specialist.user)
    specialist = login(alice_world.specialist)
    assert specialist.get(url, period).status_code == 200  # reporting.view
    assert specialist.post(url, {"rows": _rows(1)}, content_type=JSON).status_code == 403  # reporting.manage
    assert login(alice_world.am2).get(url, period).status_code == 404  # a client the AM does not see
    assert login(bob_world.director).get(url, period).status_code == 404
    assert login(alice_world.client_contact).get(url, period).status_code == 403


def test_report_builds_are_listed_newest_first(alice_world, django_assert_max_num_queries):
    metrics_for(company_of(alice_world))
    report = built_report(alice_world)
    api = login(alice_world.am)
    with django_assert_max_num_queries(10):
        body = api.get(f"{REPORTS}{report.pk}/builds/").json()
    assert body["count"] == 1 and body["results"][0]["status"] == "succeeded"
    assert body["results"][0]["job"] == str(report.job_id) and body["results"][0]["redraft"] is False
    with scope(agency=alice_world.agency):
        for _n in range(3):
            services.report_build_start(agency=alice_world.agency, actor=alice_world.am.user, report=report,
                                        redraft=True)
            from reporting.tasks_reports import report_build_task

            report.refresh_from_db()
            report_build_task.apply(kwargs={"agency_id": alice_world.agency.pk, "job_id": str(report.job_id)})
    with django_assert_max_num_queries(10):
        body = api.get(f"{REPORTS}{report.pk}/builds/").json()
    assert body["count"] == 4 and body["results"][0]["job"] == str(report.job_id)
    assert body["results"][0]["redraft"] is True and body["results"][-1]["redraft"] is False
    other = built_report(alice_world)  # another report's builds are not this one's
    assert api.get(f"{REPORTS}{other.pk}/builds/").json()["count"] == 1


def test_report_pdf_download(alice_world, bob_world):
    metrics_for(company_of(alice_world))
    report = built_report(alice_world)
    api = login(alice_world.am)
    response = api.get(f"{REPORTS}{report.pk}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and "attachment" in response["Content-Disposition"]
    assert api.get(f"{REPORTS}{report.pk}/pdf/", HTTP_ACCEPT="application/pdf").status_code == 200
    draft = f.ReportFactory(client=company_of(alice_world))
    refused = api.get(f"{REPORTS}{draft.pk}/pdf/")
    assert refused.status_code == 400 and "Build the report first" in refused.json()["detail"]
    theirs = built_report(bob_world)
    assert api.get(f"{REPORTS}{theirs.pk}/pdf/").status_code == 404
    assert api.get(f"{REPORTS}{theirs.pk}/builds/").status_code == 404
    assert login(alice_world.client_contact).get(f"{REPORTS}{report.pk}/pdf/").status_code == 403
