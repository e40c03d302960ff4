"""The notification kinds: what each event kind is called on the preferences page, who it is for, which
channels are on by default, and how its title reads (rendered in the recipient's language).

Event context keys are read leniently (`task` or `title`, …): emitters document them in projects/events.py.
"""
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


def _first(ctx: dict, *names: str) -> str:
    for name in names:
        value = ctx.get(name)
        if value not in (None, ""):
            return str(value)
    return ""


def _label(ctx: dict, name: str, choices: str) -> str:
    """A choice value from the event context in the reader's language (the event carries the raw value)."""
    value = _first(ctx, f"{name}_label", name)
    if choices == "task_status":
        from projects.models import ProjectTask as model_choices

        labels = dict(model_choices.Status.choices)
    elif choices == "change_request":
        from projects.models import ChangeRequest

        labels = dict(ChangeRequest.Status.choices)
    else:
        from projects.alerts.rules import KIND_CHOICES

        labels = dict(KIND_CHOICES)
    return str(labels.get(value, value))


@dataclass(frozen=True)
class KindSpec:
    label: object  # lazy string
    title: Callable[[dict], str]
    body: Callable[[dict], str]
    email: bool = True
    telegram: bool = True
    for_clients: bool = False


KINDS: dict[str, KindSpec] = {
    "task.assigned": KindSpec(
        gettext_lazy("A task is assigned to me"),
        lambda c: _("Task assigned to you: %(task)s") % {"task": _first(c, "task", "title")},
        lambda c: _first(c, "description", "note")),
    "task.status_changed": KindSpec(
        gettext_lazy("A task of my project changed its status"),
        lambda c: _("Task status changed: %(task)s") % {"task": _first(c, "task", "title")},
        lambda c: (_("%(old)s → %(new)s") % {"old": _label(c, "old_status", "task_status"),
                                               "new": _label(c, "new_status", "task_status")}),
        email=False),
    "comment.mention": KindSpec(
        gettext_lazy("I am mentioned in a comment"),
        lambda c: _("You were mentioned: %(task)s") % {"task": _first(c, "task", "title")},
        lambda c: _first(c, "excerpt", "comment", "text")),
    "milestone.reached": KindSpec(
        gettext_lazy("A milestone is reached"),
        lambda c: _("Milestone reached: %(milestone)s") % {"milestone": _first(c, "milestone", "title")},
        lambda c: _first(c, "project", "note"), for_clients=True),
    "approval.needed": KindSpec(
        gettext_lazy("My approval is needed"),
        lambda c: _("Your approval is needed: %(task)s") % {"task": _first(c, "task", "title")},
        lambda c: _first(c, "project", "note"), for_clients=True),
    "change_request.sent": KindSpec(
        gettext_lazy("A change request awaits my decision"),
        lambda c: _("Change request to decide: %(title)s") % {"title": _first(c, "title", "change_request")},
        # The change request's own e-mail (projects.tasks.change_request_send_task) carries the link: no second one.
        lambda c: _first(c, "total"), email=False, for_clients=True),
    "change_request.decided": KindSpec(
        gettext_lazy("A client decided on a change request"),
        lambda c: _("Change request decided: %(title)s") % {"title": _first(c, "title", "change_request")},
        lambda c: _label(c, "decision", "change_request")),
    "alert.raised": KindSpec(
        gettext_lazy("A project alert is raised"),
        lambda c: _("Project alert: %(kind)s") % {"kind": _label(c, "kind", "alert")},
        lambda c: _first(c, "reason")),
    "report.published": KindSpec(
        gettext_lazy("A new report is ready"),
        lambda c: _("New report: %(title)s") % {"title": _first(c, "title", "report")},
        lambda c: _first(c, "period", "note"), for_clients=True),
    # Client requests (comms): the AM hears of a new request and of the client's messages, the client of answers.
    "client_request.opened": KindSpec(
        gettext_lazy("A client opens a request"),
        lambda c: _("New request from %(client)s: %(subject)s") % {"client": _first(c, "client"),
                                                                  "subject": _first(c, "subject", "title")},
        lambda c: _first(c, "excerpt")),
    "client_request.message": KindSpec(
        gettext_lazy("A client writes in a request"),
        lambda c: _("%(client)s wrote: %(subject)s") % {"client": _first(c, "client"), "subject": _first(c, "subject", "title")},
        lambda c: _first(c, "excerpt")),
    "client_request.answered": KindSpec(
        gettext_lazy("The agency answers my request"),
        lambda c: _("Your request is answered: %(subject)s") % {"subject": _first(c, "subject", "title")},
        lambda c: _first(c, "excerpt"), for_clients=True),
}


def kind_spec(kind: str) -> KindSpec | None:
    return KINDS.get(kind)


def kinds_for(*, is_client: bool) -> list[str]:
    """The kinds a person can receive: client contacts only those meant for clients."""
    return [k for k, spec in KINDS.items() if spec.for_clients or not is_client]
