"""A finished job offers the real next step for its kind: a drafted proposal says «Open the draft» (it used
to say «Download» and open the editor), a file result says «Download»; the poll that sees the job finish
fires `mrm-job-finished`, and the brief page listens for it to bring in its new status and proposal."""
import json

import pytest
from django.urls import reverse

from mrm.jobs.models import Job
from tests import factories as f
from tests.conftest import login

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    """Assert on the source strings (the Russian catalogue is translated separately)."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def _status(member, job, htmx=True):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return login(member).get(reverse("jobs:status", args=[job.pk]), **headers)


def test_a_finished_draft_offers_to_open_the_draft_not_to_download(alice_world):
    proposal_url = "/proposals/00000000-0000-0000-0000-000000000001/"
    job = f.JobFactory(agency=alice_world.agency, kind="proposal.draft", created_by=alice_world.am.user,
                       status=Job.Status.SUCCEEDED, progress=100, result_url=proposal_url)
    response = _status(alice_world.am, job)
    html = response.content.decode()
    assert "Open the draft" in html and f'href="{proposal_url}"' in html
    assert "Download" not in html and "ti-download" not in html
    assert json.loads(response["HX-Trigger"]) == {
        "mrm-job-finished": {"id": str(job.pk), "kind": "proposal.draft", "status": "succeeded"}}


def test_a_file_result_offers_a_download(alice_world):
    job = f.JobFactory(agency=alice_world.agency, kind="audit.export", created_by=alice_world.am.user,
                       status=Job.Status.SUCCEEDED, progress=100, result_file="job-results/audit.csv",
                       result_url="")
    html = _status(alice_world.am, job).content.decode()
    assert "Download" in html and reverse("jobs:download", args=[job.pk]) in html


def test_a_pdf_job_downloads_its_pdf(alice_world):
    job = f.JobFactory(agency=alice_world.agency, kind="proposal.pdf", created_by=alice_world.am.user,
                       status=Job.Status.SUCCEEDED, progress=100, result_url="/proposals/x/pdf/")
    html = _status(alice_world.am, job).content.decode()
    assert "Download" in html and 'href="/proposals/x/pdf/"' in html and "Open the draft" not in html


def test_a_running_job_has_no_next_step_and_fires_nothing(alice_world):
    job = f.JobFactory(agency=alice_world.agency, kind="proposal.draft", created_by=alice_world.am.user,
                       status=Job.Status.RUNNING, progress=40, result_url="")
    response = _status(alice_world.am, job)
    assert "HX-Trigger" not in response and "Open the draft" not in response.content.decode()
    assert "hx-trigger=\"load delay:1s\"" in response.content.decode()  # it keeps polling


def test_another_agencys_job_is_not_found(alice_world, bob_world):
    job = f.JobFactory(agency=bob_world.agency, kind="proposal.draft", created_by=bob_world.am.user,
                       status=Job.Status.SUCCEEDED, result_url="/x/")
    assert _status(alice_world.am, job).status_code == 404


def test_the_brief_page_refreshes_its_status_and_proposal_when_the_draft_finishes(alice_world):
    client = f.ClientFactory(agency=alice_world.agency, owner=alice_world.am.user)
    brief = f.BriefFactory(agency=alice_world.agency, client=client, owner=alice_world.am.user)
    html = login(alice_world.am).get(reverse("proposals:brief_detail", args=[brief.pk])).content.decode()
    assert 'id="brief-status"' in html and 'id="draft"' in html
    assert 'hx-trigger="mrm-job-finished from:body"' in html
    assert 'hx-select="#draft"' in html and 'hx-select-oob="#brief-status"' in html
