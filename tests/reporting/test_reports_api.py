"""Client reports REST API: templates, reports (create, texts, snapshot), builds (start, progress), publishing;
errors answer 400 with a message; roles; another agency's objects 404; client logins never get in."""
import pytest
from django_scopes import scope

from reporting.models import Report
from tests import factories as f
from tests.conftest import login

from .reports_helpers import built_report, company_of, metrics_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"  # the assertions read the English source strings (the Russian catalogue is compiled)


BASE = "/api/v1/reporting/reports/"
TEMPLATES = "/api/v1/reporting/report-templates/"


def test_templates_list_create_and_change(alice_world):
    api = login(alice_world.am)
    listed = api.get(TEMPLATES).json()
    assert listed["results"][0]["is_default"] is True
    created = api.post(TEMPLATES, {"name": "Клиенту", "client": str(company_of(alice_world).pk),
                                   "sections": ["kpis", "commentary"]}, content_type="application/json")
    assert created.status_code == 201, created.content
    url = f"{TEMPLATES}{created.json()['id']}/"
    changed = api.patch(url, {"sections": ["commentary"]}, content_type="application/json")
    assert changed.status_code == 200 and changed.json()["sections"] == ["commentary"]
    again = api.post(TEMPLATES, {"name": "Ещё", "client": str(company_of(alice_world).pk), "sections": ["kpis"]},
                     content_type="application/json")
    assert again.status_code == 400 and "already has" in str(again.json())
    bad = api.post(TEMPLATES, {"name": "Плохо", "sections": ["nope"]}, content_type="application/json")
    assert bad.status_code == 400


def test_specialist_cannot_change_templates(alice_world):
    api = login(alice_world.specialist)
    assert api.get(TEMPLATES).status_code == 200
    assert api.post(TEMPLATES, {"name": "x", "sections": ["kpis"]}, content_type="application/json").status_code == 403


def test_report_create_build_edit_publish(alice_world, django_capture_on_commit_callbacks):
    metrics_for(company_of(alice_world))
    api = login(alice_world.am)
    created = api.post(BASE, {"client": str(company_of(alice_world).pk), "date_from": "2026-10-01",
                              "date_to": "2026-10-31", "plan": {"cost": "4000"}}, content_type="application/json")
    assert created.status_code == 201, created.content
    report_id = created.json()["id"]
    assert created.json()["status"] == "draft" and created.json()["plan"] == {"cost": "4000.00"}
    assert api.get(f"{BASE}{report_id}/build/").status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        started = api.post(f"{BASE}{report_id}/build/", {}, content_type="application/json")
    assert started.status_code == 202
    progress = api.get(f"{BASE}{report_id}/build/").json()
    assert progress["status"] == "succeeded" and progress["progress"] == 100
    body = api.get(f"{BASE}{report_id}/").json()
    assert body["status"] == "built" and body["snapshot"]["totals"]["cost"] == "5000.00"
    changed = api.patch(f"{BASE}{report_id}/", {"commentary": "Итоги месяца", "next_steps": "Дальше"},
                        content_type="application/json")
    assert changed.status_code == 200 and changed.json()["commentary"] == "Итоги месяца"
    with django_capture_on_commit_callbacks(execute=True):
        published = api.post(f"{BASE}{report_id}/publish/")
    assert published.status_code == 200 and published.json()["status"] == "published"
    refused = api.patch(f"{BASE}{report_id}/", {"commentary": "x"}, content_type="application/json")
    assert refused.status_code == 400 and "published" in refused.json()["detail"]
    assert api.post(f"{BASE}{report_id}/build/", {}, content_type="application/json").status_code == 400


def test_report_errors_answer_400(alice_world):
    api = login(alice_world.am)
    client = str(company_of(alice_world).pk)
    bad = api.post(BASE, {"client": client, "date_from": "2026-10-31", "date_to": "2026-10-01"},
                   content_type="application/json")
    assert bad.status_code == 400 and "ends before" in str(bad.json())
    draft = api.post(BASE, {"client": client, "date_from": "2026-10-01", "date_to": "2026-10-31"},
                     content_type="application/json").json()
    assert api.post(f"{BASE}{draft['id']}/publish/").status_code == 400
    unseen = api.post(BASE, {"client": str(f.ClientFactory(agency=alice_world.agency).pk), "date_from": "2026-10-01",
                             "date_to": "2026-10-31"}, content_type="application/json")
    assert unseen.status_code == 400


def test_specialist_cannot_publish(alice_world):
    report = built_report(alice_world)
    company_of(alice_world).team.add(alice_world.specialist.user)
    api = login(alice_world.specialist)
    assert api.get(f"{BASE}{report.pk}/").status_code == 200
    assert api.post(f"{BASE}{report.pk}/publish/").status_code == 403


def test_list_has_constant_queries(alice_world, django_assert_max_num_queries):
    for _n in range(3):
        built_report(alice_world)
    api = login(alice_world.am)
    with django_assert_max_num_queries(12):
        assert len(api.get(BASE).json()["results"]) == 3
    for _n in range(3):
        f.ReportFactory(client=company_of(alice_world))
    with django_assert_max_num_queries(12):
        assert len(api.get(BASE).json()["results"]) == 6


def test_another_agency_is_404_and_client_logins_get_403(alice_world, bob_world):
    theirs = built_report(bob_world)
    api = login(alice_world.director)
    assert api.get(f"{BASE}{theirs.pk}/").status_code == 404
    assert api.post(f"{BASE}{theirs.pk}/publish/").status_code == 404
    assert api.get(f"{BASE}{theirs.pk}/build/").status_code == 404
    assert all(r["id"] != str(theirs.pk) for r in api.get(BASE).json()["results"])
    with scope(agency=bob_world.agency):
        template = f.ReportTemplateFactory(agency=bob_world.agency)
    assert api.get(f"{TEMPLATES}{template.pk}/").status_code == 404
    portal = login(alice_world.client_contact)
    assert portal.get(BASE).status_code == 403
    assert Report.objects.model is Report
