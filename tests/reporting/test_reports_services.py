"""Client reports, the service side: templates, periods, the build (snapshot, commentary, PDF), the frozen
snapshot, publishing (notifications, e-mail, once), ratings."""
import io
from datetime import date
from decimal import Decimal

import pytest
from django.core import mail
from django.template.loader import render_to_string
from django.utils import translation
from django_scopes import scope

from mrm.core.errors import ServiceError
from mrm.jobs.models import Job
from mrm.notifications.models import Notification
from reporting.models import Report, ReportRating, ReportTemplate
from reporting.report_models import DEFAULT_SECTIONS
from reporting.services import reports as services
from tests import factories as f

from .reports_helpers import OCT, built_report, company_of, metrics_for, project_for

pytestmark = pytest.mark.django_db


def test_template_default_is_created_once_per_agency(alice_world, bob_world):
    with scope(agency=alice_world.agency):
        first = services.template_default(agency=alice_world.agency)
        assert services.template_default(agency=alice_world.agency) == first
        assert first.sections == DEFAULT_SECTIONS and first.is_default
    with scope(agency=bob_world.agency):
        assert services.template_default(agency=bob_world.agency) != first


def test_template_for_client_prefers_the_client_override(alice_world):
    client = company_of(alice_world)
    with scope(agency=alice_world.agency):
        own = services.template_save(agency=alice_world.agency, actor=alice_world.am.user, name="Своё",
                                     sections=["commentary", "kpis", "nope", "kpis"], client=client)
        assert own.sections == ["commentary", "kpis"]
        assert services.template_for_client(agency=alice_world.agency, client=client) == own
        with pytest.raises(ServiceError):
            services.template_save(agency=alice_world.agency, actor=alice_world.am.user, name="Второе",
                                   sections=["kpis"], client=client)
        with pytest.raises(ServiceError):
            services.template_save(agency=alice_world.agency, actor=alice_world.am.user, name="Пусто", sections=[])


def test_period_presets():
    assert services.period_preset("last_month", today=date(2026, 11, 14)) == (date(2026, 10, 1), date(2026, 10, 31))
    assert services.period_preset("last_month", today=date(2026, 1, 3)) == (date(2025, 12, 1), date(2025, 12, 31))
    assert services.period_preset("last_week", today=date(2026, 11, 11)) == (date(2026, 11, 2), date(2026, 11, 8))
    assert services.previous_period(*OCT) == (date(2026, 9, 1), date(2026, 9, 30))
    assert services.previous_period(date(2026, 11, 2), date(2026, 11, 8)) == (date(2026, 10, 26), date(2026, 11, 1))


def test_report_create_refuses_a_bad_period_and_a_foreign_template(alice_world):
    client = company_of(alice_world)
    other = f.ClientFactory(agency=alice_world.agency)
    with scope(agency=alice_world.agency):
        with pytest.raises(ServiceError):
            services.report_create(agency=alice_world.agency, actor=alice_world.am.user, client=client,
                                   date_from=date(2026, 10, 31), date_to=date(2026, 10, 1))
        theirs = services.template_save(agency=alice_world.agency, actor=alice_world.am.user, name="x",
                                        sections=["kpis"], client=other)
        with pytest.raises(ServiceError):
            services.report_create(agency=alice_world.agency, actor=alice_world.am.user, client=client,
                                   date_from=OCT[0], date_to=OCT[1], template=theirs)
        with pytest.raises(ServiceError):
            services.report_create(agency=alice_world.agency, actor=alice_world.am.user, client=client,
                                   date_from=OCT[0], date_to=OCT[1], plan={"cost": "-5"})


def test_build_freezes_the_numbers_and_drafts_commentary_without_ai(alice_world, settings):
    settings.OPENAI_API_KEY = ""
    client = company_of(alice_world)
    metrics_for(client)
    project_for(client)
    report = built_report(alice_world)
    assert report.status == Report.Status.BUILT and report.pdf_file
    snap = report.snapshot
    assert snap["totals"]["cost"] == "5000.00"  # 1500.50 + 2499.50 + 1000 (October only)
    assert snap["previous"]["cost"] == "2000.00"
    assert [r["channel"] for r in snap["by_channel"]] == ["yandex_direct", "vk_ads"]
    assert snap["work"]["tasks_done"] == 2
    assert [t["title"] for t in snap["work"]["tasks"]] == ["Запуск кампаний"]  # internal titles stay internal
    assert snap["projects"][0]["progress"] == 67 and snap["projects"][0]["next_milestone"] == "Отчёт за квартал"
    assert report.commentary_drafter == Report.Drafter.RULES
    assert "without AI" in report.commentary or "без ИИ" in report.commentary
    with scope(agency=alice_world.agency):
        assert Job.objects.get(pk=report.job_id).status == Job.Status.SUCCEEDED
        # Re-imported figures do not change the built report.
        from reporting.models import DailyMetric

        DailyMetric.objects.filter(agency=alice_world.agency, client=client).update(cost=Decimal("1.00"))
        report.refresh_from_db()
    assert report.snapshot["totals"]["cost"] == "5000.00"


def test_build_with_the_ai_gateway(alice_world, fake_openai):
    fake_openai.reply_json({"commentary": "Расход вырос, заявок стало больше.", "next_steps": "Расширить бренд"})
    metrics_for(company_of(alice_world))
    report = built_report(alice_world)
    assert report.commentary == "Расход вырос, заявок стало больше."
    assert report.next_steps == "Расширить бренд"
    assert report.commentary_drafter == Report.Drafter.AI
    sent = fake_openai.requests[-1]
    assert "5000.00" in str(sent["body"]["messages"][1]["content"])


def test_build_falls_back_to_rules_when_the_ai_fails(alice_world, fake_openai):
    fake_openai.reply_status(500)
    metrics_for(company_of(alice_world))
    with translation.override("en"):  # the job's message is written in the language active when it runs
        report = built_report(alice_world)
    assert report.status == Report.Status.BUILT and report.commentary_drafter == Report.Drafter.RULES
    with scope(agency=alice_world.agency):
        assert "without AI" in Job.objects.get(pk=report.job_id).message


def test_build_redelivered_does_nothing_twice(alice_world):
    metrics_for(company_of(alice_world))
    report = built_report(alice_world)
    from reporting.tasks_reports import report_build_task

    built_at = report.built_at
    report_build_task.apply(kwargs={"agency_id": alice_world.agency.pk, "job_id": str(report.job_id)})
    report.refresh_from_db()
    assert report.built_at == built_at


def test_a_client_without_figures_builds_an_honest_report(alice_world):
    report = built_report(alice_world)
    assert report.snapshot["has_data"] is False and report.snapshot["by_channel"] == []
    assert "no advertising figures" in report.commentary or "нет" in report.commentary


def test_pdf_text_has_the_web_views_totals(alice_world):
    from pypdf import PdfReader

    metrics_for(company_of(alice_world))
    project_for(company_of(alice_world))
    report = built_report(alice_world)
    with scope(agency=alice_world.agency):
        content = services.report_pdf(report=report)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    flat = text.replace("\u202f", " ").replace("\u00a0", " ")
    assert "5 000 ₽" in flat  # total cost, as the web view prints it (money filter)
    assert "Поиск — бренд" in flat and "Отчёт за квартал" in flat


def test_editing_texts_refuses_after_publishing_and_publish_needs_a_build(alice_world):
    with scope(agency=alice_world.agency):
        draft = services.report_create(agency=alice_world.agency, actor=alice_world.am.user,
                                       client=company_of(alice_world), date_from=OCT[0], date_to=OCT[1])
        with pytest.raises(ServiceError):
            services.report_publish(agency=alice_world.agency, actor=alice_world.am.user, report=draft)
    report = built_report(alice_world, publish=True)
    assert report.is_published
    with scope(agency=alice_world.agency), pytest.raises(ServiceError):
        services.report_update(agency=alice_world.agency, actor=alice_world.am.user, report=report,
                               commentary="x", next_steps="")
    with scope(agency=alice_world.agency), pytest.raises(ServiceError):
        services.report_build_start(agency=alice_world.agency, actor=alice_world.am.user, report=report)


def test_publish_notifies_logins_and_emails_other_contacts_once(alice_world):
    client = company_of(alice_world)
    f.ContactFactory(client=client, email="cfo@client.test", full_name="Финансовый директор")
    f.ContactFactory(client=client, email="", full_name="Без почты")
    mail.outbox.clear()
    report = built_report(alice_world, publish=True)
    assert report.notified_at is not None
    with scope(agency=alice_world.agency):
        notes = Notification.objects.filter(agency=alice_world.agency, kind="report.published")
        assert [n.recipient for n in notes] == [alice_world.client_contact.user]
        from reporting.tasks_reports import report_publish_task

        report_publish_task.apply(kwargs={"agency_id": alice_world.agency.pk, "report_id": str(report.pk)})
        assert notes.count() == 1
    direct = [m for m in mail.outbox if m.to == ["cfo@client.test"]]
    assert len(direct) == 1 and str(report.pk) in direct[0].body


def test_rating_is_one_per_contact_and_changeable(alice_world):
    report = built_report(alice_world, publish=True)
    contact = alice_world.client_contact.contact
    with scope(agency=alice_world.agency):
        services.report_rate(agency=alice_world.agency, contact=contact, report=report, score=3, comment="ok")
        services.report_rate(agency=alice_world.agency, contact=contact, report=report, score=5, comment="")
        assert ReportRating.objects.filter(agency=alice_world.agency, report=report).count() == 1
        rating = ReportRating.objects.get(agency=alice_world.agency, report=report)
        assert rating.score == 5 and rating.updated_at >= rating.created_at
        for bad in (0, 6, "x"):
            with pytest.raises(ServiceError):
                services.report_rate(agency=alice_world.agency, contact=contact, report=report, score=bad)
        assert services.report_quality(agency=alice_world.agency) == {"average": 5.0, "count": 1}


def test_rating_refuses_a_draft_and_another_company(alice_world):
    with scope(agency=alice_world.agency):
        draft = services.report_create(agency=alice_world.agency, actor=alice_world.am.user,
                                       client=company_of(alice_world), date_from=OCT[0], date_to=OCT[1])
        with pytest.raises(ServiceError):
            services.report_rate(agency=alice_world.agency, contact=alice_world.client_contact.contact,
                                 report=draft, score=4)
    other = built_report(alice_world, client=f.ClientFactory(agency=alice_world.agency), publish=True)
    with scope(agency=alice_world.agency), pytest.raises(ServiceError):
        services.report_rate(agency=alice_world.agency, contact=alice_world.client_contact.contact,
                             report=other, score=4)


def test_template_model_constraints(alice_world):
    with scope(agency=alice_world.agency):
        services.template_default(agency=alice_world.agency)
        assert ReportTemplate.objects.filter(agency=alice_world.agency, is_default=True).count() == 1


def test_a_day_read_before_it_was_over_is_marked_partial_in_the_report(alice_world):
    """The latest finished sync of a source read 20 Oct before it was over: the report of October says its
    figures from that day on are partial, in the web view and in the PDF; a source whose latest sync is
    complete (an older partial read superseded) marks nothing."""
    from pypdf import PdfReader

    from reporting.sync_models import SourceSync

    source = metrics_for(company_of(alice_world))
    other = f.DataSourceFactory(client=company_of(alice_world), agency=alice_world.agency)
    with scope(agency=alice_world.agency):
        SourceSync.objects.create(agency=alice_world.agency, source=other, status="done", date_from=date(2026, 10, 1),
                                  date_to=date(2026, 10, 5), partial_from=date(2026, 10, 5))
        SourceSync.objects.create(agency=alice_world.agency, source=other, status="done", date_from=date(2026, 10, 1),
                                  date_to=date(2026, 10, 31))
        assert built_report(alice_world).snapshot["partial_from"] == ""
        SourceSync.objects.create(agency=alice_world.agency, source=source, status="done",
                                  date_from=date(2026, 10, 14), date_to=date(2026, 10, 20),
                                  partial_from=date(2026, 10, 20))
    report = built_report(alice_world)
    assert report.snapshot["partial_from"] == "2026-10-20"
    with translation.override("en"), scope(agency=alice_world.agency):
        html = render_to_string("reporting/reports/_document.html", services.document_context(report=report))
        content = services.render_report_pdf(agency=alice_world.agency, report=report, language="en")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    assert "20.10.2026 on are partial" in " ".join(text.split())
    assert 'id="report-partial"' in html and "Figures from 20.10.2026 on are partial" in html
