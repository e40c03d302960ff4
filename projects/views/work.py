"""The work area of a project (the "Tasks" tab): board, list, task page (dependencies, comments, files),
milestones, and "My tasks" across projects.

Every view loads its project through projects.selectors.project_get (404 for another agency's or an invisible
project). Creating and editing milestones and tasks needs project.manage and can_manage_project; moving a task,
commenting and attaching files need project.work on a visible project."""
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mrm.core.errors import ServiceError
from mrm.core.forms import add_service_error
from mrm.core.htmx import render_form
from mrm.core.pagination import CappedPaginator
from mrm.tenancy.permissions import member_required

from ..forms_work import AttachmentForm, CommentForm, DependencyForm, MilestoneForm, TaskForm, TaskStatusForm
from ..models import ProjectTask
from ..selectors import can_manage_project, project_get
from ..selectors_work import (
    BOARD_COLUMN_LIMIT,
    attachment_get,
    attachment_list,
    board_limits,
    comment_get,
    comment_list,
    dependency_get,
    milestone_date_warnings,
    milestone_get,
    milestone_list,
    my_task_list,
    staff_users,
    task_board,
    task_date_warnings,
    task_dependencies,
    task_filter,
    task_get,
    task_list,
    workstream_list,
)
from ..services import work as services

LIST_PAGE_SIZE = 50


def _project(request, project_id, *, manage: bool = False):
    project = project_get(agency=request.agency, membership=request.membership, project_id=project_id)
    if manage and not can_manage_project(membership=request.membership, project=project):
        raise PermissionDenied
    return project


def _base(request, project, view: str) -> dict:
    return {"project": project, "tab": "tasks", "work_view": view,
            "can_manage": can_manage_project(membership=request.membership, project=project),
            "today": timezone.localdate(), "statuses": ProjectTask.Status.choices}


def _task_url(task) -> str:
    return reverse("projects:task_detail", args=[task.project_id, task.pk])


# Board and list ------------------------------------------------------------------------------------------------

_PLACEHOLDER = "00000000-0000-0000-0000-000000000000"


def _prepare_cards(project, columns, *, today) -> None:
    """What each card shows that would cost a `{% url %}`, a date filter and a loop over the statuses per card
    (hundreds of cards): both URLs from one reverse each, the due label, and the status options (five variants,
    built once; format_html_join escapes the labels)."""
    detail = reverse("projects:task_detail", args=[project.pk, _PLACEHOLDER])
    status = reverse("projects:task_status", args=[project.pk, _PLACEHOLDER])
    choices = ProjectTask.Status.choices
    options = {current: format_html_join("", '<option value="{}"{}>{}</option>',
                                         ((value, " selected" if value == current else "", label)
                                          for value, label in choices))
               for current, _label in choices}
    for col in columns:
        for task in col.tasks:
            pk = str(task.pk)
            task.detail_url = detail.replace(_PLACEHOLDER, pk)
            task.status_url = status.replace(_PLACEHOLDER, pk)
            task.status_options = options[task.status]
            task.due_label = task.due_date.strftime("%d.%m") if task.due_date else ""
            task.overdue = bool(task.due_date and task.is_open and task.due_date < today)


def _board_context(request, project) -> dict:
    context = _base(request, project, "board")
    limits = board_limits(request.GET)
    columns = task_board(agency=request.agency, project=project, limits=limits)
    shown = {f"show_{s}": n for s, n in limits.items() if n != BOARD_COLUMN_LIMIT}
    for col in columns:  # "show more" keeps the other columns as they are
        col.more_query = "?" + urlencode(shown | {f"show_{col.status}": col.next_limit})
    _prepare_cards(project, columns, today=context["today"])
    context["columns"] = columns
    context["board_url"] = reverse("projects:task_board", args=[project.pk])
    context["board_query"] = ("?" + urlencode(shown)) if shown else ""
    return context


@member_required("project.view")
def task_board_view(request, project_id):
    """Columns by status, the first cards of each ("show more" raises that column's limit)."""
    project = _project(request, project_id)
    context = _board_context(request, project)
    if request.htmx and request.GET.get("partial") == "board":
        return render(request, "projects/work_board.html#board", context)
    return render(request, "projects/work_board.html", context)


@member_required("project.view")
def task_list_view(request, project_id):
    project = _project(request, project_id)
    qs, chosen = task_filter(task_list(agency=request.agency, project=project), request.GET)
    page = CappedPaginator(qs, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    context = _base(request, project, "list") | {
        "page": page, "chosen": chosen, "people": staff_users(agency=request.agency),
        "milestones": milestone_list(agency=request.agency, project=project),
        "workstreams": workstream_list(agency=request.agency, project=project),
        "sorts": [("position", _("Board order")), ("due", _("Due date")), ("-due", _("Due date, latest first")),
                  ("title", _("Title")), ("status", _("Status")), ("assignee", _("Assignee")),
                  ("created", _("Newest"))],
    }
    if request.htmx and request.headers.get("HX-Target") == "task-results":
        return render(request, "projects/work_list.html#results", context)
    return render(request, "projects/work_list.html", context)


@member_required("project.view")
def my_tasks_view(request):
    """The logged-in person's tasks across the projects they see: open ones by due date (or done)."""
    qs = my_task_list(agency=request.agency, membership=request.membership)
    show = request.GET.get("show", "open")
    if show == "done":
        qs = qs.filter(status=ProjectTask.Status.DONE).order_by("-completed_at", "pk")
    else:
        show = "open"
        qs = qs.filter(status__in=ProjectTask.OPEN_STATUSES).order_by("due_date", "position", "pk")
    q = request.GET.get("q", "").strip()[:100]
    if q:
        qs = qs.filter(title__icontains=q)
    page = CappedPaginator(qs, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "projects/work_my_tasks.html", {
        "page": page, "show": show, "q": q, "today": timezone.localdate(), "section": "projects"})


# Tasks ---------------------------------------------------------------------------------------------------------

def _task_form_page(request, project, form, task=None, *, invalid=False):
    context = _base(request, project, "list") | {"form": form, "task": task}
    return render_form(request, "projects/work_task_form.html", context, invalid=invalid)


@member_required("project.manage")
def task_create_view(request, project_id):
    project = _project(request, project_id, manage=True)
    initial = {}
    if request.GET.get("milestone"):
        initial["milestone"] = request.GET["milestone"]
    form = TaskForm(request.POST or None, project=project, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            task = services.task_create(agency=request.agency, actor=request.user, project=project,
                                        data=form.cleaned_data)
        except ServiceError as error:
            add_service_error(form, error)
        else:
            _warn_dates(request, task, project)
            messages.success(request, _("Task “%(title)s” added.") % {"title": task.title})
            return redirect(_task_url(task))
    return _task_form_page(request, project, form, invalid=bool(form.errors))


def _warn_dates(request, task, project) -> None:
    for warning in task_date_warnings(task=task, project=project):
        messages.warning(request, warning)


@member_required("project.manage")
def task_edit_view(request, project_id, ptask_id):
    project = _project(request, project_id, manage=True)
    task = task_get(agency=request.agency, project=project, task_id=ptask_id)
    form = TaskForm(request.POST or None, instance=task, project=project)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            task = services.task_update(agency=request.agency, actor=request.user,
                                        task=task_get(agency=request.agency, project=project, task_id=ptask_id),
                                        data=data)
        except ServiceError as error:
            add_service_error(form, error)
        else:
            _warn_dates(request, task, project)
            messages.success(request, _("Task saved."))
            return redirect(_task_url(task))
    return _task_form_page(request, project, form, task, invalid=bool(form.errors))


@require_POST
@member_required("project.manage")
def task_delete_view(request, project_id, ptask_id):
    project = _project(request, project_id, manage=True)
    task = task_get(agency=request.agency, project=project, task_id=ptask_id)
    services.task_delete(agency=request.agency, actor=request.user, task=task)
    messages.success(request, _("Task “%(title)s” deleted.") % {"title": task.title})
    return redirect("projects:task_list", project.pk)


def _task_context(request, project, task, **extra) -> dict:
    before, after = task_dependencies(agency=request.agency, task=task)
    context = _base(request, project, "task") | {
        "task": task, "before": before, "after": after,
        "comments": comment_list(agency=request.agency, task=task),
        "attachments": attachment_list(agency=request.agency, task=task),
        "date_warnings": task_date_warnings(task=task, project=project),
        "status_form": TaskStatusForm(initial={"status": task.status}),
        "dependency_form": DependencyForm(task=task), "comment_form": CommentForm(),
        "attachment_form": AttachmentForm(), "user_id": request.user.pk,
    }
    context.update(extra)
    return context


@member_required("project.view")
def task_detail_view(request, project_id, ptask_id):
    project = _project(request, project_id)
    task = task_get(agency=request.agency, project=project, task_id=ptask_id)
    return render(request, "projects/work_task_detail.html", _task_context(request, project, task))


def _task_page_invalid(request, project, task, **forms):
    return render_form(request, "projects/work_task_detail.html", _task_context(request, project, task, **forms),
                       invalid=True)


@require_POST
@member_required("project.work")
def task_status_view(request, project_id, ptask_id):
    """Move a task to another status: the board's select (HTMX re-renders the board) or the task page."""
    project = _project(request, project_id)
    task = task_get(agency=request.agency, project=project, task_id=ptask_id)
    form = TaskStatusForm(request.POST)
    if not form.is_valid():
        if request.htmx and request.POST.get("from") == "board":
            return render_form(request, "projects/work_board.html#board", _board_context(request, project),
                               invalid=True)
        return _task_page_invalid(request, project, task, status_form=form)
    task = services.task_set_status(agency=request.agency, actor=request.user, task=task,
                                    status=form.cleaned_data["status"])
    if request.htmx and request.POST.get("from") == "board":
        return render(request, "projects/work_board.html#board", _board_context(request, project))
    if request.POST.get("from") == "board":
        return redirect(reverse("projects:task_board", args=[project.pk]) + f"#ptask-{task.pk}")
    messages.success(request, _("Status: %(status)s.") % {"status": task.get_status_display()})
    return redirect(_task_url(task))


@require_POST
@member_required("project.manage")
def task_dependency_add_view(request, project_id, ptask_id):
    project = _project(request, project_id, manage=True)
    task = task_get(agency=request.agency, project=project, task_id=ptask_id)
    form = DependencyForm(request.POST, task=task)
    if form.is_valid():
        try:
            services.dependency_add(agency=request.agency, actor=request.user,
                                    predecessor=form.cleaned_data["predecessor"], successor=task)
        except ServiceError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Dependency added."))
            return redirect(_task_url(task) + "#dependencies")
    return _task_page_invalid(request, project, task, dependency_form=form)


@require_POST
@member_required("project.manage")
def task_dependency_remove_view(request, project_id, ptask_id, dependency_id):
    project = _project(request, project_id, manage=True)
    task = task_get(agency=request.agency, project=project, task_id=ptask_id)
    dependency = dependency_get(agency=request.agency, task=task, dependency_id=dependency_id)
    services.dependency_remove(agency=request.agency, actor=request.user, dependency=dependency)
    messages.success(request, _("Dependency removed."))
    return redirect(_task_url(task) + "#dependencies")


@require_POST
@member_required("project.work")
def task_comment_add_view(request, project_id, ptask_id):
    project = _project(request, project_id)
    task = task_get(agency=request.agency, project=project, task_id=ptask_id)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            comment = services.comment_add(agency=request.agency, actor=request.user, task=task,
                                           body=form.cleaned_data["body"])
        except ServiceError as error:
            add_service_error(form, error)
        else:
            return redirect(_task_url(task) + f"#comment-{comment.pk}")
    return _task_page_invalid(request, project, task, comment_form=form)


@require_POST
@member_required("project.work")
def task_comment_delete_view(request, project_id, ptask_id, comment_id):
    """Its author may delete a comment, and anyone who manages the project."""
    project = _project(request, project_id)
    task = task_get(agency=request.agency, project=project, task_id=ptask_id)
    comment = comment_get(agency=request.agency, task=task, comment_id=comment_id)
    if comment.author_id != request.user.pk and not can_manage_project(membership=request.membership,
                                                                        project=project):
        raise PermissionDenied
    services.comment_delete(agency=request.agency, actor=request.user, comment=comment)
    messages.success(request, _("Comment deleted."))
    return redirect(_task_url(task) + "#comments")


@member_required("project.work")
def task_attachment_upload_view(request, project_id, ptask_id):
    project = _project(request, project_id)
    task = task_get(agency=request.agency, project=project, task_id=ptask_id)
    if request.method != "POST":
        return redirect(_task_url(task) + "#files")
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        attachment = services.attachment_upload(
            agency=request.agency, actor=request.user, task=task, upload=form.cleaned_data["file"],
            name=form.cleaned_data["name"], content_type=form.content_type,
            client_visible=form.cleaned_data["client_visible"])
        messages.success(request, _("File %(name)s uploaded.") % {"name": attachment.name})
        return redirect(_task_url(task) + "#files")
    return _task_page_invalid(request, project, task, attachment_form=form)


@member_required("project.view")
def task_attachment_download_view(request, project_id, ptask_id, attachment_id):
    project = _project(request, project_id)
    task = task_get(agency=request.agency, project=project, task_id=ptask_id)
    attachment = attachment_get(agency=request.agency, task=task, attachment_id=attachment_id)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    ext = attachment.file.name.rsplit(".", 1)[-1] if "." in attachment.file.name else ""
    filename = attachment.name if attachment.name.lower().endswith("." + ext) else f"{attachment.name}.{ext}"
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=attachment.content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
@member_required("project.work")
def task_attachment_visibility_view(request, project_id, ptask_id, attachment_id):
    """Share a file with the client as a deliverable, or stop sharing it (`client_visible` = "1" / "0"): its
    uploader and anyone who manages the project, like deleting it."""
    project = _project(request, project_id)
    task = task_get(agency=request.agency, project=project, task_id=ptask_id)
    attachment = attachment_get(agency=request.agency, task=task, attachment_id=attachment_id)
    if attachment.uploaded_by_id != request.user.pk and not can_manage_project(membership=request.membership,
                                                                                project=project):
        raise PermissionDenied
    value = request.POST.get("client_visible")
    if value not in ("0", "1"):
        return HttpResponseBadRequest(_("Choose whether the client may download the file."))
    services.attachment_set_client_visible(agency=request.agency, actor=request.user, attachment=attachment,
                                           client_visible=value == "1")
    if value == "1":
        note = "" if task.client_visible else " " + _("The task is hidden from the client: share the task too.")
        messages.success(request, _("The client may now download %(name)s.") % {"name": attachment.name} + note)
    else:
        messages.success(request, _("%(name)s is no longer shared with the client.") % {"name": attachment.name})
    return redirect(_task_url(task) + "#files")


@require_POST
@member_required("project.work")
def task_attachment_delete_view(request, project_id, ptask_id, attachment_id):
    """Its uploader may delete a file, and anyone who manages the project."""
    project = _project(request, project_id)
    task = task_get(agency=request.agency, project=project, task_id=ptask_id)
    attachment = attachment_get(agency=request.agency, task=task, attachment_id=attachment_id)
    if attachment.uploaded_by_id != request.user.pk and not can_manage_project(membership=request.membership,
                                                                                project=project):
        raise PermissionDenied
    services.attachment_delete(agency=request.agency, actor=request.user, attachment=attachment)
    messages.success(request, _("File %(name)s deleted.") % {"name": attachment.name})
    return redirect(_task_url(task) + "#files")


# Milestones ----------------------------------------------------------------------------------------------------

@member_required("project.view")
def milestone_list_view(request, project_id):
    project = _project(request, project_id)
    milestones = list(milestone_list(agency=request.agency, project=project))
    for milestone in milestones:
        milestone.warnings = milestone_date_warnings(milestone=milestone, project=project)
    context = _base(request, project, "milestones") | {"milestones": milestones}
    if context["can_manage"]:
        context["form"] = MilestoneForm(project=project)
    return render(request, "projects/work_milestones.html", context)


def _milestone_form_page(request, project, form, milestone=None, *, invalid=False):
    context = _base(request, project, "milestones") | {"form": form, "milestone": milestone}
    return render_form(request, "projects/work_milestone_form.html", context, invalid=invalid)


def _milestones_url(project) -> str:
    return reverse("projects:milestones", args=[project.pk])


@member_required("project.manage")
def milestone_create_view(request, project_id):
    project = _project(request, project_id, manage=True)
    form = MilestoneForm(request.POST or None, project=project)
    if request.method == "POST" and form.is_valid():
        milestone = services.milestone_create(agency=request.agency, actor=request.user, project=project,
                                              data=form.cleaned_data)
        for warning in milestone_date_warnings(milestone=milestone, project=project):
            messages.warning(request, warning)
        messages.success(request, _("Milestone “%(title)s” added.") % {"title": milestone.title})
        return redirect(_milestones_url(project) + f"#milestone-{milestone.pk}")
    return _milestone_form_page(request, project, form, invalid=bool(form.errors))


@member_required("project.manage")
def milestone_edit_view(request, project_id, milestone_id):
    project = _project(request, project_id, manage=True)
    milestone = milestone_get(agency=request.agency, project=project, milestone_id=milestone_id)
    form = MilestoneForm(request.POST or None, instance=milestone, project=project)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        milestone = services.milestone_update(
            agency=request.agency, actor=request.user,
            milestone=milestone_get(agency=request.agency, project=project, milestone_id=milestone_id), data=data)
        for warning in milestone_date_warnings(milestone=milestone, project=project):
            messages.warning(request, warning)
        messages.success(request, _("Milestone saved."))
        return redirect(_milestones_url(project) + f"#milestone-{milestone.pk}")
    return _milestone_form_page(request, project, form, milestone, invalid=bool(form.errors))


@require_POST
@member_required("project.manage")
def milestone_delete_view(request, project_id, milestone_id):
    project = _project(request, project_id, manage=True)
    milestone = milestone_get(agency=request.agency, project=project, milestone_id=milestone_id)
    services.milestone_delete(agency=request.agency, actor=request.user, milestone=milestone)
    messages.success(request, _("Milestone “%(title)s” deleted.") % {"title": milestone.title})
    return redirect(_milestones_url(project))


@require_POST
@member_required("project.manage")
def milestone_reached_view(request, project_id, milestone_id):
    project = _project(request, project_id, manage=True)
    milestone = milestone_get(agency=request.agency, project=project, milestone_id=milestone_id)
    reached = request.POST.get("reached", "1") == "1"
    services.milestone_set_reached(agency=request.agency, actor=request.user, milestone=milestone, reached=reached)
    messages.success(request, _("Milestone reached.") if reached else _("Milestone reopened."))
    return redirect(_milestones_url(project) + f"#milestone-{milestone.pk}")
