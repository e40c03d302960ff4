"""Project events: one place where delivery code says "this happened", and listeners (notifications, the
alert engine, the portal's activity feed) react. Areas emit; they never import the listeners.

    from projects import events
    events.emit(events.Event(kind="task.assigned", agency_id=agency.pk, project_id=task.project_id,
                             object_id=str(task.pk), actor_id=actor.pk, recipient_ids=[task.assignee_id],
                             url=reverse(...), context={"task": task.title}))

Listeners run after the surrounding transaction commits (never for a rolled-back change), each on its own:
a failing listener is logged and does not stop the others or the change. A listener that does slow work
(e-mail, Telegram) must start a Celery task, not do it inline.

Kinds in use (add yours here with the context keys it carries):
- "task.assigned"          task title; recipients: the new assignee
                           (work area context: {"task"})
- "task.status_changed"    task title, old/new status; recipients: the PM
                           ({"task", "old_status", "new_status"}: ProjectTask.Status values)
- "comment.mention"        task title, comment excerpt; recipients: the mentioned people
                           ({"task", "excerpt"}; object_id is the comment, url ends with #comment-<id>)
- "milestone.reached"      milestone title; recipients: the project's client contacts (client_visible only)
                           ({"milestone", "project", "client_visible"}; emitted for internal ones too,
                           with no recipients)
- "change_request.sent"    title, total; recipients: the client contacts asked to decide
- "change_request.decided" title, decision; recipients: the AM and the PM
- "alert.raised"           alert kind, reason; recipients: the PM and the AM
- "approval.needed"        task title; recipients: the client contacts (a task went to client approval)
                           ({"task", "client_visible"}; recipients only when the task is client-visible)
- "project.created"        project name (and `from_proposal`, the КП's title, for a hand-off); recipients: the
                           PM and the AM (not the person who created it)
"""
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Event:
    kind: str
    agency_id: int
    project_id: object
    object_id: str = ""
    actor_id: int | None = None
    recipient_ids: tuple | list = ()
    url: str = ""
    context: dict = field(default_factory=dict)


Listener = Callable[[Event], None]
_listeners: list[Listener] = []


def subscribe(listener: Listener) -> None:
    """Register a listener once (call from an AppConfig.ready)."""
    if listener not in _listeners:
        _listeners.append(listener)


def unsubscribe(listener: Listener) -> None:
    if listener in _listeners:
        _listeners.remove(listener)


def _dispatch(event: Event) -> None:
    for listener in list(_listeners):
        try:
            listener(event)
        except Exception:  # a listener's failure never undoes or blocks the change that emitted
            logger.exception("project event %s: listener %r failed", event.kind, listener)


def emit(event: Event) -> None:
    """Hand `event` to every listener after the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: _dispatch(event))
