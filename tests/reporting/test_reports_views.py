"""Client report pages for staff: the client's reports and a new one (presets, custom dates, errors in place),
build with progress, texts, publish, PDF, templates, the client page block; roles, another agency, query counts."""
import pytest
from django.urls import reverse
from django_scopes import scope

from mrm.jobs.models import Job
from reporting.models import Report, ReportTemplate
from reporting.services import reports as services
from tests import factories as f
from tests.conftest import client_page
from tests.money import number_in

from .reports_helpers import OCT, built_report, company_of, http, metrics_for

pytestmark = pytest.mark.django_db


def test_client_reports_page_lists_and_offers_a_new_report(alice_world, django_assert_max_num_queries):
    client = company_of(alice_world)
    for _n in range(3):
        f.ReportFactory(client=client)
    web = http(alice_world.am)
    url = reverse("reporting:reports:client_list", args=[client.pk])
    web.get(url)
    with django_assert_max_num_queries(16):
        response = web.get(url)
    assert response.status_code == 200
    assert b'id="report-create"' in response.content and response.content.count(b"reporting/reports/") >= 3
    for _n in range(5):
        f.ReportFactory(client=client)
    with django_assert_max_num_queries(16):
        assert web.get(url).status_code == 200


def test_specialist_reads_but_cannot_create(alice_world):
    client = company_of(alice_world)
    client.team.add(alice_world.specialist.user)
    web = http(alice_world.specialist)
    response = web.get(reverse("reporting:reports:client_list", args=[client.pk]))
    assert response.status_code == 200 and b'id="report-create"' not in response.content
    assert web.post(reverse("reporting:reports:create", args=[client.pk]), {"preset": "last_month"}).status_code == 403


def test_create_with_a_preset_builds_and_shows_progress(alice_world, django_capture_on_commit_callbacks):
    client = company_of(alice_world)
    metrics_for(client)
    web = http(alice_world.am)
    with django_capture_on_commit_callbacks(execute=True):
        response = web.post(reverse("reporting:reports:create", args=[client.pk]),
                            {"preset": "custom", "date_from": "2026-10-01", "date_to": "2026-10-31", "build": "1"})
    assert response.status_code == 302
    with scope(agency=alice_world.agency):
        report = Report.objects.get(agency=alice_world.agency, client=client)
        assert report.status == Report.Status.BUILT and report.job.status == Job.Status.SUCCEEDED
    page = web.get(response["Location"])
    assert b'id="report-document"' in page.content and b"<svg" in page.content
    assert number_in(page, 5000).encode() in page.content


def test_create_errors_show_in_place(alice_world):
    client = company_of(alice_world)
    web = http(alice_world.am)
    url = reverse("reporting:reports:create", args=[client.pk])
    response = web.post(url, {"preset": "custom", "date_from": "2026-10-31"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 422 and b"Give the last day" in response.content
    response = web.post(url, {"preset": "custom", "date_from": "2026-10-31", "date_to": "2026-10-01"})
    assert response.status_code == 422 and b"ends before it starts" in response.content
    response = web.post(url, {"preset": "last_month", "plan_cost": "-1"})
    assert response.status_code == 422
    with scope(agency=alice_world.agency):
        assert not Report.objects.filter(agency=alice_world.agency).exists()


def test_build_button_answers_the_job_block_for_htmx(alice_world):
    with scope(agency=alice_world.agency):
        report = services.report_create(agency=alice_world.agency, actor=alice_world.am.user,
                                        client=company_of(alice_world), date_from=OCT[0], date_to=OCT[1])
    response = http(alice_world.am).post(reverse("reporting:reports:build", args=[report.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and b"mrm-job" in response.content


def test_edit_texts_then_publish(alice_world, django_capture_on_commit_callbacks):
    metrics_for(company_of(alice_world))
    report = built_report(alice_world)
    web = http(alice_world.am)
    detail = web.get(reverse("reporting:reports:detail", args=[report.pk]))
    assert detail.status_code == 200 and b"Publish to the client" in detail.content
    response = web.post(reverse("reporting:reports:edit", args=[report.pk]),
                        {"title": "Октябрь", "commentary": "Хороший месяц <script>x</script>", "next_steps": "Шаг 1",
                         "plan_cost": "6000"})
    assert response.status_code == 302
    detail = web.get(reverse("reporting:reports:detail", args=[report.pk]))
    assert b"<script>x</script>" not in detail.content and b"&lt;script&gt;" in detail.content
    assert b"83 % of plan" in detail.content  # 5000 of 6000
    with django_capture_on_commit_callbacks(execute=True):
        response = web.post(reverse("reporting:reports:publish", args=[report.pk]))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.is_published and report.commentary.startswith("Хороший месяц") and report.notified_at
    detail = web.get(reverse("reporting:reports:detail", args=[report.pk]))
    assert b'id="report-edit"' not in detail.content
    assert web.post(reverse("reporting:reports:edit", args=[report.pk]),
                    {"title": "x", "commentary": "y"}).status_code == 422


def test_edit_with_an_empty_title_is_refused_in_place(alice_world):
    report = built_report(alice_world)
    response = http(alice_world.am).post(reverse("reporting:reports:edit", args=[report.pk]),
                                         {"title": "", "commentary": "x"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 422


def test_publish_without_commentary_is_refused_with_a_message(alice_world):
    report = built_report(alice_world)
    with scope(agency=alice_world.agency):
        Report.objects.filter(agency=alice_world.agency, pk=report.pk).update(commentary="")
    response = http(alice_world.am).post(reverse("reporting:reports:publish", args=[report.pk]), follow=True)
    assert b"Write the commentary" in response.content
    report.refresh_from_db()
    assert report.status == Report.Status.BUILT


def test_staff_pdf_is_an_attachment(alice_world):
    metrics_for(company_of(alice_world))
    report = built_report(alice_world)
    response = http(alice_world.am).get(reverse("reporting:reports:pdf", args=[report.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;") and response.content[:4] == b"%PDF"


def test_pdf_of_an_unbuilt_report_redirects_with_a_message(alice_world):
    report = f.ReportFactory(client=company_of(alice_world))
    response = http(alice_world.am).get(reverse("reporting:reports:pdf", args=[report.pk]))
    assert response.status_code == 302


def test_another_am_does_not_see_the_clients_reports(alice_world):
    report = f.ReportFactory(client=company_of(alice_world))
    web = http(alice_world.am2)
    assert web.get(reverse("reporting:reports:detail", args=[report.pk])).status_code == 404
    assert web.get(reverse("reporting:reports:client_list", args=[report.client_id])).status_code == 404


def test_another_agencys_report_is_404(alice_world, bob_world):
    theirs = f.ReportFactory(client=company_of(bob_world))
    web = http(alice_world.director)
    for name in ("detail", "pdf"):
        assert web.get(reverse(f"reporting:reports:{name}", args=[theirs.pk])).status_code == 404
    for name in ("edit", "build", "publish"):
        assert web.post(reverse(f"reporting:reports:{name}", args=[theirs.pk])).status_code == 404


def test_client_login_is_sent_to_the_portal(alice_world):
    report = f.ReportFactory(client=company_of(alice_world))
    response = http(alice_world.client_contact).get(reverse("reporting:reports:detail", args=[report.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("portal:home")


def test_templates_list_and_edit_sections_order(alice_world, django_assert_max_num_queries):
    web = http(alice_world.director)
    web.get(reverse("reporting:reports:templates"))
    with django_assert_max_num_queries(12):
        response = web.get(reverse("reporting:reports:templates"))
    assert response.status_code == 200
    with scope(agency=alice_world.agency):
        default = ReportTemplate.objects.get(agency=alice_world.agency, is_default=True)
    url = reverse("reporting:reports:template_edit", args=[default.pk])
    assert web.get(url).status_code == 200
    response = web.post(url, {"name": "Коротко", "on_commentary": "on", "order_commentary": "1", "on_kpis": "on",
                              "order_kpis": "2"})
    assert response.status_code == 302
    default.refresh_from_db()
    assert default.sections == ["commentary", "kpis"] and default.name == "Коротко"
    response = web.post(url, {"name": "Пусто"})
    assert response.status_code == 422 and b"at least one section" in response.content


def test_client_template_is_created_then_used(alice_world):
    client = company_of(alice_world)
    web = http(alice_world.am)
    url = reverse("reporting:reports:template_client", args=[client.pk])
    assert web.get(url).status_code == 200
    assert web.post(url, {"name": "Для клиента", "on_kpis": "on", "order_kpis": "1"}).status_code == 302
    assert web.get(url).status_code == 302  # now it edits the existing one
    report = built_report(alice_world)
    assert report.snapshot["sections"] == ["kpis"]
    page = web.get(reverse("reporting:reports:detail", args=[report.pk]))
    assert b'id="report-kpis"' in page.content and b'id="report-channels"' not in page.content


def test_specialist_cannot_change_templates(alice_world):
    web = http(alice_world.specialist)
    with scope(agency=alice_world.agency):
        default = services.template_default(agency=alice_world.agency)
    assert web.get(reverse("reporting:reports:template_edit", args=[default.pk])).status_code == 403


def test_client_page_shows_the_reports_block(alice_world):
    client = company_of(alice_world)
    f.ReportFactory(client=client, title="Отчёт за октябрь")
    html = client_page(http(alice_world.am), client.pk)
    assert 'id="client-reports"' in html and "Отчёт за октябрь" in html
