from django.urls import path

from .views import burn as burn_views
from .views import capacity as capacity_views
from .views import projects as project_views
from .views import time as time_views

app_name = "projects"

urlpatterns = [
    # projects (list, page)
    path("", project_views.project_list_view, name="list"),
    path("<uuid:project_id>/", project_views.project_detail_view, name="detail"),
    # time (the project's Time and Budget tabs, entries, the weekly timesheet, the timer, time off, capacity)
    path("<uuid:project_id>/time/", time_views.project_time_view, name="time"),
    path("<uuid:project_id>/budget/", burn_views.project_budget_view, name="budget"),
    path("time/entries/<uuid:entry_id>/edit/", time_views.time_entry_edit_view, name="time_entry_edit"),
    path("time/entries/<uuid:entry_id>/delete/", time_views.time_entry_delete_view, name="time_entry_delete"),
    path("time/week/", time_views.timesheet_view, name="timesheet"),
    path("time/week/cell/", time_views.timesheet_cell_view, name="timesheet_cell"),
    path("time/timer/", time_views.timer_indicator_view, name="timer"),
    path("time/timer/start/", time_views.timer_start_view, name="timer_start"),
    path("time/timer/stop/", time_views.timer_stop_view, name="timer_stop"),
    path("time/off/", time_views.time_off_list_view, name="time_off"),
    path("time/off/<uuid:time_off_id>/edit/", time_views.time_off_edit_view, name="time_off_edit"),
    path("time/off/<uuid:time_off_id>/delete/", time_views.time_off_delete_view, name="time_off_delete"),
    path("capacity/", capacity_views.capacity_view, name="capacity"),
    path("capacity/<uuid:membership_id>/", capacity_views.member_capacity_view, name="member_capacity"),
]
