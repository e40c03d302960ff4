"""Proposals inside the app: the list, the editor (cover, sections, estimate, team, cases, terms), PDF,
sending, tracking and versions. Every POST has a plain form action; HTMX swaps just the changed block."""
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Max, Q, Sum
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clients.models import Contact
from clients.selectors import client_list
from mrm.core.errors import ServiceError
from mrm.core.forms import add_service_error
from mrm.core.htmx import htmx_invalid, render_form
from mrm.jobs.models import Job
from mrm.tenancy.permissions import member_required
from mrm.tenancy.policy import can

from .. import selectors
from ..forms import (
    CasesForm,
    CoverForm,
    DiscountForm,
    LineAddForm,
    LineUpdateForm,
    ProposalCreateForm,
    SectionForm,
    SendForm,
    TeamAddForm,
    TermsForm,
)
from ..models import Proposal, ProposalVersion
from ..services import documents, editor, sending, tracking
from ..services.pricing import Totals

SORTS = ("-created_at", "created_at", "title", "-title", "-total", "total", "status", "-sent_at")


@member_required("proposal.view")
def proposal_list_view(request):
    qs = selectors.proposal_list(agency=request.agency, membership=request.membership).annotate(
        opens=Sum("recipients__open_count"), last_open=Max("recipients__last_opened_at"))
    q = request.GET.get("q", "").strip()
    status = request.GET.get("status", "")
    sort = request.GET.get("sort") if request.GET.get("sort") in SORTS else "-created_at"
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(client__name__icontains=q))
    if status in Proposal.Status.values:
        qs = qs.filter(status=status)
    page = Paginator(qs.order_by(sort, "pk"), 25).get_page(request.GET.get("page"))
    template = "proposals/proposal_list.html#results" if request.htmx and request.htmx.target == "results" else \
        "proposals/proposal_list.html"
    return render(request, template, {"page": page, "statuses": Proposal.Status.choices, "q": q,
                                      "status": status, "sort": sort})


@member_required("proposal.edit")
def proposal_create_view(request):
    clients = client_list(agency=request.agency, membership=request.membership).order_by("name")
    initial = {}
    if request.GET.get("client"):
        initial["client"] = clients.filter(pk=request.GET["client"]).first() if _uuid_ok(request.GET["client"]) \
            else None
    form = ProposalCreateForm(request.POST or None, clients=clients, initial=initial)
    if request.method == "POST" and form.is_valid():
        proposal = editor.proposal_create(agency=request.agency, actor=request.user,
                                          client=form.cleaned_data["client"], title=form.cleaned_data["title"])
        messages.success(request, _("Proposal created. Add sections and estimate lines."))
        return redirect("proposals:detail", proposal_id=proposal.pk)
    return render_form(request, "proposals/proposal_create.html", {"form": form}, invalid=bool(form.errors))


def _uuid_ok(raw) -> bool:
    import uuid

    try:
        uuid.UUID(str(raw))
    except ValueError:
        return False
    return True


def _get(request, proposal_id) -> Proposal:
    return selectors.proposal_get(agency=request.agency, membership=request.membership, proposal_id=proposal_id)


def _context(request, proposal: Proposal, **extra) -> dict:
    agency = request.agency
    content = selectors.proposal_content(proposal=proposal)
    totals: Totals = editor.totals_for(proposal=proposal, lines=content["lines"])
    stages: dict[str, list] = {}
    for line in content["lines"]:
        stages.setdefault(line.stage, []).append(line)
    stage_totals = {s.stage: s for s in totals.stages}
    editable = proposal.is_editable and can(request.membership, "proposal.edit")
    catalog = selectors.catalog_grouped(agency=agency, active_only=True)
    service_roles = {s.pk: list(s.roles.all()) for _v, _l, services in catalog for s in services}
    for line in content["lines"]:  # a time line's role is chosen among its service's roles
        line.role_choices = service_roles.get(line.service_id) or ([line.role] if line.role_id else [])
        line.role_in_choices = any(r.pk == line.role_id for r in line.role_choices)
    jobs = {j.kind: j for j in Job.objects.filter(agency=agency, kind="proposal.pdf",
                                                  params__proposal_id=str(proposal.pk)).order_by("-created_at")[:1]}
    ctx = {
        "proposal": proposal, "content": content, "totals": totals, "editable": editable,
        "stages": [(name, lines, stage_totals[name]) for name, lines in stages.items()],
        "cover_form": CoverForm(initial={"title": proposal.title, "issued_on": proposal.issued_on,
                                         "valid_until": proposal.valid_until}, prefix="cover"),
        "terms_form": TermsForm(initial={"terms": proposal.terms}, prefix="terms"),
        "discount_form": DiscountForm(initial={"discount_percent": proposal.discount_percent,
                                               "discount_reason": proposal.discount_reason}, prefix="discount"),
        "section_form": SectionForm(prefix="new-section"),
        "line_form": LineAddForm(agency=agency, prefix="line"),
        "catalog": catalog,
        "roles": selectors.role_list(agency=agency, active_only=True),
        "team_form": TeamAddForm(agency=agency, prefix="team"),
        "cases_form": CasesForm(agency=agency, initial={"cases": content["cases"]}, prefix="cases"),
        "all_cases": selectors.case_list(agency=agency),
        "selected_cases": {c.pk for c in content["cases"]},
        "versions": selectors.version_list(proposal=proposal),
        "recipients": list(selectors.recipient_list(proposal=proposal)),
        "pdf_job": jobs.get("proposal.pdf"),
        "decision": proposal.decisions.filter(agency=agency).select_related("version").first()
        if proposal.status in (Proposal.Status.ACCEPTED, Proposal.Status.DECLINED) else None,
    }
    if proposal.status == Proposal.Status.ACCEPTED and can(request.membership, "project.view"):
        # projects (shell): the project made from this proposal, when the viewer may see it
        from projects.selectors_shell import project_for_proposal

        ctx["project_made"] = project_for_proposal(agency=agency, membership=request.membership, proposal=proposal)
    ctx.update(extra)
    return ctx


def _respond(request, proposal: Proposal, block: str, **extra):
    """HTMX: re-render just the block; otherwise back to the editor at that block."""
    if request.htmx:
        proposal.refresh_from_db()
        return render(request, f"proposals/proposal_detail.html#{block}", _context(request, proposal, **extra))
    return redirect(reverse("proposals:detail", args=[proposal.pk]) + f"#{block}")


def _invalid(request, proposal: Proposal, block: str, **extra):
    """A refused edit: HTMX gets the block with its form errors (swapped in place), a plain POST the page."""
    template = f"proposals/proposal_detail.html#{block}" if request.htmx else "proposals/proposal_detail.html"
    return htmx_invalid(request, template, _context(request, proposal, **extra))


@member_required("proposal.view")
def proposal_detail_view(request, proposal_id):
    proposal = _get(request, proposal_id)
    return render(request, "proposals/proposal_detail.html", _context(request, proposal))


def _error(request, proposal, block: str, message: str):
    if request.htmx:
        proposal.refresh_from_db()
        return _invalid(request, proposal, block, error=message, error_block=block)
    messages.error(request, message)
    return redirect(reverse("proposals:detail", args=[proposal.pk]) + f"#{block}")


def _apply(request, proposal, block: str, action, /, **kwargs):
    """Run one editor service on the proposal; answer with its block, or the block showing the error."""
    try:
        action(agency=request.agency, actor=request.user, proposal=proposal, **kwargs)
    except ServiceError as exc:
        return _error(request, proposal, block, exc.message)
    return _respond(request, proposal, block)


def _form_error(form) -> str:
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


@require_POST
@member_required("proposal.edit")
def cover_update_view(request, proposal_id):
    proposal = _get(request, proposal_id)
    form = CoverForm(request.POST, prefix="cover")
    if not form.is_valid():
        return _invalid(request, proposal, "cover", cover_form=form)
    try:
        editor.cover_update(agency=request.agency, actor=request.user, proposal=proposal, data=form.cleaned_data)
    except ServiceError as exc:
        add_service_error(form, exc)
        return _invalid(request, proposal, "cover", cover_form=form)
    messages.success(request, _("Saved."))
    return _respond(request, proposal, "cover")


@require_POST
@member_required("proposal.edit")
def terms_update_view(request, proposal_id):
    proposal = _get(request, proposal_id)
    form = TermsForm(request.POST, prefix="terms")
    if not form.is_valid():
        return _invalid(request, proposal, "terms", terms_form=form)
    try:
        editor.terms_update(agency=request.agency, actor=request.user, proposal=proposal,
                            terms=form.cleaned_data["terms"])
    except ServiceError as exc:
        return _error(request, proposal, "terms", exc.message)
    messages.success(request, _("Saved."))
    return _respond(request, proposal, "terms")


@require_POST
@member_required("proposal.edit")
def discount_update_view(request, proposal_id):
    proposal = _get(request, proposal_id)
    form = DiscountForm(request.POST, prefix="discount")
    if form.is_valid():
        try:
            editor.discount_update(agency=request.agency, actor=request.user, proposal=proposal,
                                   percent=form.cleaned_data["discount_percent"],
                                   reason=form.cleaned_data["discount_reason"])
        except ServiceError as exc:
            add_service_error(form, exc)
    if form.errors:
        return _invalid(request, proposal, "estimate", discount_form=form)
    return _respond(request, proposal, "estimate")


@require_POST
@member_required("proposal.edit")
def section_add_view(request, proposal_id):
    proposal = _get(request, proposal_id)
    form = SectionForm(request.POST, prefix="new-section")
    if not form.is_valid():
        return _error(request, proposal, "sections", _("Give the section a heading."))
    return _apply(request, proposal, "sections", editor.section_add,
                  title=form.cleaned_data["title"], body=form.cleaned_data["body"])


@require_POST
@member_required("proposal.edit")
def section_update_view(request, proposal_id, section_id):
    proposal = _get(request, proposal_id)
    section = selectors.section_get(proposal=proposal, section_id=section_id)
    form = SectionForm(request.POST, prefix=f"s-{section.pk}")
    if not form.is_valid():
        return _error(request, proposal, "sections", _("A section needs a heading; the text was not saved."))
    try:
        editor.section_update(agency=request.agency, actor=request.user, proposal=proposal, section=section,
                              title=form.cleaned_data["title"], body=form.cleaned_data["body"])
    except ServiceError as exc:
        return _error(request, proposal, "sections", exc.message)
    messages.success(request, _("Section saved."))
    return _respond(request, proposal, "sections")


@require_POST
@member_required("proposal.edit")
def section_delete_view(request, proposal_id, section_id):
    proposal = _get(request, proposal_id)
    section = selectors.section_get(proposal=proposal, section_id=section_id)
    return _apply(request, proposal, "sections", editor.section_delete, section=section)


@require_POST
@member_required("proposal.edit")
def section_move_view(request, proposal_id, section_id):
    proposal = _get(request, proposal_id)
    section = selectors.section_get(proposal=proposal, section_id=section_id)
    return _apply(request, proposal, "sections", editor.section_move,
                  section=section, direction="up" if request.POST.get("direction") == "up" else "down")


@require_POST
@member_required("proposal.edit")
def line_add_view(request, proposal_id):
    proposal = _get(request, proposal_id)
    form = LineAddForm(request.POST, agency=request.agency, prefix="line")
    if not form.is_valid():
        return _error(request, proposal, "estimate", _("Choose a service from the catalog; hours between 0.5 "
                                                       "and 5000.") + " " + _form_error(form))
    return _apply(request, proposal, "estimate", editor.line_add,
                  service=form.cleaned_data["service"], role=form.cleaned_data.get("role"),
                  hours=form.cleaned_data.get("hours"), stage=form.cleaned_data.get("stage", ""),
                  quantity=form.cleaned_data.get("quantity"), budget=form.cleaned_data.get("budget"))


@require_POST
@member_required("proposal.edit")
def line_update_view(request, proposal_id, line_id):
    proposal = _get(request, proposal_id)
    line = selectors.line_get(proposal=proposal, line_id=line_id)
    form = LineUpdateForm(request.POST, agency=request.agency)
    if not form.is_valid():
        if "hours" in form.errors:
            return _error(request, proposal, "estimate",
                          _("“%(line)s”: hours must be a number between 0.5 and 5000.") % {"line": line.name})
        return _error(request, proposal, "estimate", _("“%(line)s”: %(errors)s")
                      % {"line": line.name, "errors": _form_error(form)})
    return _apply(request, proposal, "estimate", editor.line_update, line=line, **form.changes())


@require_POST
@member_required("proposal.edit")
def line_delete_view(request, proposal_id, line_id):
    proposal = _get(request, proposal_id)
    line = selectors.line_get(proposal=proposal, line_id=line_id)
    return _apply(request, proposal, "estimate", editor.line_delete, line=line)


@require_POST
@member_required("proposal.edit")
def line_include_view(request, proposal_id, line_id):
    """Include a drafter's optional suggestion in the estimate (and so in the totals and the document)."""
    proposal = _get(request, proposal_id)
    line = selectors.line_get(proposal=proposal, line_id=line_id)
    return _apply(request, proposal, "estimate", editor.line_include, line=line)


@require_POST
@member_required("proposal.edit")
def line_offer_view(request, proposal_id, line_id):
    """Offer an optional line to the client as a switch on their page, or withdraw the offer."""
    proposal = _get(request, proposal_id)
    line = selectors.line_get(proposal=proposal, line_id=line_id)
    return _apply(request, proposal, "estimate", editor.line_offer, line=line,
                  offered=request.POST.get("offered") == "1")


@require_POST
@member_required("proposal.edit")
def line_move_view(request, proposal_id, line_id):
    proposal = _get(request, proposal_id)
    line = selectors.line_get(proposal=proposal, line_id=line_id)
    return _apply(request, proposal, "estimate", editor.line_move,
                  line=line, direction="up" if request.POST.get("direction") == "up" else "down")


@require_POST
@member_required("proposal.edit")
def team_add_view(request, proposal_id):
    proposal = _get(request, proposal_id)
    form = TeamAddForm(request.POST, agency=request.agency, prefix="team")
    if not form.is_valid():
        return _error(request, proposal, "team", _("Choose a person of the agency."))
    return _apply(request, proposal, "team", editor.team_add,
                  user=form.cleaned_data["user"], role_title=form.cleaned_data["role_title"])


@require_POST
@member_required("proposal.edit")
def team_remove_view(request, proposal_id, member_id):
    proposal = _get(request, proposal_id)
    member = selectors.team_member_get(proposal=proposal, member_id=member_id)
    return _apply(request, proposal, "team", editor.team_remove, member=member)


@require_POST
@member_required("proposal.edit")
def cases_update_view(request, proposal_id):
    proposal = _get(request, proposal_id)
    form = CasesForm(request.POST, agency=request.agency, prefix="cases")
    if not form.is_valid():
        return _error(request, proposal, "cases", _("Choose cases from your library."))
    try:
        editor.cases_set(agency=request.agency, actor=request.user, proposal=proposal,
                         cases=form.cleaned_data["cases"])
    except ServiceError as exc:
        return _error(request, proposal, "cases", exc.message)
    messages.success(request, _("Cases saved."))
    return _respond(request, proposal, "cases")


@member_required("proposal.view")
def proposal_preview_view(request, proposal_id):
    """How the client will see it (the current draft, not tracked)."""
    proposal = _get(request, proposal_id)
    snapshot = documents.proposal_snapshot(proposal=proposal)
    return render(request, "proposals/public/webview.html", {
        **documents.document_context(snapshot=snapshot, for_pdf=False), "preview": True, "proposal": proposal})


@require_POST
@member_required("proposal.edit")
def pdf_render_view(request, proposal_id):
    proposal = _get(request, proposal_id)
    job = documents.pdf_start(agency=request.agency, actor=request.user, proposal=proposal)
    if request.htmx:
        return render(request, "jobs/job_progress.html", {"job": job})
    messages.info(request, _("The PDF is being prepared; it appears here in a few seconds."))
    return redirect(reverse("proposals:detail", args=[proposal.pk]) + "#pdf")


@member_required("proposal.view")
def pdf_download_view(request, proposal_id):
    proposal = _get(request, proposal_id)
    if not proposal.pdf_file:
        raise Http404
    return FileResponse(proposal.pdf_file.open("rb"), as_attachment=True, filename=_pdf_name(proposal),
                        content_type="application/pdf")


def _pdf_name(proposal: Proposal, version: int | None = None) -> str:
    from django.utils.text import slugify

    base = slugify(proposal.client.name, allow_unicode=True) or "proposal"
    return f"{base}-{proposal.issued_on:%Y%m%d}{f'-v{version}' if version else ''}.pdf"


@member_required("proposal.view")
def version_pdf_view(request, proposal_id, version_id):
    proposal = _get(request, proposal_id)
    version = ProposalVersion.objects.filter(agency=request.agency, proposal=proposal, pk=version_id).first()
    if version is None:
        raise Http404
    from django.http import HttpResponse

    response = HttpResponse(documents.version_pdf(version=version), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_pdf_name(proposal, version.number)}"'
    return response


@member_required("proposal.send")
def proposal_send_view(request, proposal_id):
    proposal = _get(request, proposal_id)
    contacts = Contact.objects.filter(agency=request.agency, client=proposal.client).exclude(email="") \
        .order_by("-is_primary", "full_name")
    form = SendForm(request.POST or None, contacts=contacts,
                    initial={"contacts": [c for c in contacts if c.is_primary]})
    if request.method == "POST" and form.is_valid():
        try:
            version = sending.proposal_send(agency=request.agency, actor=request.user, proposal=proposal,
                                            contacts=form.cleaned_data["contacts"],
                                            message=form.cleaned_data["message"])
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Version %(n)d sent to %(who)s. Follow-ups are on your task list.") % {
                "n": version.number, "who": ", ".join(c.full_name for c in form.cleaned_data["contacts"])})
            return redirect("proposals:detail", proposal_id=proposal.pk)
    totals = editor.totals_for(proposal=proposal)
    return render_form(request, "proposals/proposal_send.html", {
        "proposal": proposal, "form": form, "contacts": contacts, "totals": totals,
    }, invalid=bool(form.errors))


@require_POST
@member_required("proposal.send")
def proposal_replied_view(request, proposal_id):
    proposal = _get(request, proposal_id)
    try:
        count = tracking.proposal_mark_replied(agency=request.agency, actor=request.user, proposal=proposal)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Noted. %(n)d follow-ups cancelled; the deal is in negotiation.") % {"n": count})
    return redirect("proposals:detail", proposal_id=proposal.pk)


@require_POST
@member_required("proposal.send")
def recipient_revoke_view(request, proposal_id, recipient_id):
    proposal = _get(request, proposal_id)
    recipient = selectors.recipient_get(proposal=proposal, recipient_id=recipient_id)
    sending.recipient_revoke(agency=request.agency, actor=request.user, proposal=proposal, recipient=recipient)
    messages.success(request, _("The link of %(name)s no longer works.") % {"name": recipient.name})
    return redirect(reverse("proposals:detail", args=[proposal.pk]) + "#tracking")
