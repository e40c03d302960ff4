"""Client reports in the portal: only the PUBLISHED reports of the client login's company (a draft or a built
report being reviewed does not exist for the client; another company's or agency's report answers 404), and the
login's own rating of each."""
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import Http404

from clients.models import Contact
from mrm.tenancy.models import Agency, Membership
from reporting.models import Report, ReportRating

from . import portal_fence


def portal_report_list(*, agency: Agency, membership: Membership) -> QuerySet[Report]:
    """Published reports of the company, newest period first, with the login's own score (`my_score`)."""
    mine = ReportRating.objects.filter(agency=agency, report=OuterRef("pk"), contact_id=membership.contact_id)
    return (portal_fence(Report.objects.all(), agency=agency, membership=membership)
            .filter(status=Report.Status.PUBLISHED)
            .only("id", "title", "date_from", "date_to", "published_at", "status", "client_id", "agency_id")
            .annotate(my_score=Subquery(mine.values("score")[:1]))
            .order_by("-date_to", "-published_at"))


def portal_report_get(*, agency: Agency, membership: Membership, report_id) -> Report:
    report = (portal_fence(Report.objects.all(), agency=agency, membership=membership)
              .filter(status=Report.Status.PUBLISHED, pk=report_id).select_related("agency", "client").first())
    if report is None:
        raise Http404
    return report


def portal_rating(*, agency: Agency, membership: Membership, report: Report) -> ReportRating | None:
    return ReportRating.objects.filter(agency=agency, report=report, contact_id=membership.contact_id).first()


def portal_report_contact(*, agency: Agency, membership: Membership, report: Report) -> Contact:
    """The login's contact, of the report's company (else 404)."""
    contact = Contact.objects.filter(agency=agency, pk=membership.contact_id, client_id=report.client_id).first()
    if contact is None:
        raise Http404
    return contact
