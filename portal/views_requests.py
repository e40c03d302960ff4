"""The client's side of requests: their company's threads, opening a new one (with files), writing in a thread,
closing it. A thread of another company or another agency answers 404 (portal/selectors/requests.py)."""
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from comms.forms import MessageForm, RequestForm
from comms.models import ClientRequest
from comms.selectors import message_list
from comms.services import request_client_message, request_close, request_open
from comms.views import serve_attachment
from mrm.core.errors import ServiceError
from mrm.core.forms import add_service_error
from mrm.core.htmx import render_form
from mrm.core.pagination import CappedPaginator
from mrm.tenancy.permissions import member_required

from .selectors import portal_company
from .selectors.requests import portal_attachment_get, portal_request_get, portal_request_list

PER_PAGE = 20


def _redirect(request, url: str):
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@member_required("portal.view")
def request_list_view(request):
    qs = portal_request_list(agency=request.agency, membership=request.membership)
    status = request.GET.get("status", "")
    if status in ClientRequest.Status.values:
        qs = qs.filter(status=status)
    kind = request.GET.get("kind", "")
    if kind in ClientRequest.Kind.values:
        qs = qs.filter(kind=kind)
    page = CappedPaginator(qs.order_by("-last_message_at", "pk"), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "portal/request_list.html", {
        "page": page, "status": status, "kind": kind, "statuses": ClientRequest.Status.choices,
        "kinds": ClientRequest.Kind.choices})


@member_required("portal.view")
def request_create_view(request):
    company = portal_company(agency=request.agency, membership=request.membership)
    form = RequestForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                thread = request_open(agency=request.agency, actor=request.user, client=company,
                                      contact=request.membership.contact, kind=data["kind"], subject=data["subject"],
                                      body=data["body"], uploads=data["files"])
            except ServiceError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("Your request is sent. Your agency will answer here."))
                return _redirect(request, reverse("portal:request_detail", args=[thread.pk]))
        template = "portal/request_form.html#request-form" if request.htmx else "portal/request_form.html"
        return render_form(request, template, {"form": form}, invalid=True)
    return render(request, "portal/request_form.html", {"form": form})


def _detail(request, thread: ClientRequest, form: MessageForm | None = None, *, invalid: bool = False):
    template = "portal/request_detail.html"
    if invalid and request.htmx:
        template += "#request-message"
    return render_form(request, template, {
        "thread": thread, "thread_messages": message_list(agency=request.agency, thread=thread),
        "form": form or MessageForm(), "portal": True}, invalid=invalid)


@member_required("portal.view")
def request_detail_view(request, request_id):
    thread = portal_request_get(agency=request.agency, membership=request.membership, request_id=request_id)
    return _detail(request, thread)


@require_POST
@member_required("portal.view")
def request_message_view(request, request_id):
    """The client writes in the thread (a closed one opens again)."""
    thread = portal_request_get(agency=request.agency, membership=request.membership, request_id=request_id)
    form = MessageForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            request_client_message(agency=request.agency, actor=request.user, thread=thread,
                                   contact=request.membership.contact, body=form.cleaned_data["body"],
                                   uploads=form.cleaned_data["files"])
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Your message is sent."))
            return _redirect(request, reverse("portal:request_detail", args=[thread.pk]))
    return _detail(request, thread, form, invalid=True)


@require_POST
@member_required("portal.view")
def request_close_view(request, request_id):
    """The client says the matter is settled."""
    thread = portal_request_get(agency=request.agency, membership=request.membership, request_id=request_id)
    try:
        request_close(agency=request.agency, actor=request.user, thread=thread)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The request is closed. Write in it again if something comes up."))
    return _redirect(request, reverse("portal:request_detail", args=[thread.pk]))


@member_required("portal.view")
def request_attachment_view(request, request_id, attachment_id):
    thread = portal_request_get(agency=request.agency, membership=request.membership, request_id=request_id)
    return serve_attachment(portal_attachment_get(agency=request.agency, thread=thread, attachment_id=attachment_id))
