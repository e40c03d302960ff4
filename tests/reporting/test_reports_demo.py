"""The demo seed gives each agency's client login a published report of last month, readable in the portal."""
import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from mrm.core.demo import AGENCIES
from mrm.tenancy.models import Agency, Membership, Role
from reporting.models import Report, ReportTemplate

from .reports_helpers import http


@pytest.mark.django_db
def test_seed_demo_publishes_a_report_for_the_demo_client():
    call_command("seed_demo", "--quiet")
    call_command("seed_demo", "--quiet")  # again: nothing doubled
    for demo in AGENCIES:
        agency = Agency.objects.get(slug=demo.slug)
        with scope(agency=agency):
            login = Membership.objects.select_related("user", "contact").get(agency=agency, role=Role.CLIENT)
            reports = Report.objects.filter(agency=agency, client_id=login.contact.client_id,
                                            status=Report.Status.PUBLISHED)
            assert reports.count() == 1
            report = reports.get()
            assert report.snapshot["sections"] and report.commentary
            assert ReportTemplate.objects.filter(agency=agency, is_default=True).count() == 1
        assert report.snapshot["has_data"]  # the seeded metrics: real figures
        web = http(login)
        page = web.get(reverse("portal:report", args=[report.pk]))
        assert page.status_code == 200 and b'id="report-document"' in page.content
        assert web.get(reverse("portal:report_pdf", args=[report.pk])).content[:4] == b"%PDF"
        # The year of rated monthly reports (dashboards.demo): the director's report-quality tile has a value and a
        # trend for the year, and the rated reports are real, readable ones.
        with scope(agency=agency):
            from dashboards import board
            from dashboards.periods import Period

            director = Membership.objects.filter(agency=agency, role=Role.DIRECTOR).select_related("agency").first()
            tile = next(t for t in board.kpi_board(agency=agency, membership=director,
                                                   period=Period.containing("quarter", timezone.localdate()))
                        if t.metric == "reports")
            rated = Report.objects.filter(agency=agency, ratings__isnull=False).distinct()
            assert rated.count() >= 24 and all(r.snapshot.get("sections") for r in rated[:5])
        assert tile.value is not None and 1 <= tile.value <= 5 and tile.facts["count"] >= 4
        assert sum(1 for _, value in tile.trend if value is not None) >= 4  # a year of quarters
