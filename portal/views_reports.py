"""The client's reports in the portal: the company's published reports, one read in the browser, its PDF
(as a download) and the contact's rating (1–5 with a comment; one per contact and report, changeable)."""
from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from mrm.core.errors import ServiceError
from mrm.core.forms import add_service_error
from mrm.core.htmx import render_form
from mrm.core.pagination import CappedPaginator
from mrm.tenancy.permissions import member_required
from reporting.forms_reports import RatingForm
from reporting.services import reports as report_services
from reporting.views_reports import pdf_response

from .selectors import reports as sel


@member_required("portal.view")
def report_list_view(request):
    qs = sel.portal_report_list(agency=request.agency, membership=request.membership)
    page = CappedPaginator(qs, 20).get_page(request.GET.get("page"))
    return render_form(request, "portal/reports/report_list.html", {"page": page}, invalid=False)


def _detail(request, report, *, form=None, invalid=False):
    rating = sel.portal_rating(agency=request.agency, membership=request.membership, report=report)
    if form is None:
        form = RatingForm(initial={"score": rating.score, "comment": rating.comment} if rating else None)
    ctx = report_services.document_context(report=report)
    ctx.update({"report": report, "form": form, "rating": rating})
    return render_form(request, "portal/reports/report_detail.html", ctx, invalid=invalid)


@never_cache
@member_required("portal.view")
def report_detail_view(request, report_id):
    report = sel.portal_report_get(agency=request.agency, membership=request.membership, report_id=report_id)
    return _detail(request, report)


@never_cache
@member_required("portal.view")
def report_pdf_view(request, report_id):
    report = sel.portal_report_get(agency=request.agency, membership=request.membership, report_id=report_id)
    return pdf_response(report_services.report_pdf(report=report), report)


@require_POST
@member_required("portal.view")
def report_rate_view(request, report_id):
    report = sel.portal_report_get(agency=request.agency, membership=request.membership, report_id=report_id)
    contact = sel.portal_report_contact(agency=request.agency, membership=request.membership, report=report)
    form = RatingForm(request.POST)
    if form.is_valid():
        try:
            report_services.report_rate(agency=request.agency, contact=contact, report=report,
                                        score=form.cleaned_data["score"], comment=form.cleaned_data["comment"])
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Thank you for your rating."))
            return redirect("portal:report", report.pk)
    return _detail(request, report, form=form, invalid=True)
