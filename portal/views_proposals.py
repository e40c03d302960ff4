"""The client's side of proposals (КП): every proposal sent to their company, its web version (the same
document as the personal link), its PDF, the history of versions sent, and the same deliberate answer as the
link (typed name, "I accept" box, the version's hash). Another company's, another agency's or a never-sent
proposal answers 404 (portal selectors)."""
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from mrm.core.errors import ServiceError
from mrm.core.htmx import render_form
from mrm.core.pagination import CappedPaginator
from mrm.tenancy.context import client_ip
from mrm.tenancy.permissions import member_required
from proposals import public
from proposals.models import Proposal, Via
from proposals.services import documents, renewal, tracking

from .forms_proposals import PortalDecisionForm
from .selectors import proposals as sel


def _ua(request) -> str:
    return request.META.get("HTTP_USER_AGENT", "")[:300]


@member_required("portal.view")
def proposal_list_view(request):
    """"Proposals and changes": the company's proposals (paginated) and the change requests waiting for it."""
    qs = sel.portal_proposal_list(agency=request.agency, membership=request.membership)
    page = CappedPaginator(qs, 20).get_page(request.GET.get("page"))
    rows = sel.portal_proposal_rows(agency=request.agency, proposals=page.object_list)
    changes = sel.portal_changes_waiting(agency=request.agency, membership=request.membership)
    return render(request, "portal/proposal_list.html", {"page": page, "rows": rows, "changes": changes})


def _detail(request, proposal: Proposal, *, form: PortalDecisionForm | None = None, invalid: bool = False, event=None,
            recipient=None, chosen=()):
    agency = request.agency
    version = sel.portal_version_get(agency=agency, proposal=proposal)
    if recipient is None:
        recipient = sel.portal_recipient(agency=agency, membership=request.membership, version=version)
    ctx = documents.document_context(snapshot=version.snapshot, for_pdf=False, version=version.number)
    decision = sel.portal_decision(agency=agency, proposal=proposal)
    row = sel.portal_proposal_rows(agency=agency, proposals=[proposal])[0]
    ctx.update(documents.choice_context(snapshot=version.snapshot, chosen=chosen))
    ctx.update({
        "choose_options": proposal.status == Proposal.Status.SENT and decision is None,
        "options_url": reverse("portal:proposal_options", args=[proposal.pk]),
        "proposal": proposal, "row": row, "current": version, "decision": decision,
        "versions": sel.portal_proposal_versions(agency=agency, proposal=proposal),
        "can_decide": proposal.status == Proposal.Status.SENT,
        "expired": renewal.version_expired(agency=agency, version=version),
        "valid_until_date": renewal.version_valid_until(version=version),
        # The name is typed by the contact, never prefilled: accepting must be a deliberate act.
        "form": form or PortalDecisionForm(initial={"version_hash": version.content_hash}),
        "version_hash": version.content_hash,
        "decide_url": reverse("portal:proposal_decide", args=[proposal.pk]),
        "event": event, "recipient": recipient,
        # Time on the page goes to the contact's own link's counters, through that link's beacon.
        "beacon_url": reverse("proposals_public:webview_beacon", args=[public.link_token(recipient=recipient)])
        if event is not None and recipient is not None else "",
    })
    return render_form(request, "portal/proposal_detail.html", ctx, invalid=invalid)


@never_cache
@member_required("portal.view")
def proposal_detail_view(request, proposal_id):
    """The web version of the latest version sent. Opening it counts as an open of the contact's own personal
    link to that version (when it was e-mailed to them), marked as read in the portal."""
    proposal = sel.portal_proposal_get(agency=request.agency, membership=request.membership, proposal_id=proposal_id)
    event = recipient = None
    if request.GET.get("answered") != "1":  # the redirect right after answering is not a new visit
        version = sel.portal_version_get(agency=request.agency, proposal=proposal)
        recipient = sel.portal_recipient(agency=request.agency, membership=request.membership, version=version)
        if recipient is not None:
            event = tracking.record_open(agency=request.agency, recipient=recipient, ip=client_ip(request),
                                         user_agent=_ua(request), via=Via.PORTAL)
    return _detail(request, proposal, event=event, recipient=recipient)


@never_cache
@member_required("portal.view")
def proposal_pdf_view(request, proposal_id, version_id):
    """The PDF of one version sent to the company (rendered once per version and kept), as a download."""
    proposal = sel.portal_proposal_get(agency=request.agency, membership=request.membership, proposal_id=proposal_id)
    version = sel.portal_version_get(agency=request.agency, proposal=proposal, version_id=version_id)
    recipient = sel.portal_recipient(agency=request.agency, membership=request.membership, version=version)
    if recipient is not None:
        tracking.record_download(agency=request.agency, recipient=recipient, ip=client_ip(request),
                                 user_agent=_ua(request), via=Via.PORTAL)
    content = documents.version_pdf(version=version)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="proposal-v{version.number}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
@member_required("portal.view")
def proposal_options_view(request, proposal_id):
    """The contact switches an optional item on or off: the totals of that choice from the latest version sent
    (server-side, HTMX partial that also updates the acceptance summary). Stored only with the acceptance."""
    proposal = sel.portal_proposal_get(agency=request.agency, membership=request.membership, proposal_id=proposal_id)
    version = sel.portal_version_get(agency=request.agency, proposal=proposal)
    ctx = {"doc": version.snapshot, "oob": True,
           **documents.choice_context(snapshot=version.snapshot, chosen=request.POST.getlist("options"))}
    return render(request, "proposals/public/_choice_totals.html", ctx)


@require_POST
@member_required("portal.view")
def proposal_decide_view(request, proposal_id):
    """Accept (full name typed, box ticked) or decline (name and a reason) the version whose hash the page
    showed; a newer version or a changed text is refused in place (422) with what to do."""
    proposal = sel.portal_proposal_get(agency=request.agency, membership=request.membership, proposal_id=proposal_id)
    form = PortalDecisionForm(request.POST)
    if form.is_valid():
        accept = form.cleaned_data["decision"] == "accept"
        try:
            tracking.proposal_decide_portal(
                agency=request.agency, proposal=proposal,
                contact=sel.portal_contact(agency=request.agency, membership=request.membership), accept=accept,
                signed_name=form.cleaned_data["signed_name"], comment=form.cleaned_data["comment"],
                version_hash=form.cleaned_data["version_hash"], ip=client_ip(request), user_agent=_ua(request),
                options=request.POST.getlist("options"))
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            if exc.code in ("stale", "hash"):
                # The page now shows another text: the "I accept" box must be ticked again, for that text.
                data = request.POST.copy()
                data.pop("accept_terms", None)
                form.data = data
        else:
            messages.success(request, _("Thank you: the proposal is accepted and your agency will be in touch to "
                                        "start.") if accept else _("Thank you: your agency has your answer."))
            return redirect(reverse("portal:proposal", args=[proposal.pk]) + "?answered=1")
        proposal = sel.portal_proposal_get(agency=request.agency, membership=request.membership,
                                           proposal_id=proposal_id)
    # The form keeps what was typed but shows (and posts) the hash of the version it was filled in for.
    return _detail(request, proposal, form=form, invalid=True, chosen=request.POST.getlist("options"))


@require_POST
@member_required("portal.view")
def proposal_renewal_view(request, proposal_id):
    """"Ask for a new version" of an expired proposal, through the contact's own personal link to it (the AM gets
    a task and an e-mail, once per link) — the same request as from the link."""
    proposal = sel.portal_proposal_get(agency=request.agency, membership=request.membership, proposal_id=proposal_id)
    version = sel.portal_version_get(agency=request.agency, proposal=proposal)
    recipient = sel.portal_recipient(agency=request.agency, membership=request.membership, version=version)
    if recipient is None:
        messages.error(request, _("This version was not e-mailed to you: write to your account manager instead."))
        return redirect("portal:proposal", proposal_id=proposal.pk)
    try:
        renewal.proposal_renewal_request(agency=request.agency, recipient=recipient, ip=client_ip(request),
                                         user_agent=_ua(request))
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Your agency will send you a new version."))
    return redirect(reverse("portal:proposal", args=[proposal.pk]) + "?answered=1")
