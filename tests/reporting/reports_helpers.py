"""Builders shared by the client report tests: a client with metrics in October and September 2026 (the
previous period), a project with work done, and a built report."""
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings as django_settings
from django.utils import timezone
from django_scopes import scope

from projects.models import ProjectTask
from reporting.models import Report
from reporting.services import reports as services
from tests import factories as f
from tests.conftest import login

OCT = (date(2026, 10, 1), date(2026, 10, 31))


def http(membership, language: str = "en"):
    client = login(membership)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language
    return client


def company_of(world):
    return world.client_contact.contact.client


def metrics_for(client, *, days=((date(2026, 10, 3), 1000, "1500.50", 5), (date(2026, 10, 20), 3000, "2499.50", 15),
                                 (date(2026, 9, 10), 2000, "2000.00", 10))):
    source = f.DataSourceFactory(client=client, agency=client.agency)
    direct = f.CampaignFactory(source=source, name="Поиск — бренд", channel="yandex_direct")
    for day, impressions, cost, conv in days:
        f.DailyMetricFactory(source=source, campaign=direct, date=day, channel="yandex_direct",
                             impressions=impressions, clicks=impressions // 10, cost=Decimal(cost),
                             conversions=Decimal(conv), revenue=Decimal(cost) * 3)
    vk = f.CampaignFactory(source=source, name="VK — лид-формы", channel="vk_ads")
    f.DailyMetricFactory(source=source, campaign=vk, date=date(2026, 10, 5), channel="vk_ads", impressions=500,
                         clicks=20, cost=Decimal("1000.00"), conversions=Decimal(2), revenue=Decimal(0))
    return source


def project_for(client, **kwargs):
    project = f.ProjectFactory(agency=client.agency, client=client, **kwargs)
    f.ProjectTaskFactory(project=project, status=ProjectTask.Status.DONE, client_visible=True,
                         title="Запуск кампаний", completed_at=timezone.make_aware(datetime(2026, 10, 12, 12)))
    f.ProjectTaskFactory(project=project, status=ProjectTask.Status.DONE, client_visible=False,
                         title="Внутренняя задача", completed_at=timezone.make_aware(datetime(2026, 10, 13, 12)))
    f.ProjectTaskFactory(project=project, status=ProjectTask.Status.TODO)
    f.MilestoneFactory(project=project, title="Отчёт за квартал", due_date=date(2026, 11, 15))
    return project


def built_report(world, *, client=None, publish=False, captured=None) -> Report:
    """A report of October built in-process (the build job run eagerly)."""
    client = client or company_of(world)
    with scope(agency=world.agency):
        report = services.report_create(agency=world.agency, actor=world.am.user, client=client,
                                        date_from=OCT[0], date_to=OCT[1])
        job = services.report_build_start(agency=world.agency, actor=world.am.user, report=report)
        from reporting.tasks_reports import report_build_task

        report_build_task.apply(kwargs={"agency_id": world.agency.pk, "job_id": str(job.pk)})
        report.refresh_from_db()
        if publish:
            services.report_publish(agency=world.agency, actor=world.am.user, report=report)
            from reporting.tasks_reports import report_publish_task

            report_publish_task.apply(kwargs={"agency_id": world.agency.pk, "report_id": str(report.pk)})
            report.refresh_from_db()
    return report
