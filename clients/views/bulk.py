"""Bulk actions from the client, task and deal lists: tick rows, choose an action, confirm, done.

Only records the member sees are touched: the ticked ids go through the same visibility selectors as the
lists, and ids of another agency or of clients one does not see are counted as skipped, never acted on.
"""
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.forms import Form
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from mrm.core.errors import ServiceError
from mrm.core.forms import add_service_error
from mrm.core.htmx import render_form
from mrm.tenancy.permissions import member_required

from .. import exports
from ..forms_bulk import ClientBulkForm, TaskBulkForm, TooManyIds, submitted_ids
from ..models import Client
from ..selectors import client_list
from ..selectors.tasks import task_list
from ..services import bulk as services
from ..services.bulk import MAX_BULK_IDS
from .companies import _owner_choices
from .deals import _next_url
from .tasks import _assignees, _on_due_date


def _selection(request, qs):
    """(the visible records among the ticked ids, how many ticked ids were skipped) or None when over the cap."""
    try:
        ids = submitted_ids(request.POST)
    except TooManyIds:
        messages.error(request, _("Select at most %(max)d records at a time.") % {"max": MAX_BULK_IDS})
        return None
    records = list(qs.filter(pk__in=ids))
    return records, len(ids) - len(records)


def _skipped_message(request, skipped: int) -> None:
    if skipped:
        messages.warning(request, ngettext(
            "%(count)d selected record was skipped: it is not in your list.",
            "%(count)d selected records were skipped: they are not in your list.", skipped) % {"count": skipped})


def _client_summary(form: ClientBulkForm, count: int) -> str:
    data = form.cleaned_data
    if data["action"] == ClientBulkForm.Action.OWNER:
        return ngettext("%(count)d client will be reassigned to %(name)s.",
                        "%(count)d clients will be reassigned to %(name)s.", count) % {
            "count": count, "name": data["owner"].full_name}
    if data["action"] == ClientBulkForm.Action.STATUS:
        return ngettext("%(count)d client will get the status “%(status)s”.",
                        "%(count)d clients will get the status “%(status)s”.", count) % {
            "count": count, "status": Client.Status(data["status"]).label}
    return ngettext("The tag “%(tag)s” will be added to %(count)d client.",
                    "The tag “%(tag)s” will be added to %(count)d clients.", count) % {
        "count": count, "tag": data["tag"]}


def _visible_clients(request):
    """The clients a bulk action or export may touch: the member's list, in its order, with tags."""
    return client_list(agency=request.agency, membership=request.membership).order_by("name", "pk") \
        .prefetch_related("tags")


@dataclass(frozen=True)
class BulkAction:
    """What one list's bulk action does; `bulk_flow` runs the steps every list shares."""

    kind: str  # how the confirmation page names the records: "clients", "tasks", "deals"
    action_url: str
    empty_message: str
    form: Form  # bound to the POST
    summary: Callable[[Form, int], str]  # "N clients will be reassigned to X"
    apply: Callable[[Form, list], int]  # the change for all records or none (ServiceError); how many changed
    done_message: Callable[[int], str]
    on_error: Callable[[ServiceError], ServiceError] = lambda exc: exc
    partial_message: str = ""  # said when fewer records changed than were chosen


def bulk_flow(request, *, records_qs, back: str, action: BulkAction):
    """First POST: the confirmation page; with `confirm`: the change, then back to the list. Only the records
    of `records_qs` (the member's list) among the ticked ids are touched; the others are counted as skipped."""
    selection = _selection(request, records_qs)
    if selection is None:
        return redirect(back)
    records, skipped = selection
    if not records:
        messages.warning(request, action.empty_message)
        _skipped_message(request, skipped)
        return redirect(back)
    form = action.form
    valid = form.is_valid()
    if valid and request.POST.get("confirm"):
        try:
            changed = action.apply(form, records)
        except ServiceError as exc:  # the whole batch is rolled back; say why next to the choice
            add_service_error(form, action.on_error(exc))
            valid = False
        else:
            messages.success(request, action.done_message(changed))
            if action.partial_message and changed < len(records):
                messages.info(request, action.partial_message)
            _skipped_message(request, skipped)
            return redirect(back)
    return render_form(request, "clients/bulk_confirm.html", {
        "form": form, "records": records, "skipped": skipped, "back": back, "kind": action.kind,
        "action_url": action.action_url, "summary": action.summary(form, len(records)) if valid else "",
    }, invalid=not valid)


def _client_apply(request):
    def apply(form: ClientBulkForm, clients: list) -> int:
        args = {"agency": request.agency, "actor": request.user, "clients": clients}
        if form.cleaned_data["action"] == ClientBulkForm.Action.TAG:
            return services.client_bulk_add_tag(**args, tag_name=form.cleaned_data["tag"])
        return services.client_bulk_update(**args, data=form.changes())
    return apply


@require_POST
@member_required("client.edit")
def client_bulk_view(request):
    return bulk_flow(request, records_qs=_visible_clients(request), back=_next_url(request, reverse("clients:list")),
                     action=BulkAction(
        kind="clients", action_url=reverse("clients:bulk"),
        empty_message=_("Select at least one client of your list."),
        form=ClientBulkForm(request.POST, owners=_owner_choices(request.agency)), summary=_client_summary,
        apply=_client_apply(request),
        done_message=lambda n: ngettext("%(count)d client updated.", "%(count)d clients updated.", n) % {"count": n}))


@require_POST
@member_required("client.view")
def client_bulk_export_view(request):
    """The ticked clients as CSV (only those the member sees, whatever ids were sent)."""
    selection = _selection(request, _visible_clients(request))
    if selection is None:
        return redirect(_next_url(request, reverse("clients:list")))
    clients, _skipped = selection
    from ..selectors.custom_fields import custom_field_defs

    return exports.client_export_csv(clients, custom=custom_field_defs(agency=request.agency, entity="client"))


def _task_summary(form: TaskBulkForm, count: int) -> str:
    data = form.cleaned_data
    if data["action"] == TaskBulkForm.Action.ASSIGN:
        return ngettext("%(count)d task will be assigned to %(name)s.",
                        "%(count)d tasks will be assigned to %(name)s.", count) % {
            "count": count, "name": data["assignee"].full_name}
    if data["action"] == TaskBulkForm.Action.DUE:
        return ngettext("%(count)d task will be due on %(date)s.", "%(count)d tasks will be due on %(date)s.",
                        count) % {"count": count, "date": date_format(data["due_date"])}
    return ngettext("%(count)d task will be marked done.", "%(count)d tasks will be marked done.", count) % {
        "count": count}


def _task_apply(request):
    def apply(form: TaskBulkForm, tasks: list) -> int:
        data, args = form.cleaned_data, {"agency": request.agency, "actor": request.user, "tasks": tasks}
        if data["action"] == TaskBulkForm.Action.ASSIGN:
            return services.task_bulk_assign(**args, assignee=data["assignee"])
        if data["action"] == TaskBulkForm.Action.DUE:
            return services.task_bulk_set_due(**args, due_date=data["due_date"])  # a past date: nothing is kept
        return services.task_bulk_complete(**args)
    return apply


@require_POST
@member_required("task.edit")
def task_bulk_view(request):
    tasks = task_list(agency=request.agency, membership=request.membership).select_related("client") \
        .order_by("due_at", "pk")
    return bulk_flow(request, records_qs=tasks, back=_next_url(request, reverse("clients:task_list")),
                     action=BulkAction(
        kind="tasks", action_url=reverse("clients:task_bulk"),
        empty_message=_("Select at least one task of your list."),
        form=TaskBulkForm(request.POST, assignees=_assignees(request.agency)), summary=_task_summary,
        apply=_task_apply(request), on_error=_on_due_date,
        done_message=lambda n: ngettext("%(count)d task updated.", "%(count)d tasks updated.", n) % {"count": n}))
