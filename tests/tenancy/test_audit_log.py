import csv
import io

import pytest
from django_scopes import scopes_disabled

from mrm.jobs.models import Job
from tests.conftest import login
from tests.factories import AuditLogFactory

pytestmark = pytest.mark.django_db


def test_audit_log_lists_filters_and_paginates_with_constant_queries(alice_world, bob, django_assert_max_num_queries):
    for i in range(60):
        AuditLogFactory(agency=alice_world.agency, actor=alice_world.am.user, action="client.updated",
                        target_repr=f"Клиент {i}")
    AuditLogFactory(agency=alice_world.agency, actor=alice_world.director.user, action="agency.updated")
    AuditLogFactory(agency=bob.agency, actor=bob.user, action="client.created", target_repr="Секрет Боба")
    http = login(alice_world.director)
    with django_assert_max_num_queries(14):
        page = http.get("/settings/audit/").content.decode()
    assert "Секрет Боба" not in page
    assert "2" in page and "/settings/audit/?page=2" in page or "page=2" in page
    filtered = http.get(f"/settings/audit/?actor={alice_world.director.user.pk}").content.decode()
    assert 'data-action="agency.updated"' in filtered and "Клиент 5" not in filtered
    by_action = http.get("/settings/audit/?action=client.updated").content.decode()
    assert 'data-action="agency.updated"' not in by_action and 'data-action="client.updated"' in by_action


def test_audit_export_job_writes_only_this_agencys_rows(alice, bob, django_capture_on_commit_callbacks):
    AuditLogFactory(agency=alice.agency, actor=alice.user, action="client.created", target_repr="Клиент Алисы")
    AuditLogFactory(agency=bob.agency, actor=bob.user, action="client.created", target_repr="Клиент Боба")
    http = login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = http.post("/settings/audit/export/", {}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    with scopes_disabled():
        job = Job.objects.get(agency=alice.agency)
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert job.progress == 100
    download = http.get(f"/jobs/{job.pk}/download/")
    assert download.status_code == 200
    text = b"".join(download.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["Когда", "Кто", "Действие"] and rows[0][-1] == "code"
    flat = text
    assert "Клиент Алисы" in flat and "Клиент Боба" not in flat
    # Polling the finished job shows the download link and stops polling.
    status = http.get(f"/jobs/{job.pk}/").content.decode()
    assert f"/jobs/{job.pk}/download/" in status and "hx-trigger" not in status


def test_non_htmx_export_redirects_back_with_the_job(alice):
    response = login(alice).post("/settings/audit/export/", {})
    assert response.status_code == 302 and "?job=" in response["Location"]
    page = login(alice).get(response["Location"]).content.decode()
    assert "mrm-job" in page


def test_jobs_of_other_people_are_hidden_from_non_directors(alice_world):
    from tests.factories import JobFactory

    job = JobFactory(agency=alice_world.agency, created_by=alice_world.director.user)
    assert login(alice_world.am).get(f"/jobs/{job.pk}/").status_code == 404
    assert login(alice_world.director).get(f"/jobs/{job.pk}/").status_code == 200
