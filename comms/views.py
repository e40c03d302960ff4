"""Staff pages of client requests: the list of the requests of the clients one sees, a thread with the reply form
(the agency answers here or from the client page), closing a thread and downloading its files."""
from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from mrm.core.business_hours import business_calendar, business_minutes_between, format_minutes
from mrm.core.errors import ServiceError
from mrm.core.forms import add_service_error
from mrm.core.htmx import render_form
from mrm.core.pagination import CappedPaginator
from mrm.tenancy.permissions import member_required
from mrm.tenancy.policy import can

from .forms import MessageForm
from .models import ClientRequest
from .selectors import attachment_get, message_list, request_get, request_list, with_last_message
from .services import request_close, request_reply

PER_PAGE = 25


def _redirect(request, url: str):
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def serve_attachment(attachment):
    """A private file as a download (never inline: client files may be anything a browser would render)."""
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, as_attachment=True, filename=attachment.name,
                            content_type=attachment.content_type or "application/octet-stream")
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@member_required("request.view")
def request_list_view(request):
    """Requests of the clients the member sees: waiting for us / answered / closed / all, newest activity first."""
    status = request.GET.get("status", "waiting")
    qs = request_list(agency=request.agency, membership=request.membership)
    if status == "waiting":
        qs = qs.filter(awaiting_since__isnull=False)
    elif status in ClientRequest.Status.values:
        qs = qs.filter(status=status)
    else:
        status = "all"
    kind = request.GET.get("kind", "")
    if kind in ClientRequest.Kind.values:
        qs = qs.filter(kind=kind)
    page = CappedPaginator(with_last_message(qs).order_by("-last_message_at", "pk"), PER_PAGE).get_page(
        request.GET.get("page"))
    return render(request, "comms/request_list.html", {
        "page": page, "status": status, "kind": kind, "kinds": ClientRequest.Kind.choices,
        "statuses": [("waiting", _("Waiting for us")), *ClientRequest.Status.choices, ("all", _("All"))]})


def _thread_context(request, thread: ClientRequest, form: MessageForm | None = None) -> dict:
    elapsed = None
    if thread.awaiting_since:
        from django.utils import timezone

        now = timezone.now()
        calendar = business_calendar(agency=request.agency, start=thread.awaiting_since.date(), end=now.date())
        elapsed = business_minutes_between(thread.awaiting_since, now, calendar=calendar)
    return {"thread": thread, "client": thread.client, "thread_messages": message_list(agency=request.agency,
                                                                                        thread=thread),
            "form": form or MessageForm(), "can_reply": can(request.membership, "request.reply"),
            "elapsed": elapsed, "elapsed_text": format_minutes(elapsed) if elapsed is not None else "",
            "target_text": format_minutes(thread.target_minutes) if thread.target_minutes else "",
            "response_text": format_minutes(thread.response_minutes)}


@member_required("request.view")
def request_detail_view(request, request_id):
    thread = request_get(agency=request.agency, membership=request.membership, request_id=request_id)
    return render(request, "comms/request_detail.html", _thread_context(request, thread))


@require_POST
@member_required("request.reply")
def request_reply_view(request, request_id):
    """The agency's answer; from the client page (`next=client`) it goes back there."""
    thread = request_get(agency=request.agency, membership=request.membership, request_id=request_id)
    form = MessageForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            request_reply(agency=request.agency, actor=request.user, thread=thread, body=form.cleaned_data["body"],
                          uploads=form.cleaned_data["files"])
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Your answer is sent to the client."))
            if request.POST.get("next") == "client":
                return _redirect(request, reverse("clients:detail", args=[thread.client_id]) + "#section-requests")
            return _redirect(request, reverse("comms:request_detail", args=[thread.pk]))
    template = "comms/request_detail.html#request-reply" if request.htmx else "comms/request_detail.html"
    return render_form(request, template, _thread_context(request, thread, form), invalid=True)


@require_POST
@member_required("request.reply")
def request_close_view(request, request_id):
    thread = request_get(agency=request.agency, membership=request.membership, request_id=request_id)
    try:
        request_close(agency=request.agency, actor=request.user, thread=thread)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The request is closed."))
    return _redirect(request, reverse("comms:request_detail", args=[thread.pk]))


@member_required("request.view")
def request_attachment_view(request, request_id, attachment_id):
    thread = request_get(agency=request.agency, membership=request.membership, request_id=request_id)
    return serve_attachment(attachment_get(agency=request.agency, thread=thread, attachment_id=attachment_id))
