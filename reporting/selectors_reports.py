"""Reads of client reports for staff: the reports and templates of the clients a member may see (the CRM's
client visibility; another agency's or an unseen client's report answers 404)."""
from django.db.models import Avg, Count, QuerySet
from django.http import Http404

from clients.selectors import client_visibility_q
from mrm.tenancy.fences import refuse_client
from mrm.tenancy.models import Agency, Membership

from .report_models import Report, ReportRating, ReportTemplate


def report_list(*, agency: Agency, membership: Membership, client=None) -> QuerySet[Report]:
    refuse_client(membership)
    qs = Report.objects.filter(agency=agency).filter(client_visibility_q(membership=membership, prefix="client__"))
    if client is not None:
        qs = qs.filter(client=client)
    return qs.select_related("client", "template", "job").annotate(
        rating_avg=Avg("ratings__score"), rating_count=Count("ratings")).order_by("-date_to", "-created_at")


def report_get(*, agency: Agency, membership: Membership, report_id) -> Report:
    refuse_client(membership)
    report = (Report.objects.filter(agency=agency, pk=report_id)
              .filter(client_visibility_q(membership=membership, prefix="client__"))
              .select_related("client", "template", "job", "agency", "published_by").first())
    if report is None:
        raise Http404
    return report


def report_ratings(*, agency: Agency, report: Report) -> QuerySet[ReportRating]:
    return ReportRating.objects.filter(agency=agency, report=report).select_related("contact").order_by("-updated_at")


def template_list(*, agency: Agency, membership: Membership, client=None) -> QuerySet[ReportTemplate]:
    """The agency's templates (the default and the overrides of clients the member sees); with `client`: the
    templates that client's report may use (agency-wide ones and its own)."""
    refuse_client(membership)
    from django.db.models import Q

    qs = ReportTemplate.objects.filter(agency=agency)
    if client is not None:
        return qs.filter(Q(client__isnull=True) | Q(client=client)).select_related("client")
    return qs.filter(Q(client__isnull=True) | client_visibility_q(membership=membership, prefix="client__")
                     ).select_related("client")


def template_get(*, agency: Agency, membership: Membership, template_id) -> ReportTemplate:
    template = template_list(agency=agency, membership=membership).filter(pk=template_id).first()
    if template is None:
        raise Http404
    return template


def report_latest(*, agency: Agency, membership: Membership, client, limit: int = 5) -> list[Report]:
    """The client's latest reports for the client page's block (one query)."""
    refuse_client(membership)
    return list(Report.objects.filter(agency=agency, client=client)
                .filter(client_visibility_q(membership=membership, prefix="client__"))
                .only("id", "title", "status", "date_to", "client_id").order_by("-date_to", "-created_at")[:limit])


def schedule_of(*, agency: Agency, client):
    from .report_models import ReportSchedule

    return ReportSchedule.objects.filter(agency=agency, client=client).first()


def report_builds(*, agency: Agency, report: Report):
    """The report's builds, newest first: the `report.build` jobs started for it (the report keeps the latest)."""
    from mrm.jobs.models import Job

    return Job.objects.filter(agency=agency, kind="report.build", params__report_id=str(report.pk)).order_by(
        "-created_at")
