"""The KPI dashboard as a PDF (a Celery job): the figures of the period with the member's visibility, real PDF text,
bad periods refused in place, and no way to reach another agency's or another member's PDF."""
import io

import pytest
from django.core.files.storage import default_storage  # noqa: F401 - private storage is the job's own field
from django_scopes import scopes_disabled
from pypdf import PdfReader

from mrm.jobs.models import Job
from tests.conftest import login

Q1 = {"period": "quarter", "on": "2026-01-01"}


def _text(job: Job) -> str:
    with job.result_file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    text = " ".join(page.extract_text() for page in reader.pages).replace("\xa0", " ")
    return text


def _ask(http, django_capture_on_commit_callbacks, data=Q1, **headers):
    with django_capture_on_commit_callbacks(execute=True):
        return http.post("/dashboards/pdf/", data, **headers)


def _last_job() -> Job:
    with scopes_disabled():
        return Job.objects.filter(kind="dashboards.pdf").select_related("agency").latest("created_at")


def test_director_gets_a_pdf_of_the_period_with_tiles_charts_and_the_am_table(portfolio,
                                                                             django_capture_on_commit_callbacks):
    http = login(portfolio.world.director)
    response = _ask(http, django_capture_on_commit_callbacks, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and 'id="job-' in response.content.decode()
    job = _last_job()
    assert job.status == "succeeded", job.error
    text = _text(job)
    assert "1 квартал 2026" in text or "Q1 2026" in text
    for figure in ("66,7 %", "NPS\n25\n", "3,7 из 5"):  # retention, NPS, report quality of the hand-counted quarter
        assert figure in text
    assert portfolio.world.am.user.full_name in text  # the per-AM table
    # The job's page offers the download, which is the PDF itself.
    download = http.get(f"/jobs/{job.pk}/download/")
    assert download.status_code == 200 and b"".join(download.streaming_content)[:4] == b"%PDF"


def test_am_pdf_has_only_their_clients_figures_and_no_team_table(portfolio, django_capture_on_commit_callbacks):
    http = login(portfolio.world.am)
    _ask(http, django_capture_on_commit_callbacks)
    job = _last_job()
    assert job.status == "succeeded", job.error
    text = _text(job)
    assert portfolio.world.am2.user.full_name not in text
    assert "3,7 из 5" in text  # A and B are am's clients: both ratings of the quarter count


def test_a_bad_period_is_refused_in_place_and_no_job_is_made(portfolio, django_capture_on_commit_callbacks):
    http = login(portfolio.world.director)
    response = _ask(http, django_capture_on_commit_callbacks, {"period": "custom", "start": "2026-01-01"},
                    HTTP_HX_REQUEST="true")
    assert response.status_code == 422 and 'id="pdf-error"' in response.content.decode()  # the HTMX error contract
    with scopes_disabled():
        assert not Job.objects.filter(kind="dashboards.pdf").exists()


def test_without_htmx_the_page_shows_the_job(portfolio, django_capture_on_commit_callbacks):
    http = login(portfolio.world.director)
    response = _ask(http, django_capture_on_commit_callbacks)
    assert response.status_code == 302 and "pdf_job=" in response["Location"]
    page = http.get(response["Location"]).content.decode()
    assert f'id="job-{_last_job().pk}"' in page


@pytest.mark.parametrize("who", ["bob_director", "specialist", "other_am"])
def test_nobody_else_reaches_the_pdf(portfolio, bob_world, django_capture_on_commit_callbacks, who):
    _ask(login(portfolio.world.am), django_capture_on_commit_callbacks)
    job = _last_job()
    other = {"bob_director": bob_world.director, "specialist": portfolio.world.specialist,
             "other_am": portfolio.world.am2}[who]
    http = login(other)
    assert http.get(f"/jobs/{job.pk}/download/").status_code in (403, 404)
    assert http.get(f"/dashboards/?pdf_job={job.pk}").content.decode().count(f'id="job-{job.pk}"') == 0


def test_the_specialist_cannot_ask_for_one(portfolio):
    assert login(portfolio.world.specialist).post("/dashboards/pdf/", Q1).status_code in (403, 404)


def test_the_dashboard_has_the_pdf_button_with_the_period(portfolio):
    page = login(portfolio.world.director).get("/dashboards/", Q1).content.decode()
    assert 'id="pdf-button"' in page and 'name="on" value="2026-01-01"' in page and "csrfmiddlewaretoken" in page


def test_a_member_who_lost_the_right_gets_a_failed_job_with_the_reason(portfolio, django_capture_on_commit_callbacks):
    from mrm.tenancy.models import Role

    http = login(portfolio.world.am)
    with scopes_disabled():
        membership = portfolio.world.am
        # The role changes between the request and the worker: the task runs the check itself.
        from datetime import date

        from dashboards.pdf import dashboard_pdf_start
        from dashboards.periods import Period
        job = dashboard_pdf_start(agency=membership.agency, membership=membership,
                                  period=Period.containing("quarter", date(2026, 1, 1)))
        type(membership).objects.filter(pk=membership.pk).update(role=Role.SPECIALIST)
    del http
    from dashboards.tasks import dashboard_pdf_task

    dashboard_pdf_task.apply(kwargs={"agency_id": job.agency_id, "job_id": str(job.pk)})
    with scopes_disabled():
        job.refresh_from_db()
    assert job.status == "failed"
    assert "no longer see the KPI dashboard" in job.error or "больше нет доступа к дашборду KPI" in job.error


def test_the_pdf_has_the_portfolio_and_the_clients_at_risk_with_their_signals(portfolio, health_world,
                                                                              django_capture_on_commit_callbacks):
    from django_scopes import scope

    from dashboards.health_rollups import health_rollup_rebuild

    with scope(agency=portfolio.world.agency):
        health_rollup_rebuild(agency=portfolio.world.agency)
    _ask(login(portfolio.world.director), django_capture_on_commit_callbacks)
    job = _last_job()
    assert job.status == "succeeded", job.error
    text = _text(job)
    assert "Экономика портфеля" in text or "Portfolio economics" in text
    assert "Индекс Херфиндаля" in text or "Herfindahl index" in text
    # R is at risk: 40 of 100, with the reason and the suggested call; the healthy client is not listed.
    at_risk = text.split("Клиенты под угрозой")[-1] if "Клиенты под угрозой" in text else text.split("Clients at risk")[-1]
    assert "Риск" in at_risk and "40 / 100" in at_risk and "45" in at_risk
    assert "Здоровье" not in at_risk


def test_before_the_health_is_built_the_pdf_says_so(portfolio, django_capture_on_commit_callbacks):
    _ask(login(portfolio.world.director), django_capture_on_commit_callbacks)
    text = _text(_last_job())
    assert "ещё не рассчитаны" in text or "have not been computed yet" in text
