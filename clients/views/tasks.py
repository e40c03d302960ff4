"""AM tasks and follow-ups: the task list, create/edit, complete/reopen in place (HTMX), the client block."""
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mrm.core.errors import ServiceError
from mrm.core.forms import add_service_error
from mrm.core.htmx import render_form
from mrm.core.pagination import CappedPaginator
from mrm.tenancy.models import STAFF_ROLES, Membership, Role
from mrm.tenancy.permissions import member_required

from ..block_cache import of_client
from ..forms_pipeline import TaskFilterForm, TaskForm, TaskQuickForm
from ..models import Deal, SavedView, Task
from ..selectors import client_get, client_list
from ..selectors.deals import deal_list
from ..selectors.tasks import client_open_tasks, task_filter, task_get, task_list
from ..services import tasks as services
from ._blocks import htmx_form_error, register_block, render_block
from .deals import _next_url
from .saved_views import default_view_redirect, saved_views_context
from .task_rows import with_links

PAGE_SIZE = 30


def _assignees(agency):
    return get_user_model().objects.filter(pk__in=Membership.objects.filter(
        agency=agency, is_active=True, role__in=STAFF_ROLES).values("user_id")).order_by("full_name")


def task_deal_choices(request, *, client=None):
    """Deals a task can link to: the chosen client's (all of them when no client is chosen), won ones
    included — a follow-up after the win is the commonest task — lost ones left out."""
    deals = deal_list(agency=request.agency, membership=request.membership).exclude(stage=Deal.Stage.LOST)
    if client is not None:
        deals = deals.filter(client=client)
    return deals.select_related("client").order_by("client__name", "-created_at")


def _chosen_client(request, data, instance, client):
    """The client the form is about: the one just picked (bound data), else the preset, else the task's."""
    value = data.get("client") if data is not None else None
    if value:
        try:
            return client_get(agency=request.agency, membership=request.membership, client_id=value)
        except (Http404, ValidationError):
            return None
    if client is not None:
        return client
    return instance.client if instance is not None and instance.client_id else None


def _task_form(request, *, data=None, instance=None, initial=None, client=None) -> TaskForm:
    clients = client_list(agency=request.agency, membership=request.membership).order_by("name")
    deals = task_deal_choices(request, client=_chosen_client(request, data, instance, client))
    if instance is not None and instance.deal_id:
        deals = deals | deal_list(agency=request.agency, membership=request.membership).filter(pk=instance.deal_id)
    return TaskForm(data, instance=instance, initial=initial, clients=clients, deals=deals,
                    assignees=_assignees(request.agency), agency=request.agency)


def _on_due_date(exc: ServiceError) -> ServiceError:
    """The service speaks of `due_at`; the forms split it into a date and a time."""
    if exc.field == "due_at":
        exc.field = "due_date"
    return exc


@member_required("task.view")
def task_list_view(request):
    if (response := default_view_redirect(request, SavedView.List.TASKS)) is not None:
        return response
    form = TaskFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = task_filter(task_list(agency=request.agency, membership=request.membership), filters=filters,
                     user=request.user)
    page = CappedPaginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = with_links(page.object_list, next_url=request.get_full_path())
    context = {
        "page": page, "form": form, "nav": "tasks", "filters": filters, "scope": filters.get("scope") or "mine",
        "state": filters.get("state") or "open", "kinds": Task.Kind.choices,
        "is_director": request.membership.role == Role.DIRECTOR,
        "assignees": _assignees(request.agency),  # the bulk "assign to" choices
        "filtered": any(filters.get(k) for k in ("q", "overdue", "kind", "client")),
        **saved_views_context(request, SavedView.List.TASKS),
    }
    if request.htmx and request.htmx.target == "results":
        return render(request, "clients/task_list.html#results", context)
    return render(request, "clients/task_list.html", context)


def _preset(request) -> dict:
    """?client=…&deal=… from the client page or a deal card preselect the links."""
    preset = {}
    for key, getter in (("client", lambda v: client_get(agency=request.agency, membership=request.membership,
                                                        client_id=v)),
                        ("deal", lambda v: deal_list(agency=request.agency, membership=request.membership)
                         .get(pk=v))):
        value = request.GET.get(key)
        if value:
            try:
                preset[key] = getter(value)
            except (Http404, ValidationError, Deal.DoesNotExist):
                pass
    if "deal" in preset and "client" not in preset:
        preset["client"] = preset["deal"].client
    return preset


@member_required("task.edit")
def task_create_view(request):
    preset = _preset(request)
    client = preset.get("client")
    default_next = reverse("clients:detail", args=[client.pk]) + "#section-tasks" if client else \
        reverse("clients:task_list")
    if request.method == "POST" and request.POST.get("quick") and client is not None:
        return _quick_create(request, client)
    initial = {"assignee": request.user.pk, "kind": request.GET.get("kind") or Task.Kind.TASK,
               "client": client.pk if client else None, "deal": preset["deal"].pk if "deal" in preset else None}
    form = _task_form(request, data=request.POST or None, initial=initial, client=client)
    if request.method == "POST" and form.is_valid():
        try:
            task = services.task_create(agency=request.agency, actor=request.user, data=form.cleaned_data)
        except ServiceError as exc:
            add_service_error(form, _on_due_date(exc))
        else:
            messages.success(request, _("Task “%(title)s” added.") % {"title": task.title})
            return redirect(_next_url(request, default_next))
    return render_form(request, "clients/task_form.html", {"form": form, "client": client, "nav": "tasks",
                                                      "next": _next_url(request, default_next)}, invalid=bool(form.errors))


def _quick_create(request, client):
    """The client block's one-line add: HTMX re-renders the block; without JS, back to the client page."""
    form = TaskQuickForm(request.POST, agency=request.agency)
    if form.is_valid():
        data = {"title": form.cleaned_data["title"], "kind": form.cleaned_data["kind"],
                "due_at": form.cleaned_data["due_at"], "client": client}
        try:
            services.task_create(agency=request.agency, actor=request.user, data=data)
        except ServiceError as exc:
            add_service_error(form, _on_due_date(exc))
        else:
            if request.htmx:
                return render_block(request, TASKS, client)
            messages.success(request, _("Task added."))
            return redirect(reverse("clients:detail", args=[client.pk]) + "#section-tasks")
    if request.htmx:
        return htmx_form_error(request, render_block(request, TASKS, client, quick_form=form), target="#section-tasks",
                               swap="innerHTML")
    messages.error(request, "; ".join(e for errors in form.errors.values() for e in errors))
    return redirect(reverse("clients:detail", args=[client.pk]) + "#section-tasks")


@member_required("task.edit")
def task_deal_options_view(request):
    """HTMX: the deal `<option>`s of the client just chosen in the task form (?client=<id>)."""
    value = request.GET.get("client")
    client = None
    if value:
        try:
            client = client_get(agency=request.agency, membership=request.membership, client_id=value)
        except ValidationError as exc:
            raise Http404 from exc
    return render(request, "clients/task_deal_options.html", {"deals": task_deal_choices(request, client=client),
                                                               "selected": request.GET.get("deal", "")})


@member_required("task.edit")
def task_edit_view(request, task_id):
    task = task_get(agency=request.agency, membership=request.membership, task_id=task_id)
    form = _task_form(request, data=request.POST or None, instance=task)
    default_next = reverse("clients:task_list")
    if request.method == "POST" and form.is_valid():
        try:
            services.task_update(agency=request.agency, actor=request.user, task=task, data=form.cleaned_data)
        except ServiceError as exc:
            add_service_error(form, _on_due_date(exc))
        else:
            messages.success(request, _("Task saved."))
            return redirect(_next_url(request, default_next))
    return render_form(request, "clients/task_form.html", {"form": form, "task": task, "client": task.client, "nav": "tasks",
                                                      "next": _next_url(request, default_next)}, invalid=bool(form.errors))


@require_POST
@member_required("task.edit")
def task_toggle_view(request, task_id):
    """Complete an open task or reopen a done one; HTMX swaps the row in place."""
    task = task_get(agency=request.agency, membership=request.membership, task_id=task_id)
    if task.done_at is None:
        task = services.task_complete(agency=request.agency, actor=request.user, task=task)
    else:
        task = services.task_reopen(agency=request.agency, actor=request.user, task=task)
    if request.htmx:
        task, = with_links([task], next_url=_next_url(request, reverse("clients:task_list")))
        return render(request, "clients/blocks/task_row.html", {"task": task, "show_client": request.POST.get(
            "show_client") == "1"})
    if task.done_at:
        messages.success(request, _("Done: %(title)s.") % {"title": task.title})
    else:
        messages.success(request, _("Reopened: %(title)s.") % {"title": task.title})
    return redirect(_next_url(request, reverse("clients:task_list")))


def _tasks_block(request, client) -> dict:
    tasks, count = client_open_tasks(agency=request.agency, membership=request.membership, client=client)
    tasks = with_links(tasks, next_url=reverse("clients:detail", args=[client.pk]))
    return {"tasks": tasks, "count": count, "more": count - len(tasks),
            "quick_form": TaskQuickForm(agency=request.agency, auto_id="quick_task_%s")}


TASKS = register_block(key="tasks", template="clients/blocks/tasks.html", column="side", order=5,
                       context=_tasks_block, rows=(of_client("clients.Task"), of_client("clients.Deal")))
