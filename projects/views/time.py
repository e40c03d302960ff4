"""Time: the project's Time tab (entries, filters, quick entry), editing an entry, the personal weekly timesheet
(HTMX cell save), the running timer and its indicator, time off."""
from datetime import timedelta
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mrm.core.errors import ServiceError
from mrm.core.forms import add_service_error
from mrm.core.htmx import htmx_invalid, render_form
from mrm.core.pagination import CappedPaginator
from mrm.tenancy.models import Membership, Role
from mrm.tenancy.permissions import member_required
from mrm.tenancy.policy import can

from ..calendar import work_calendar
from ..forms_time import TimeEntryFilterForm, TimeEntryForm, TimeOffForm, TimerStartForm
from ..models import Project, ProjectTask, TimeEntry, TimeOff
from ..selectors import can_manage_project, project_get, project_list
from ..selectors_time import time_entry_get, time_entry_list, time_off_get, time_off_list
from ..selectors_work import staff_users
from ..services import time as services

PAGE_SIZE = 50
ROW_LIMIT = 60  # assigned open tasks shown on the timesheet without being added
CHOICE_LIMIT = 300  # tasks offered by "add a row" / the timer


def _next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return default


# --- the project's Time tab -------------------------------------------------------------------------------------

def _project_tasks(request, project):
    return ProjectTask.objects.filter(agency=request.agency, project=project).order_by("position", "created_at")


def _project_time_context(request, project, form):
    membership = request.membership
    qs = time_entry_list(agency=request.agency, membership=membership).filter(project=project)
    filters = TimeEntryFilterForm(request.GET or None)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    if chosen.get("user"):
        qs = qs.filter(user__uuid=chosen["user"])
    if chosen.get("task"):
        qs = qs.filter(task_id=chosen["task"])
    if chosen.get("date_from"):
        qs = qs.filter(date__gte=chosen["date_from"])
    if chosen.get("date_to"):
        qs = qs.filter(date__lte=chosen["date_to"])
    totals = qs.aggregate(hours=Sum("hours"))
    page = CappedPaginator(qs.order_by("-date", "-created_at", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    team = (Membership.objects.filter(agency=request.agency, user_id__in=TimeEntry.objects.filter(
        agency=request.agency, project=project).values("user_id")).select_related("user")
        .order_by("user__full_name"))
    return {
        "project": project, "tab": "time", "page": page, "form": form, "filters": chosen,
        "filtered": any(chosen.values()), "total_hours": totals["hours"] or Decimal("0"),
        "people": team, "tasks": form.fields["task"].queryset if form is not None else _project_tasks(request, project),
        "can_log": form is not None, "show_costs": can(membership, "project.view_costs"),
        "can_manage": can_manage_project(membership=membership, project=project),
        "me": membership.user_id, "is_director": membership.role == Role.DIRECTOR,
    }


@member_required("project.view")
def project_time_view(request, project_id):
    project = project_get(agency=request.agency, membership=request.membership, project_id=project_id)
    may_log = can(request.membership, "project.work") and services.may_log_on(membership=request.membership,
                                                                               project=project)
    today = services.agency_today(request.agency)
    form = None
    if may_log:
        form = TimeEntryForm(request.POST or None, tasks=_project_tasks(request, project), initial={"date": today},
                             prefix="entry")
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                entry = services.time_entry_create(
                    agency=request.agency, membership=request.membership, project=project, task=data["task"],
                    day=data["date"], hours=data["hours"], note=data["note"], billable=data["billable"])
            except ServiceError as exc:
                add_service_error(form, exc)
            else:
                if entry.is_outside_project:
                    messages.warning(request, _("Logged, but the day is outside the project's dates."))
                else:
                    messages.success(request, _("Time logged."))
                if request.htmx:
                    form = TimeEntryForm(tasks=_project_tasks(request, project), prefix="entry",
                                         initial={"date": data["date"], "task": data["task"]})
                    return render(request, "projects/time_project.html#time-panel",
                                  _project_time_context(request, project, form))
                return redirect("projects:time", project.pk)
        context = _project_time_context(request, project, form)
        return htmx_invalid(request, "projects/time_project.html#time-panel" if request.htmx
                            else "projects/time_project.html", context)
    template = "projects/time_project.html"
    if request.htmx and request.htmx.target == "time-entries":
        template += "#time-entries"
    return render(request, template, _project_time_context(request, project, form))


@member_required("project.work")
def time_entry_edit_view(request, entry_id):
    entry = time_entry_get(agency=request.agency, membership=request.membership, entry_id=entry_id)
    if not services.may_change_entry(membership=request.membership, entry=entry) or entry.is_running:
        raise PermissionDenied
    tasks = _project_tasks(request, entry.project)
    form = TimeEntryForm(request.POST or None, tasks=tasks, initial={
        "task": entry.task_id, "date": entry.date, "hours": entry.hours.normalize(), "note": entry.note,
        "billable": entry.billable})
    back = _next(request, reverse("projects:time", args=[entry.project_id]))
    if request.method == "POST" and form.is_valid():
        try:
            services.time_entry_update(agency=request.agency, membership=request.membership, entry=entry,
                                       data=form.cleaned_data)
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Entry saved."))
            return redirect(back)
    return render_form(request, "projects/time_entry_form.html",
                       {"form": form, "entry": entry, "project": entry.project, "back": back},
                       invalid=request.method == "POST")


@require_POST
@member_required("project.work")
def time_entry_delete_view(request, entry_id):
    entry = time_entry_get(agency=request.agency, membership=request.membership, entry_id=entry_id)
    try:
        services.time_entry_delete(agency=request.agency, membership=request.membership, entry=entry)
    except ServiceError:
        raise PermissionDenied from None
    if request.htmx:
        return HttpResponse("")
    messages.success(request, _("Entry deleted."))
    return redirect(_next(request, reverse("projects:time", args=[entry.project_id])))


# --- the weekly timesheet ---------------------------------------------------------------------------------------

def _loggable_projects(request):
    """Open projects the member sees; for a specialist that is exactly those they manage or are on the team of
    (where they may log, `services.may_log_on`)."""
    return project_list(agency=request.agency, membership=request.membership).filter(
        status__in=Project.OPEN_STATUSES)


def _parse_key(key: str):
    """'c_<project>_<task|none>_<YYYY-MM-DD>' → (project id, task id or None, date) or None."""
    from datetime import date
    from uuid import UUID

    parts = key.split("_")
    if len(parts) != 4 or parts[0] != "c":
        return None
    try:
        project_id = UUID(parts[1])
        task_id = None if parts[2] == "none" else UUID(parts[2])
        day = date.fromisoformat(parts[3])
    except ValueError:
        return None
    return project_id, task_id, day


def _cells_from(request, data, monday):
    """The grid's posted cells that belong to this week, on visible projects and their tasks. Two queries."""
    parsed = {}
    for key, value in data.items():
        if not key.startswith("c_"):
            continue
        bits = _parse_key(key)
        if bits is None or not monday <= bits[2] <= monday + timedelta(days=6):
            continue
        parsed[key] = (bits, value[:12])
    if not parsed:
        return [], {}
    project_ids = {bits[0] for bits, _v in parsed.values()}
    projects = {p.pk: p for p in project_list(agency=request.agency, membership=request.membership)
                .filter(pk__in=project_ids)}
    task_ids = {bits[1] for bits, _v in parsed.values() if bits[1]}
    tasks = {t.pk: t for t in ProjectTask.objects.filter(agency=request.agency, pk__in=task_ids,
                                                         project_id__in=list(projects))
             .select_related("role")} if task_ids else {}
    cells, errors = [], {}
    for key, ((project_id, task_id, day), value) in parsed.items():
        project = projects.get(project_id)
        task = tasks.get(task_id) if task_id else None
        if project is None or (task_id and (task is None or task.project_id != project_id)):
            errors[key] = _("This task is not available.")
            continue
        cells.append(services.Cell(project=project, task=task, day=day, value=value))
    return cells, errors


def _timesheet_context(request, monday, *, typed=None, errors=None):
    """The grid: rows (project, task) with a cell per day. A constant number of queries."""
    agency, membership = request.agency, request.membership
    user = membership.user
    today = services.agency_today(agency)
    days = [monday + timedelta(days=n) for n in range(7)]
    sunday = days[-1]
    calendar = work_calendar(agency=agency, start=monday, end=sunday)
    off_days = set()
    for start, end in TimeOff.objects.filter(agency=agency, user=user, start_date__lte=sunday,
                                             end_date__gte=monday).values_list("start_date", "end_date"):
        off_days.update(d for d in days if start <= d <= end)
    entries = list(TimeEntry.objects.filter(agency=agency, user=user, date__gte=monday, date__lte=sunday)
                   .select_related("project", "task").order_by("date", "created_at"))
    rows: dict[tuple, dict] = {}

    def row(project, task):
        key = (project.pk, task.pk if task else None)
        if key not in rows:
            rows[key] = {"project": project, "task": task, "hours": {d: Decimal("0") for d in days},
                         "count": {d: 0 for d in days}}
        return rows[key]

    running = None
    for entry in entries:
        r = row(entry.project, entry.task)
        if entry.is_running:
            running = entry
            continue
        r["hours"][entry.date] += entry.hours
        r["count"][entry.date] += 1
    loggable = _loggable_projects(request)
    assigned = (ProjectTask.objects.filter(agency=agency, assignee=user, status__in=ProjectTask.OPEN_STATUSES,
                                           project__in=loggable).select_related("project")
                .order_by("project__name", "position", "created_at")[:ROW_LIMIT])
    for task in assigned:
        row(task.project, task)
    added = request.GET.get("add") or request.POST.get("add")
    if added:
        bits = added.split(":")
        try:
            if bits[1:] and bits[1]:
                task = (ProjectTask.objects.filter(agency=agency, pk=bits[1], project_id=bits[0],
                                                   project__in=loggable).select_related("project").first())
                if task is not None:
                    row(task.project, task)
            else:
                project = loggable.filter(pk=bits[0]).first()
                if project is not None:
                    row(project, None)
        except (ValidationError, ValueError, IndexError):
            pass
    if running is None:  # a timer started in another week (forgotten over a weekend)
        running = services.running_timer(agency=agency, user=user)
    choices = list(ProjectTask.objects.filter(agency=agency, project__in=loggable,
                                              status__in=ProjectTask.OPEN_STATUSES)
                   .select_related("project").order_by("project__name", "position", "created_at")[:CHOICE_LIMIT])
    projects = list(loggable.order_by("name")[:CHOICE_LIMIT])
    by_project: dict = {}
    for task in choices:
        by_project.setdefault(task.project_id, []).append(task)
    targets = [(p, by_project.get(p.pk, [])) for p in projects]
    typed, errors = typed or {}, errors or {}
    grid = []
    for r in sorted(rows.values(), key=lambda r: (r["project"].name, r["task"] is not None,
                                                  r["task"].title if r["task"] else "")):
        cells = []
        for d in days:
            key = services.cell_key(project_id=r["project"].pk, task_id=r["task"].pk if r["task"] else None, day=d)
            cells.append({
                "key": key, "day": d, "hours": r["hours"][d], "value": typed.get(key, _cell_value(r["hours"][d])),
                "error": errors.get(key), "future": d > today, "several": r["count"][d] > 1,
                "outside": services.is_outside_project(project=r["project"], day=d),
                "off": d in off_days or not calendar.is_working_day(d),
            })
        grid.append({**r, "cells": cells, "total": sum(r["hours"].values(), Decimal("0")),
                     "rkey": f"{r['project'].pk}-{r['task'].pk if r['task'] else 'none'}"})
    day_totals = [sum((r["hours"][d] for r in rows.values()), Decimal("0")) for d in days]
    day_info = [{"day": d, "off": d in off_days or not calendar.is_working_day(d), "future": d > today,
                 "holiday": d in calendar.holidays, "time_off": d in off_days, "total": day_totals[n],
                 "over": day_totals[n] > services.DAY_LIMIT} for n, d in enumerate(days)]
    return {
        "monday": monday, "days": days, "today": today, "grid": grid, "day_totals": day_totals,
        "week_total": sum(day_totals, Decimal("0")), "week": services.week_label(monday),
        "prev_week": services.week_label(monday - timedelta(days=7)),
        "next_week": services.week_label(monday + timedelta(days=7)),
        "this_week": services.week_label(today - timedelta(days=today.weekday())),
        "day_info": day_info,
        "running": running, "targets": targets, "errors": errors,
        "capacity": membership.weekly_capacity_hours,
    }


def _cell_value(hours: Decimal) -> str:
    return "" if not hours else f"{hours.normalize():f}".replace(".", ",")


@member_required("project.work")
def timesheet_view(request):
    today = services.agency_today(request.agency)
    monday = services.week_bounds(request.GET.get("week") or request.POST.get("week"), today=today)
    if request.method == "POST":
        cells, errors = _cells_from(request, request.POST, monday)
        result = services.timesheet_save(agency=request.agency, membership=request.membership, cells=cells)
        errors.update(result.errors)
        if errors:
            typed = {k: v for k, v in request.POST.items() if k.startswith("c_")}
            return htmx_invalid(request, "projects/time_week.html",
                                _timesheet_context(request, monday, typed=typed, errors=errors))
        if result.saved:
            messages.success(request, _("Timesheet saved."))
        return redirect(reverse("projects:timesheet") + f"?week={services.week_label(monday)}")
    return render(request, "projects/time_week.html", _timesheet_context(request, monday))


@require_POST
@member_required("project.work")
def timesheet_cell_view(request):
    """One cell saved as you leave it (HTMX): answers the cell, and the row, day and week totals out of band."""
    today = services.agency_today(request.agency)
    monday = services.week_bounds(request.POST.get("week"), today=today)
    key = request.POST.get("cell", "")  # the grid posts every cell; `cell` names the one left
    cells, errors = _cells_from(request, {key: request.POST.get(key, "")}, monday)
    if len(cells) + len(errors) != 1:
        return htmx_invalid(request, "projects/time_week.html#cell-error",
                            {"message": _("This cell is not part of this week.")})
    if cells:
        errors.update(services.timesheet_save(agency=request.agency, membership=request.membership,
                                              cells=cells).errors)
    typed = {key: request.POST.get(key, "")} if errors else {}
    context = _timesheet_context(request, monday, typed=typed, errors=errors)
    context["cell"] = next((c for r in context["grid"] for c in r["cells"] if c["key"] == key), None)
    context["row"] = next((r for r in context["grid"] for c in r["cells"] if c["key"] == key), None)
    if context["cell"] is None:
        return htmx_invalid(request, "projects/time_week.html#cell-error",
                            {"message": _("This task is not available.")})
    return render_form(request, "projects/time_week.html#cell-answer", context, invalid=bool(errors))


# --- the timer --------------------------------------------------------------------------------------------------

@member_required("project.work")
def timer_indicator_view(request):
    """The small running-timer badge of the top bar (loaded after the page, so pages pay no query for it)."""
    running = services.running_timer(agency=request.agency, user=request.user)
    return render(request, "projects/time_timer_indicator.html", {"running": running})


@require_POST
@member_required("project.work")
def timer_start_view(request):
    back = _next(request, reverse("projects:timesheet"))
    form = TimerStartForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a task to time."))
        return redirect(back)
    project_id, _sep, task_id = form.cleaned_data["target"].partition(":")
    try:
        project = project_get(agency=request.agency, membership=request.membership, project_id=project_id)
        task = ProjectTask.objects.filter(agency=request.agency, project=project, pk=task_id).first() \
            if task_id else None
        if task_id and task is None:
            raise ServiceError(_("Choose a task of this project."), field="task")
        services.timer_start(agency=request.agency, membership=request.membership, project=project, task=task,
                             note=form.cleaned_data["note"])
    except ValidationError:
        messages.error(request, _("Choose a task to time."))
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Timer started."))
    return redirect(back)


@require_POST
@member_required("project.work")
def timer_stop_view(request):
    back = _next(request, reverse("projects:timesheet"))
    if request.POST.get("discard"):
        services.timer_discard(agency=request.agency, membership=request.membership)
        messages.success(request, _("Timer discarded."))
        return redirect(back)
    written = services.timer_stop(agency=request.agency, membership=request.membership)
    if written:
        total = sum((e.hours for e in written), Decimal("0"))
        messages.success(request, _("Timer stopped: %(hours)s h logged.") % {
            "hours": f"{total.normalize():f}".replace(".", ",")})
    else:
        messages.info(request, _("No timer was running."))
    return redirect(back)


# --- time off ---------------------------------------------------------------------------------------------------

def _team(request):
    return staff_users(agency=request.agency)


def _time_off_form(request, *, data=None, instance=None):
    people = _team(request) if request.membership.role == Role.DIRECTOR and instance is None else None
    initial = {"user": request.user.pk} if people is not None else None
    return TimeOffForm(data, instance=instance, people=people, initial=initial)


@member_required("project.work")
def time_off_list_view(request):
    membership = request.membership
    form = _time_off_form(request, data=request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.time_off_create(agency=request.agency, membership=membership,
                                         user=data.get("user") or request.user, start_date=data["start_date"],
                                         end_date=data["end_date"], kind=data["kind"], note=data["note"])
            except ServiceError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("Time off added."))
                return redirect("projects:time_off")
    today = services.agency_today(request.agency)
    qs = time_off_list(agency=request.agency, membership=membership)
    show = request.GET.get("show", "upcoming")
    if show != "all":
        qs = qs.filter(end_date__gte=today)
    page = CappedPaginator(qs.order_by("start_date", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render_form(request, "projects/time_off_list.html", {
        "form": form, "page": page, "show": show, "is_director": membership.role == Role.DIRECTOR,
        "today": today,
    }, invalid=request.method == "POST")


@member_required("project.work")
def time_off_edit_view(request, time_off_id):
    off = time_off_get(agency=request.agency, membership=request.membership, time_off_id=time_off_id)
    form = _time_off_form(request, data=request.POST or None, instance=off)
    if request.method == "POST" and form.is_valid():
        try:
            services.time_off_update(agency=request.agency, membership=request.membership, time_off=off,
                                     data=form.cleaned_data)
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Time off saved."))
            return redirect("projects:time_off")
    return render_form(request, "projects/time_off_form.html", {"form": form, "off": off},
                       invalid=request.method == "POST")


@require_POST
@member_required("project.work")
def time_off_delete_view(request, time_off_id):
    off = time_off_get(agency=request.agency, membership=request.membership, time_off_id=time_off_id)
    services.time_off_delete(agency=request.agency, membership=request.membership, time_off=off)
    messages.success(request, _("Time off removed."))
    return redirect("projects:time_off")
