"""The Changes tab: change requests of a project (list, the hidden cost of unpriced extra work, create, edit the
lines from the rate card, send, withdraw, record a decision taken by phone). Every page loads the project through
`project_get` (visibility) and every change also needs `can_manage_project`; lines swap by HTMX."""
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clients.models import Contact
from mrm.core.errors import ServiceError
from mrm.core.forms import add_service_error
from mrm.core.htmx import htmx_invalid, render_form
from mrm.core.pagination import CappedPaginator
from mrm.tenancy.models import Membership, Role
from mrm.tenancy.permissions import member_required
from mrm.tenancy.policy import can

from .. import selectors_changes as selectors
from ..forms_changes import (
    ChangeRequestCreateForm,
    ChangeRequestUpdateForm,
    LineForm,
    LineUpdateForm,
    RecordDecisionForm,
    ScopeForm,
    SendForm,
)
from ..models import ChangeRequest, ProjectTask
from ..selectors import can_manage_project, project_get
from ..services import changes as services

PAGE_SIZE = 20
SCOPE_TASKS_MAX = 300


def _project(request, project_id, *, manage: bool = False):
    project = project_get(agency=request.agency, membership=request.membership, project_id=project_id)
    if manage and not can_manage_project(membership=request.membership, project=project):
        raise PermissionDenied
    return project


def _can_edit(request, project) -> bool:
    return can(request.membership, "change_request.edit") and can_manage_project(
        membership=request.membership, project=project)


@member_required("project.view")
def change_list_view(request, project_id):
    project = _project(request, project_id)
    qs = selectors.change_request_list(agency=request.agency, project=project).order_by("-number")
    page = CappedPaginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    can_manage = can_manage_project(membership=request.membership, project=project)
    scope_tasks = []
    if can_manage:
        scope_tasks = list(ProjectTask.objects.filter(agency=request.agency, project=project, out_of_scope=False)
                           .order_by("title").only("id", "title")[:SCOPE_TASKS_MAX])
    return render(request, "projects/changes_list.html", {
        "project": project, "tab": "changes", "page": page,
        "hidden": selectors.hidden_cost(agency=request.agency, project=project),
        "out_of_scope": list(ProjectTask.objects.filter(agency=request.agency, project=project, out_of_scope=True)
                             .order_by("title").only("id", "title")),
        "scope_tasks": scope_tasks, "can_edit": _can_edit(request, project), "can_manage": can_manage,
        "view_costs": can(request.membership, "project.view_costs"),
        "form": ChangeRequestCreateForm(prefix="cr"),
    })


@require_POST
@member_required("change_request.edit")
def change_create_view(request, project_id):
    project = _project(request, project_id, manage=True)
    form = ChangeRequestCreateForm(request.POST, prefix="cr")
    if form.is_valid():
        try:
            change_request = services.change_request_create(
                agency=request.agency, actor=request.user, project=project, title=form.cleaned_data["title"],
                description=form.cleaned_data["description"])
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Change request created. Add the work from the rate card."))
            return redirect("projects:change_detail", project_id=project.pk, change_request_id=change_request.pk)
    messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("projects:changes", project_id=project.pk)


@require_POST
@member_required("change_request.edit")
def change_from_extra_work_view(request, project_id):
    """A draft pre-filled from the unpriced extra work (one line per out-of-scope task with logged time)."""
    project = _project(request, project_id, manage=True)
    try:
        change_request = services.change_request_from_extra_work(agency=request.agency, actor=request.user,
                                                                 project=project)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("projects:changes", project_id=project.pk)
    messages.success(request, _("Draft made from the extra work: check the hours and roles, then send it."))
    return redirect("projects:change_detail", project_id=project.pk, change_request_id=change_request.pk)


@require_POST
@member_required("project.manage")
def change_scope_view(request, project_id):
    """Mark a task as extra work outside the agreed scope (or back inside it)."""
    project = _project(request, project_id, manage=True)
    form = ScopeForm(request.POST)
    task = None
    if form.is_valid():
        task = ProjectTask.objects.filter(agency=request.agency, project=project, pk=form.cleaned_data["task"]).first()
    if task is None:
        messages.error(request, _("Choose a task of this project."))
    else:
        services.task_mark_out_of_scope(agency=request.agency, actor=request.user, project=project, task=task,
                                        value=form.cleaned_data["out_of_scope"])
    return redirect(reverse("projects:changes", args=[project.pk]) + "#extra-work")


# --- one change request -----------------------------------------------------------------------------

def _get(request, project_id, change_request_id, *, manage: bool = False):
    project = _project(request, project_id, manage=manage)
    return selectors.change_request_get(agency=request.agency, project=project, change_request_id=change_request_id)


def _context(request, change_request: ChangeRequest, **extra) -> dict:
    project = change_request.project
    lines = list(selectors.line_list(change_request=change_request).select_related("task", "source_task"))
    ctx = {
        "project": project, "tab": "changes", "cr": change_request, "lines": lines,
        "totals": services.totals_for(change_request=change_request, lines=lines),
        "editable": change_request.is_editable and _can_edit(request, project),
        "can_edit": _can_edit(request, project),
        "view_costs": can(request.membership, "project.view_costs"),
        "line_form": LineForm(agency=request.agency, prefix="line"),
        "update_form": ChangeRequestUpdateForm(prefix="cr", initial={
            "title": change_request.title, "description": change_request.description,
            "discount_percent": change_request.discount_percent, "discount_reason": change_request.discount_reason}),
        "roles": list(LineForm(agency=request.agency).fields["role"].queryset),
        "recipients": list(change_request.recipients.filter(agency=request.agency)),
    }
    ctx.update(extra)
    return ctx


@member_required("project.view")
def change_detail_view(request, project_id, change_request_id):
    change_request = _get(request, project_id, change_request_id)
    return render(request, "projects/changes_detail.html", _context(request, change_request))


def _answer(request, change_request: ChangeRequest, *, error: str = ""):
    """HTMX: the lines block (422 with the message on a refused edit); otherwise back to the page."""
    if request.htmx:
        change_request.refresh_from_db()
        ctx = _context(request, change_request, error=error)
        if error:
            return htmx_invalid(request, "projects/changes_detail.html#lines", ctx)
        return render(request, "projects/changes_detail.html#lines", ctx)
    if error:
        messages.error(request, error)
    return redirect(reverse("projects:change_detail", args=[change_request.project_id, change_request.pk]) + "#lines")


def _form_error(form) -> str:
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


@require_POST
@member_required("change_request.edit")
def change_update_view(request, project_id, change_request_id):
    change_request = _get(request, project_id, change_request_id, manage=True)
    form = ChangeRequestUpdateForm(request.POST, prefix="cr")
    if form.is_valid():
        data = dict(form.cleaned_data)
        data["discount_percent"] = data.get("discount_percent") or 0
        try:
            services.change_request_update(agency=request.agency, actor=request.user, change_request=change_request,
                                           data=data)
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            return _answer(request, change_request)
    return htmx_invalid(request, "projects/changes_detail.html", _context(request, change_request, update_form=form))


@require_POST
@member_required("change_request.edit")
def change_line_add_view(request, project_id, change_request_id):
    change_request = _get(request, project_id, change_request_id, manage=True)
    form = LineForm(request.POST, agency=request.agency, prefix="line")
    if not form.is_valid():
        return _answer(request, change_request, error=_form_error(form))
    try:
        services.line_add(agency=request.agency, actor=request.user, change_request=change_request,
                          role=form.cleaned_data["role"], description=form.cleaned_data["description"],
                          hours=form.cleaned_data["hours"])
    except ServiceError as exc:
        return _answer(request, change_request, error=exc.message)
    return _answer(request, change_request)


@require_POST
@member_required("change_request.edit")
def change_line_update_view(request, project_id, change_request_id, cr_line_id):
    change_request = _get(request, project_id, change_request_id, manage=True)
    line = selectors.line_get(change_request=change_request, line_id=cr_line_id)
    form = LineUpdateForm(request.POST, agency=request.agency)
    if not form.is_valid():
        return _answer(request, change_request, error=_("“%(line)s”: hours must be a number between 0.5 and 5000.")
                       % {"line": line.description})
    try:
        services.line_update(agency=request.agency, actor=request.user, change_request=change_request, line=line,
                             hours=form.cleaned_data["hours"], role=form.cleaned_data.get("role"),
                             description=form.cleaned_data.get("description") or None)
    except ServiceError as exc:
        return _answer(request, change_request, error=exc.message)
    return _answer(request, change_request)


@require_POST
@member_required("change_request.edit")
def change_line_delete_view(request, project_id, change_request_id, cr_line_id):
    change_request = _get(request, project_id, change_request_id, manage=True)
    line = selectors.line_get(change_request=change_request, line_id=cr_line_id)
    try:
        services.line_delete(agency=request.agency, actor=request.user, change_request=change_request, line=line)
    except ServiceError as exc:
        return _answer(request, change_request, error=exc.message)
    return _answer(request, change_request)


def _client_contacts(request, change_request: ChangeRequest):
    return (Contact.objects.filter(agency=request.agency, client_id=change_request.project.client_id)
            .order_by("-is_primary", "full_name"))


@member_required("change_request.edit")
def change_send_view(request, project_id, change_request_id):
    change_request = _get(request, project_id, change_request_id, manage=True)
    contacts = _client_contacts(request, change_request).exclude(email="")
    form = SendForm(request.POST if request.method == "POST" else None, contacts=contacts,
                    initial={"contacts": [c for c in contacts if c.is_primary]})
    if request.method == "POST" and form.is_valid():
        try:
            services.change_request_send(agency=request.agency, actor=request.user, change_request=change_request,
                                         contacts=form.cleaned_data["contacts"], message=form.cleaned_data["message"])
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Change request sent to %(who)s: they approve or decline it in the portal.")
                             % {"who": ", ".join(c.full_name for c in form.cleaned_data["contacts"])})
            return redirect("projects:change_detail", project_id=project_id, change_request_id=change_request.pk)
    with_login = set(Membership.objects.filter(agency=request.agency, role=Role.CLIENT, is_active=True,
                                               contact__in=contacts).values_list("contact_id", flat=True))
    return render_form(request, "projects/changes_send.html", {
        "project": change_request.project, "tab": "changes", "cr": change_request, "form": form,
        "contacts": contacts, "with_login": with_login,
    }, invalid=bool(form.errors))


@require_POST
@member_required("change_request.edit")
def change_withdraw_view(request, project_id, change_request_id):
    change_request = _get(request, project_id, change_request_id, manage=True)
    try:
        services.change_request_withdraw(agency=request.agency, actor=request.user, change_request=change_request)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Change request withdrawn: the client can no longer decide on it."))
    return redirect("projects:change_detail", project_id=project_id, change_request_id=change_request.pk)


@member_required("change_request.edit")
def change_record_decision_view(request, project_id, change_request_id):
    """Staff record an answer the client gave by phone, e-mail or at a meeting (who, when, how)."""
    change_request = _get(request, project_id, change_request_id, manage=True)
    contacts = _client_contacts(request, change_request)
    form = RecordDecisionForm(request.POST if request.method == "POST" else None, contacts=contacts,
                              initial={"content_hash": change_request.content_hash, "via": "phone"})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.change_request_decide(
                agency=request.agency, actor=request.user, change_request=change_request,
                approve=data["decision"] == "approve", content_hash=data["content_hash"], note=data["note"],
                via=data["via"], contact=data["contact"], decided_at=data.get("decided_at"))
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The client's answer is recorded."))
            return redirect("projects:change_detail", project_id=project_id, change_request_id=change_request.pk)
    return render_form(request, "projects/changes_decision.html", {
        "project": change_request.project, "tab": "changes", "cr": change_request, "form": form,
    }, invalid=bool(form.errors))
