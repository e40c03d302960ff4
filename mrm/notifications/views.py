"""The inbox, the bell, preferences with the Telegram link, and the bot's webhook."""
import hmac
import json
import logging

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseForbidden, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mrm.core.htmx import render_form
from mrm.core.pagination import CappedPaginator
from mrm.integrations import telegram
from mrm.tenancy.permissions import member_required

from . import selectors, services
from .forms import PreferencesForm

logger = logging.getLogger(__name__)
PAGE_SIZE = 25
LATEST = 6


def _base(request) -> str:
    return "portal/base.html" if services.is_client(request.membership) else "base.html"


@require_GET
@member_required("notification.view")
def inbox_view(request):
    qs = selectors.notification_list(agency=request.agency, user=request.user)
    if request.GET.get("unread") == "1":
        qs = qs.filter(read_at__isnull=True)
    page = CappedPaginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/notification_inbox.html", {
        "page": page, "base_template": _base(request), "unread_only": request.GET.get("unread") == "1",
        "unread": selectors.unread_count(agency=request.agency, user=request.user)})


@require_GET
@member_required("notification.view")
def bell_view(request):
    """The bell's badge (polled): one COUNT on the partial unread index."""
    count = selectors.unread_count(agency=request.agency, user=request.user)
    return render(request, "notifications/_bell_count.html", {"unread": count})


@require_GET
@member_required("notification.view")
def latest_view(request):
    """The bell's dropdown: the latest few, loaded when it opens."""
    items = list(selectors.notification_list(agency=request.agency, user=request.user)[:LATEST])
    return render(request, "notifications/_latest.html", {"items": items})


@require_GET
@member_required("notification.view")
def notification_open_view(request, notification_id):
    """Opening a notification marks it read and goes where it points (only to this site)."""
    note = selectors.notification_get(agency=request.agency, user=request.user, notification_id=notification_id)
    services.notification_mark_read(agency=request.agency, user=request.user, notification=note)
    if note.url and url_has_allowed_host_and_scheme(note.url, allowed_hosts={request.get_host()},
                                                    require_https=request.is_secure()):
        return redirect(note.url)
    return redirect("notifications:inbox")


@require_POST
@member_required("notification.view")
def notification_read_view(request, notification_id):
    note = selectors.notification_get(agency=request.agency, user=request.user, notification_id=notification_id)
    services.notification_mark_read(agency=request.agency, user=request.user, notification=note)
    if request.htmx:
        response = render(request, "notifications/_row.html", {"n": note})
        response["HX-Trigger"] = "notifications-changed"
        return response
    return redirect("notifications:inbox")


@require_POST
@member_required("notification.view")
def notification_read_all_view(request):
    services.notifications_mark_all_read(agency=request.agency, user=request.user)
    messages.success(request, _("All notifications are marked read."))
    return redirect("notifications:inbox")


@require_http_methods(["GET", "POST"])
@member_required("notification.view")
def preferences_view(request):
    agency, user = request.agency, request.user
    rows = selectors.preference_rows(agency=agency, user=user, is_client=services.is_client(request.membership))
    form = PreferencesForm(request.POST or None, rows=rows)
    invalid = False
    if request.method == "POST":
        if form.is_valid():
            services.preferences_save(agency=agency, user=user, choices=form.choices())
            messages.success(request, _("Notification settings are saved."))
            return redirect("notifications:preferences")
        invalid = True
    link = selectors.telegram_link_get(agency=agency, user=user)
    configured = telegram.is_configured()
    if configured and (link is None or not link.is_linked):
        link = services.telegram_link_code(agency=agency, user=user)
    return render_form(request, "notifications/preferences.html", {
        "form": form, "rows": form.rows, "base_template": _base(request), "telegram_configured": configured,
        "link": link, "bot_link": telegram.bot_link(link.code) if link and link.code else "",
        "failed": selectors.failed_deliveries(agency=agency, user=user)}, invalid=invalid)


@require_POST
@member_required("notification.view")
def telegram_code_view(request):
    """A fresh one-time code (the old one stops working)."""
    services.telegram_link_code(agency=request.agency, user=request.user, renew=True)
    return redirect("notifications:preferences")


@require_POST
@member_required("notification.view")
def telegram_unlink_view(request):
    services.telegram_unlink(agency=request.agency, user=request.user)
    messages.success(request, _("Telegram is unlinked."))
    return redirect("notifications:preferences")


@csrf_exempt
@require_POST
def telegram_webhook_view(request, secret: str):
    """The Bot API posts Updates here (setWebhook with this URL and secret_token=TELEGRAM_WEBHOOK_SECRET).

    Public: the secret in the path and the X-Telegram-Bot-Api-Secret-Token header must both match."""
    expected = settings.TELEGRAM_WEBHOOK_SECRET
    if not expected or not telegram.is_configured() or not hmac.compare_digest(secret, expected):
        raise Http404
    header = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
    if not hmac.compare_digest(header, expected):
        return HttpResponseForbidden()
    try:
        update = json.loads(request.body or b"{}")
    except ValueError:
        return HttpResponse(status=400)
    services.telegram_handle_update(update)
    return JsonResponse({"ok": True})
