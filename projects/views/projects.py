"""The project list and the project page (overview): create by hand, edit, status, delete while empty, the
team and the budget by role. Other areas (work, timeline, time, changes, alerts) add their tabs to
templates/projects/_tabs.html."""
import copy

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clients.selectors import client_get, client_list
from clients.selectors.deals import deal_get, deal_list
from mrm.core.errors import ServiceError
from mrm.core.forms import add_service_error
from mrm.core.htmx import render_form
from mrm.core.pagination import CappedPaginator
from mrm.tenancy.models import Role
from mrm.tenancy.permissions import member_required
from mrm.tenancy.policy import can
from proposals.models import RateRole

from ..forms_shell import PROJECT_SORTS, MemberForm, ProjectFilterForm, ProjectForm, ProjectStatusForm
from ..models import Project, ProjectMember
from ..retainer import project_retainer_period
from ..selectors import can_manage_project, project_get, project_list
from ..selectors_shell import budget_by_role, project_team
from ..selectors_work import staff_users
from ..services import shell as services

PAGE_SIZE = 25


def _people(agency):
    """Active staff of the agency (PM, AM, team members), by name."""
    return staff_users(agency=agency)


def _filters(request) -> tuple[ProjectFilterForm, dict]:
    form = ProjectFilterForm(request.GET or None)
    return form, (form.cleaned_data if form.is_valid() else {})


@member_required("project.view")
def project_list_view(request):
    agency, membership = request.agency, request.membership
    form, data = _filters(request)
    qs = project_list(agency=agency, membership=membership)
    status = data.get("status") or "open"
    if status == "open":
        qs = qs.filter(status__in=Project.OPEN_STATUSES)
    elif status in Project.Status.values:
        qs = qs.filter(status=status)
    if data.get("kind"):
        qs = qs.filter(kind=data["kind"])
    if data.get("manager"):
        qs = qs.filter(manager_id=data["manager"])
    client = None
    if data.get("client"):
        qs = qs.filter(client_id=data["client"])
        client = (client_list(agency=agency, membership=membership).filter(pk=data["client"])
                  .select_related(None).only("pk", "name").first())
    q = (data.get("q") or "").strip()
    if q:
        qs = qs.filter(name__icontains=q) | qs.filter(client__name__icontains=q)
    sort = data.get("sort") or "-created_at"
    page = CappedPaginator(qs.order_by(sort, "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    params.pop("sort", None)
    return render(request, "projects/project_list.html", {
        "page": page, "q": q, "status": status, "statuses": Project.Status.choices, "kinds": Project.Kind.choices,
        "kind": data.get("kind") or "", "manager": data.get("manager"), "client": client, "sort": sort,
        "sorts": PROJECT_SORTS, "managers": _people(agency), "sort_query": params.urlencode(),
        "can_create": can(membership, "project.create"), "filter_errors": bool(form.errors),
    })


def _roles(agency):
    return RateRole.objects.filter(agency=agency, is_active=True).order_by("order", "name")


def _page_context(request, project, **extra) -> dict:
    agency, membership = request.agency, request.membership
    can_manage = can(membership, "project.manage") and can_manage_project(membership=membership, project=project)
    rows, total = budget_by_role(project=project)
    team = project_team(project=project)
    context = {
        "project": project, "tab": "overview", "can_manage": can_manage,
        "can_delete": can_manage and can(membership, "project.create"),
        "show_costs": can(membership, "project.view_costs"), "budget_rows": rows, "budget_total": total,
        "team": team, "retainer": project_retainer_period(project=project, today=timezone.localdate()),
        "statuses": Project.Status.choices,
    }
    if can_manage:
        context.setdefault("member_form", MemberForm(
            people=_people(agency).exclude(pk__in=[m.user_id for m in team]), roles=_roles(agency),
            prefix="member"))
        context["roles"] = list(_roles(agency))
    context.update(extra)
    return context


@member_required("project.view")
def project_detail_view(request, project_id):
    project = project_get(agency=request.agency, membership=request.membership, project_id=project_id)
    return render(request, "projects/project_detail.html", _page_context(request, project))


def _project_form(request, *, data=None, instance=None, initial=None) -> ProjectForm:
    agency, membership = request.agency, request.membership
    return ProjectForm(data, instance=instance, initial=initial,
                       clients=client_list(agency=agency, membership=membership).order_by("name"),
                       deals=deal_list(agency=agency, membership=membership), people=_people(agency),
                       agency=agency, show_costs=can(membership, "project.view_costs"))


def _preselected(request) -> dict:
    """?client= / ?deal= from the client or deal page (foreign or bad ids just preselect nothing)."""
    agency, membership = request.agency, request.membership
    initial: dict = {"account_manager": request.user.pk if request.membership.role == Role.AM else None}
    try:
        if request.GET.get("deal"):
            deal = deal_get(agency=agency, membership=membership, deal_id=request.GET["deal"])
            initial.update(deal=deal.pk, client=deal.client_id, name=deal.title, budget_amount=deal.amount,
                           account_manager=deal.owner_id or initial["account_manager"])
        elif request.GET.get("client"):
            client = client_get(agency=agency, membership=membership, client_id=request.GET["client"])
            initial.update(client=client.pk, account_manager=client.owner_id or initial["account_manager"])
    except (Http404, ValidationError, ValueError):
        pass
    return initial


@member_required("project.create")
def project_create_view(request):
    form = _project_form(request, data=request.POST or None, initial=_preselected(request))
    if request.method == "POST" and form.is_valid():
        try:
            project = services.project_create(agency=request.agency, actor=request.user, data=form.cleaned_data)
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Project “%(name)s” created.") % {"name": project.name})
            return redirect("projects:detail", project_id=project.pk)
    return render_form(request, "projects/project_form.html", {"form": form, "nav": "projects"},
                       invalid=bool(form.errors))


def _managed(request, project_id) -> Project:
    project = project_get(agency=request.agency, membership=request.membership, project_id=project_id)
    if not can_manage_project(membership=request.membership, project=project):
        raise PermissionDenied
    return project


@member_required("project.manage")
def project_edit_view(request, project_id):
    project = _managed(request, project_id)
    form = _project_form(request, data=request.POST or None, instance=copy.copy(project))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if project.proposal_id:
            data.pop("client", None)
        try:
            services.project_update(agency=request.agency, actor=request.user, project=project, data=data)
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Project saved."))
            return redirect("projects:detail", project_id=project.pk)
    return render_form(request, "projects/project_form.html", {"form": form, "project": project, "nav": "projects"},
                       invalid=bool(form.errors))


@require_POST
@member_required("project.manage")
def project_status_view(request, project_id):
    project = _managed(request, project_id)
    form = ProjectStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a status."))
        return redirect("projects:detail", project_id=project.pk)
    project = services.project_set_status(agency=request.agency, actor=request.user, project=project,
                                          status=form.cleaned_data["status"])
    messages.success(request, _("The project is now “%(status)s”.") % {"status": project.get_status_display()})
    return redirect("projects:detail", project_id=project.pk)


@require_POST
@member_required("project.create")
def project_delete_view(request, project_id):
    project = _managed(request, project_id)
    try:
        services.project_delete(agency=request.agency, actor=request.user, project=project)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("projects:detail", project_id=project.pk)
    messages.success(request, _("Project “%(name)s” deleted.") % {"name": project.name})
    return redirect("projects:list")


@require_POST
@member_required("project.manage")
def member_add_view(request, project_id):
    project = _managed(request, project_id)
    form = MemberForm(request.POST, people=_people(request.agency), roles=_roles(request.agency), prefix="member")
    if form.is_valid():
        try:
            services.member_add(agency=request.agency, actor=request.user, project=project,
                                user=form.cleaned_data["user"], role=form.cleaned_data.get("role"),
                                title=form.cleaned_data.get("title", ""))
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            return redirect(reverse("projects:detail", args=[project.pk]) + "#project-team")
    return render_form(request, "projects/project_detail.html", _page_context(request, project, member_form=form),
                       invalid=True)


def _member(project, member_id) -> ProjectMember:
    member = (ProjectMember.objects.filter(agency_id=project.agency_id, project=project, pk=member_id)
              .select_related("project", "user").first())
    if member is None:
        raise Http404
    return member


@require_POST
@member_required("project.manage")
def member_edit_view(request, project_id, member_id):
    project = _managed(request, project_id)
    member = _member(project, member_id)
    form = MemberForm(request.POST, instance=copy.copy(member), people=_people(request.agency),
                      roles=_roles(request.agency))
    if form.is_valid():
        services.member_update(agency=request.agency, actor=request.user, member=member,
                               role=form.cleaned_data.get("role"), title=form.cleaned_data.get("title", ""))
        return redirect(reverse("projects:detail", args=[project.pk]) + "#project-team")
    messages.error(request, _("Choose a role of the rate card."))
    return redirect(reverse("projects:detail", args=[project.pk]) + "#project-team")


@require_POST
@member_required("project.manage")
def member_remove_view(request, project_id, member_id):
    project = _managed(request, project_id)
    member = _member(project, member_id)
    try:
        services.member_remove(agency=request.agency, actor=request.user, member=member)
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect(reverse("projects:detail", args=[project.pk]) + "#project-team")
