"""The personal calendar feed: create/revoke the secret address (profile page), and the public .ics itself."""
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_scopes import scope

from ..ical import Event, calendar
from ..models import Task
from ..selectors.calendar import calendar_feed_resolve, calendar_items
from ..services import calendar as services

SESSION_NEW_URL = "crm_calendar_feed_url"  # shown once on the profile page, then dropped
DURATION = {Task.Kind.MEETING: 60, Task.Kind.CALL: 30}


def _profile(request):
    return redirect(reverse("accounts:profile") + "#calendar-feed")


def _staff_only(request) -> bool:
    return request.membership is not None and request.membership.is_staff_member


@require_POST
@login_required
def calendar_feed_create_view(request):
    if not _staff_only(request):
        raise Http404
    _feed, raw = services.calendar_feed_create(agency=request.agency, user=request.user)
    request.session[SESSION_NEW_URL] = request.build_absolute_uri(reverse("calendar_feed", args=[raw]))
    messages.success(request, _("Your calendar address is ready. Any address you made before no longer works."))
    return _profile(request)


@require_POST
@login_required
def calendar_feed_revoke_view(request):
    if not _staff_only(request):
        raise Http404
    if services.calendar_feed_revoke(agency=request.agency, user=request.user):
        messages.success(request, _("Calendar address revoked: calendars subscribed to it stop updating."))
    return _profile(request)


def _events(request, feed) -> list[Event]:
    tasks, meetings = calendar_items(agency=feed.agency, user=feed.user)
    events = []
    for task in tasks:
        label = {Task.Kind.FOLLOW_UP: _("Follow-up"), Task.Kind.MEETING: _("Meeting"),
                 Task.Kind.CALL: _("Call")}.get(task.kind, _("Task"))
        summary = f"{label}: {task.title}" + (f" — {task.client.name}" if task.client else "")
        url = request.build_absolute_uri(reverse("clients:detail", args=[task.client_id])) if task.client_id else \
            request.build_absolute_uri(reverse("clients:task_edit", args=[task.pk]))
        details = [task.notes] if task.notes else []
        if task.deal:
            details.append(_("Deal: %(title)s") % {"title": task.deal.title})
        events.append(Event(uid=f"task-{task.pk}@mrm", start=task.due_at,
                            end=task.due_at + timedelta(minutes=DURATION.get(task.kind, 15)), summary=summary,
                            description="\n".join(details), url=url, categories=label, updated=task.updated_at))
    for meeting in meetings:
        minutes = meeting.duration_minutes or 60
        events.append(Event(
            uid=f"meeting-{meeting.pk}@mrm", start=meeting.occurred_at,
            end=meeting.occurred_at + timedelta(minutes=minutes),
            summary=f"{_('Meeting')}: {meeting.subject or meeting.client.name} — {meeting.client.name}",
            description=meeting.summary, url=request.build_absolute_uri(reverse("clients:detail",
                                                                                args=[meeting.client_id])),
            categories=_("Meeting"), updated=meeting.updated_at))
    return events


@require_GET
def calendar_feed_view(request, token: str):
    """Public: the calendar app has no session, the secret token is the credential. Unknown or revoked → 404."""
    feed = calendar_feed_resolve(raw=token)
    if feed is None:
        raise Http404
    with scope(agency=feed.agency), translation.override(feed.user.language or "ru"):
        events = _events(request, feed)
        body = calendar(name=f"MRM · {feed.agency.name}", events=events, now=timezone.now())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="mrm.ics"'
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response
