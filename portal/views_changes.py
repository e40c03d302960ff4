"""The client's side of change requests: the requests sent to their company, to read (no internal cost) and to
approve or decline. A request of another company or another agency answers 404 (portal selectors)."""
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mrm.core.errors import ServiceError
from mrm.core.forms import add_service_error
from mrm.core.htmx import render_form
from mrm.core.pagination import CappedPaginator
from mrm.tenancy.context import client_ip
from mrm.tenancy.permissions import member_required
from portal.selectors.changes import portal_change_request_get, portal_change_request_list
from projects.forms_changes import PortalDecisionForm
from projects.models import ChangeRequest
from projects.services.changes import change_request_decide


@member_required("portal.view")
def change_list_view(request):
    qs = portal_change_request_list(agency=request.agency, membership=request.membership)
    page = CappedPaginator(qs, 20).get_page(request.GET.get("page"))
    return render(request, "portal/change_list.html", {"page": page})


def _detail(request, change_request: ChangeRequest, form: PortalDecisionForm | None = None, *, invalid=False):
    if form is None:
        form = PortalDecisionForm(initial={"content_hash": change_request.content_hash})
    return render_form(request, "portal/change_detail.html", {
        "cr": change_request, "doc": change_request.snapshot, "form": form,
        "can_decide": change_request.status == ChangeRequest.Status.SENT,
    }, invalid=invalid)


@member_required("portal.view")
def change_detail_view(request, change_request_id):
    change_request = portal_change_request_get(agency=request.agency, membership=request.membership,
                                               change_request_id=change_request_id)
    return _detail(request, change_request)


@require_POST
@member_required("portal.view")
def change_decide_view(request, change_request_id):
    """Approve (the confirmation box ticked) or decline (with a note) the exact text shown: its hash comes back."""
    change_request = portal_change_request_get(agency=request.agency, membership=request.membership,
                                               change_request_id=change_request_id)
    form = PortalDecisionForm(request.POST)
    if form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        try:
            change_request_decide(
                agency=request.agency, actor=request.user, change_request=change_request, approve=approve,
                content_hash=form.cleaned_data["content_hash"], note=form.cleaned_data["note"],
                via=ChangeRequest.DecidedVia.PORTAL, contact=request.membership.contact, ip=client_ip(request))
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Thank you: the change is approved and your agency starts on it.") if approve
                             else _("Thank you: your agency will get back to you."))
            return redirect("portal:change_detail", change_request_id=change_request.pk)
        change_request.refresh_from_db()
    return _detail(request, change_request, form, invalid=True)
