"""Briefs inside the app: the list, one brief, filling a brief for a client, and "Draft proposal"."""
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clients.selectors import client_list
from mrm.core.errors import ServiceError
from mrm.core.htmx import render_form
from mrm.jobs.models import Job
from mrm.tenancy.permissions import member_required

from .. import selectors
from ..forms import InternalBriefForm
from ..models import Brief, BriefAttachment
from ..services import drafting
from ..services.briefs import brief_submit


@member_required("brief.view")
def brief_list_view(request):
    qs = selectors.brief_list(agency=request.agency, membership=request.membership)
    q = request.GET.get("q", "").strip()
    status = request.GET.get("status", "")
    if q:
        qs = qs.filter(Q(company_name__icontains=q) | Q(contact_name__icontains=q) | Q(client__name__icontains=q))
    if status in Brief.Status.values:
        qs = qs.filter(status=status)
    page = Paginator(qs.order_by("-created_at", "pk"), 25).get_page(request.GET.get("page"))
    template = "proposals/brief_list.html#results" if request.htmx and request.htmx.target == "results" else \
        "proposals/brief_list.html"
    return render(request, template, {"page": page, "statuses": Brief.Status.choices, "q": q, "status": status})


@member_required("brief.create")
def brief_create_view(request):
    agency = request.agency
    clients = client_list(agency=agency, membership=request.membership).order_by("name")
    templates = selectors.template_list(agency=agency)
    template = None
    raw_template = request.POST.get("template") or request.GET.get("template")
    if raw_template:
        template = templates.filter(pk=raw_template).first() if _is_uuid(raw_template) else None
    initial = {"template": template}
    if request.GET.get("client") and _is_uuid(request.GET["client"]):
        client = clients.filter(pk=request.GET["client"]).first()
        if client is not None:
            initial.update(client=client, company_name=client.name, website=client.website)
    form = InternalBriefForm(request.POST or None, request.FILES or None, clients=clients, templates=templates,
                             template=template, initial=initial)
    if request.method == "POST" and form.is_valid():
        brief = brief_submit(agency=agency, actor=request.user, data=form.brief_data(),
                             files=form.cleaned_data["attachments"], source=Brief.Source.INTERNAL,
                             template=form.cleaned_data.get("template"), client=form.cleaned_data.get("client"))
        messages.success(request, _("Brief saved. Next: draft the proposal."))
        return redirect("proposals:brief_detail", brief_id=brief.pk)
    return render_form(request, "proposals/brief_form.html", {"form": form, "template": template},
                       invalid=bool(form.errors))


def _is_uuid(raw: str) -> bool:
    import uuid

    try:
        uuid.UUID(str(raw))
    except ValueError:
        return False
    return True


@member_required("brief.view")
def brief_detail_view(request, brief_id):
    brief = selectors.brief_get(agency=request.agency, membership=request.membership, brief_id=brief_id)
    jobs = Job.objects.filter(agency=request.agency, kind="proposal.draft", params__brief_id=str(brief.pk)) \
        .order_by("-created_at")[:1]
    return render(request, "proposals/brief_detail.html", {
        "brief": brief, "attachments": brief.attachments.all(),
        "proposals": brief.proposals.filter(agency=request.agency).order_by("-created_at"),
        "job": jobs[0] if jobs else None, "ai_available": drafting.ai_available(),
    })


@member_required("brief.view")
def brief_attachment_view(request, brief_id, attachment_id):
    brief = selectors.brief_get(agency=request.agency, membership=request.membership, brief_id=brief_id)
    attachment = BriefAttachment.objects.filter(agency=request.agency, brief=brief, pk=attachment_id).first()
    if attachment is None:
        raise Http404
    # Always a download, never rendered inline: the file came from the internet.
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.name)


@require_POST
@member_required("brief.create")
def brief_draft_view(request, brief_id):
    """Start the "draft proposal" job; the page then polls its progress."""
    brief = selectors.brief_get(agency=request.agency, membership=request.membership, brief_id=brief_id)
    use_ai = request.POST.get("mode") != "rules"
    try:
        job = drafting.draft_start(agency=request.agency, actor=request.user, brief=brief, use_ai=use_ai)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("proposals:brief_detail", brief_id=brief.pk)
    if request.htmx:
        return render(request, "jobs/job_progress.html", {"job": job})
    messages.info(request, _("Drafting started; the proposal opens here when it is ready."))
    return redirect("proposals:brief_detail", brief_id=brief.pk)
