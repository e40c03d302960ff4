"""projects.events → notifications: each known event kind becomes one notification per recipient."""
import hashlib
import json
import logging

from django.utils import timezone
from django_scopes import scope

from mrm.accounts.models import User
from mrm.tenancy.models import Agency

from .kinds import KINDS
from .services import notify

logger = logging.getLogger(__name__)


def event_key(event) -> str:
    """The dedupe key: kind, object, what the context says, and the minute. The same event delivered twice
    (a double click, a listener run again) notifies once; the same thing happening again later notifies again."""
    digest = hashlib.sha256(json.dumps(event.context, sort_keys=True, default=str).encode()).hexdigest()[:16]
    minute = timezone.now().strftime("%Y%m%d%H%M")
    return f"{event.kind}:{event.object_id}:{digest}:{minute}"


def on_project_event(event) -> None:
    if event.kind not in KINDS or not event.recipient_ids:
        return
    agency = Agency.objects.filter(pk=event.agency_id).first()
    if agency is None:
        return
    ids = {pk for pk in event.recipient_ids if pk and pk != event.actor_id}  # nobody is told what they did
    key = event_key(event)
    context = dict(event.context)
    with scope(agency=agency):
        if event.project_id and "project" not in context:
            from projects.models import Project

            context["project"] = Project.objects.filter(agency=agency, pk=event.project_id).values_list(
                "name", flat=True).first() or ""
        for user in User.objects.filter(pk__in=ids, is_active=True):
            notify(agency=agency, recipient=user, kind=event.kind, url=event.url, key=key, context=context)
