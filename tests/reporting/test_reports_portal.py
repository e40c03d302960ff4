"""Client reports in the portal: the company's published reports only (drafts and built reports never show),
the web version, the PDF download, the rating (one per contact, changeable); another company's and another
agency's report answer 404; constant queries."""
import io

import pytest
from django.urls import reverse
from django_scopes import scope

from reporting.models import Report, ReportRating
from tests import factories as f
from tests.money import number_in

from .reports_helpers import built_report, company_of, http, metrics_for, project_for

pytestmark = pytest.mark.django_db


def test_list_shows_published_reports_of_the_company_only(alice_world, django_assert_max_num_queries):
    mine = built_report(alice_world, publish=True)
    draft = f.ReportFactory(client=company_of(alice_world), title="Черновик")
    built = built_report(alice_world)
    other = built_report(alice_world, client=f.ClientFactory(agency=alice_world.agency), publish=True)
    web = http(alice_world.client_contact)
    url = reverse("portal:reports")
    web.get(url)
    with django_assert_max_num_queries(14):
        response = web.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert str(mine.pk) in body
    assert str(draft.pk) not in body and str(built.pk) not in body and str(other.pk) not in body
    for _n in range(3):
        built_report(alice_world, publish=True)
    with django_assert_max_num_queries(14):
        assert web.get(url).status_code == 200


def test_read_in_the_browser_and_download_the_pdf(alice_world):
    from pypdf import PdfReader

    metrics_for(company_of(alice_world))
    project_for(company_of(alice_world))
    report = built_report(alice_world, publish=True)
    web = http(alice_world.client_contact, "ru")  # the PDF is rendered in Russian: compare like with like
    page = web.get(reverse("portal:report", args=[report.pk]))
    assert page.status_code == 200 and b'id="report-document"' in page.content and b"<svg" in page.content
    assert b'id="report-rate"' in page.content
    web_text = page.content.decode().replace("\u202f", " ").replace("\u00a0", " ")
    response = web.get(reverse("portal:report_pdf", args=[report.pk]))
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment;")
    pdf_text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    pdf_text = pdf_text.replace("\u202f", " ").replace("\u00a0", " ")
    # The totals of the web version are the PDF's: cost, impressions, clicks.
    for figure in ("5 000 ₽", "4 500", "420"):
        assert figure in web_text and figure in pdf_text, figure


def test_rate_then_change_the_rating(alice_world):
    report = built_report(alice_world, publish=True)
    web = http(alice_world.client_contact)
    url = reverse("portal:report_rate", args=[report.pk])
    assert web.post(url, {"score": "3", "comment": "Мало деталей"}).status_code == 302
    assert web.post(url, {"score": "5", "comment": "Теперь понятно"}).status_code == 302
    with scope(agency=alice_world.agency):
        ratings = list(ReportRating.objects.filter(agency=alice_world.agency, report=report))
    assert len(ratings) == 1 and ratings[0].score == 5 and ratings[0].comment == "Теперь понятно"
    assert ratings[0].contact == alice_world.client_contact.contact
    page = web.get(reverse("portal:reports"))
    assert b"5/5" in page.content
    staff = http(alice_world.am).get(reverse("reporting:reports:detail", args=[report.pk]))
    assert "Теперь понятно".encode() in staff.content


def test_bad_rating_is_refused_in_place(alice_world):
    report = built_report(alice_world, publish=True)
    web = http(alice_world.client_contact)
    response = web.post(reverse("portal:report_rate", args=[report.pk]), {"score": "9"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    with scope(agency=alice_world.agency):
        assert not ReportRating.objects.filter(agency=alice_world.agency).exists()


@pytest.mark.parametrize("route", ["portal:report", "portal:report_pdf", "portal:report_rate"])
def test_draft_other_company_and_other_agency_are_404(alice_world, bob_world, route):
    draft = built_report(alice_world)  # built, not published
    other_company = built_report(alice_world, client=f.ClientFactory(agency=alice_world.agency), publish=True)
    other_agency = built_report(bob_world, publish=True)
    web = http(alice_world.client_contact)
    for report in (draft, other_company, other_agency):
        if route.endswith("rate"):
            response = web.post(reverse(route, args=[report.pk]), {"score": "5"})
        else:
            response = web.get(reverse(route, args=[report.pk]))
        assert response.status_code == 404, (route, report.status)


def test_staff_login_is_turned_away_from_the_portal_reports(alice_world):
    report = built_report(alice_world, publish=True)
    assert http(alice_world.am).get(reverse("portal:report", args=[report.pk])).status_code in (302, 403)


def test_portal_nav_has_reports(alice_world):
    response = http(alice_world.client_contact).get(reverse("portal:home"))
    assert reverse("portal:reports").encode() in response.content


def test_published_report_stays_the_same_after_a_reimport(alice_world):
    client = company_of(alice_world)
    metrics_for(client)
    report = built_report(alice_world, publish=True)
    from reporting.models import DailyMetric

    with scope(agency=alice_world.agency):
        DailyMetric.objects.filter(agency=alice_world.agency, client=client).delete()
    page = http(alice_world.client_contact).get(reverse("portal:report", args=[report.pk]))
    assert number_in(page, 5000).encode() in page.content
    assert Report.objects.model is Report
