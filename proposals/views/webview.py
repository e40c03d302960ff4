"""The client's personal link /p/<token>/: one proposal version, tracked per contact. No login: the token
(signed, revocable) names the recipient, the view enters that agency's scope itself. Forged, revoked or
stale links answer 404, exactly like a link that never existed."""
import json

from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django_scopes import scope

from mrm.core.errors import ServiceError
from mrm.core.htmx import mark_invalid
from mrm.tenancy.context import client_ip

from ..forms import DecisionForm
from ..models import Decision
from ..services import documents, renewal, tracking


def _resolve(token: str):
    found = tracking.recipient_from_token(token)
    if found is None:
        raise Http404
    return found


def _ua(request) -> str:
    return request.META.get("HTTP_USER_AGENT", "")[:300]


def _page(request, token, agency, recipient, *, form=None, status=200, event=None, renewal_error="", chosen=()):
    latest = tracking.latest_version(recipient=recipient)
    decision = Decision.objects.filter(agency=agency, proposal_id=recipient.proposal_id).first()
    snapshot = recipient.version.snapshot
    ctx = documents.document_context(snapshot=snapshot, for_pdf=False, version=recipient.version.number)
    can_decide = tracking.can_decide(recipient=recipient, latest=latest)
    ctx.update(documents.choice_context(snapshot=snapshot, chosen=chosen))
    ctx.update({
        "choose_options": can_decide and decision is None,
        "options_url": reverse("proposals_public:webview_options", args=[token]),
        "token": token, "recipient": recipient, "event": event, "decision": decision,
        "is_latest": latest is not None and latest.pk == recipient.version_id,
        "can_decide": can_decide,
        # Past "valid until" the client cannot accept; the page offers to ask for a new version instead.
        "expired": renewal.version_expired(agency=agency, version=recipient.version),
        "valid_until_date": renewal.version_valid_until(version=recipient.version),
        # The name is typed by the client, never prefilled: accepting must be a deliberate act.
        "form": form or DecisionForm(initial={"version_hash": recipient.version.content_hash}),
        "version_hash": recipient.version.content_hash, "renewal_error": renewal_error,
    })
    response = render(request, "proposals/public/webview.html", ctx, status=status)
    response["X-Robots-Tag"] = "noindex, nofollow"
    # The token must not leak to linked sites; "same-origin" (not "no-referrer") keeps the Origin header
    # that the CSRF check of the accept form needs.
    response["Referrer-Policy"] = "same-origin"
    return response


@never_cache
def webview_view(request, token):
    agency, recipient = _resolve(token)
    with scope(agency=agency):
        event = None
        # The redirect right after answering is not a new visit; the agency's own staff are not the client.
        if request.GET.get("answered") != "1" and not tracking.is_staff_viewer(user=request.user, agency=agency):
            event = tracking.record_open(agency=agency, recipient=recipient, ip=client_ip(request),
                                         user_agent=_ua(request))
        return _page(request, token, agency, recipient, event=event)


@never_cache
def webview_pdf_view(request, token):
    agency, recipient = _resolve(token)
    with scope(agency=agency):
        if not tracking.is_staff_viewer(user=request.user, agency=agency):
            tracking.record_download(agency=agency, recipient=recipient, ip=client_ip(request),
                                     user_agent=_ua(request))
        content = documents.version_pdf(version=recipient.version)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="proposal-v{recipient.version.number}.pdf"'
    response["Referrer-Policy"] = "same-origin"
    return response


@csrf_exempt  # navigator.sendBeacon cannot carry the CSRF header; it only adds seconds to this link's visit
@require_POST
def webview_beacon_view(request, token):
    agency, recipient = _resolve(token)
    try:
        data = json.loads(request.body or b"{}")
        event_id, seconds = str(data["event"]), int(data["seconds"])
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"ok": False}, status=400)
    with scope(agency=agency):
        try:
            tracking.record_time(agency=agency, recipient=recipient, event_id=event_id, seconds=seconds)
        except Exception:  # noqa: BLE001 - a malformed id is "nothing to record"
            return JsonResponse({"ok": False}, status=400)
    return JsonResponse({"ok": True})


@require_POST
def webview_options_view(request, token):
    """The client switches an optional item on or off: the totals of that choice, computed on the server from
    the frozen version (HTMX partial, also updating the acceptance summary). Nothing is stored until accepting."""
    agency, recipient = _resolve(token)
    with scope(agency=agency):
        snapshot = recipient.version.snapshot
        ctx = {"doc": snapshot, "oob": True,
               **documents.choice_context(snapshot=snapshot, chosen=request.POST.getlist("options"))}
        response = render(request, "proposals/public/_choice_totals.html", ctx)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_POST
def webview_decide_view(request, token):
    agency, recipient = _resolve(token)
    chosen = request.POST.getlist("options")
    with scope(agency=agency):
        form = DecisionForm(request.POST)
        if not form.is_valid():
            return mark_invalid(request, _page(request, token, agency, recipient, form=form, chosen=chosen))
        try:
            tracking.proposal_decide(
                agency=agency, recipient=recipient, accept=form.cleaned_data["decision"] == "accept",
                signed_name=form.cleaned_data["signed_name"], comment=form.cleaned_data["comment"],
                version_hash=form.cleaned_data["version_hash"], ip=client_ip(request), user_agent=_ua(request),
                options=chosen)
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            return mark_invalid(request, _page(request, token, agency, recipient, form=form, chosen=chosen))
    return redirect(reverse("proposals_public:webview", args=[token]) + "?answered=1")


@require_POST
def webview_renewal_view(request, token):
    """"Ask for a new version" on an expired proposal: the AM gets a task and an e-mail (once per link)."""
    agency, recipient = _resolve(token)
    with scope(agency=agency):
        try:
            renewal.proposal_renewal_request(agency=agency, recipient=recipient, ip=client_ip(request),
                                             user_agent=_ua(request))
        except ServiceError as exc:
            return _page(request, token, agency, recipient, status=400, renewal_error=exc.message)
    return redirect(reverse("proposals_public:webview", args=[token]) + "?answered=1#decide")
