from django.urls import path

from .views import alerts as alert_views
from .views import burn as burn_views
from .views import capacity as capacity_views
from .views import changes as change_views
from .views import projects as project_views
from .views import time as time_views
from .views import timeline as timeline_views
from .views import work as work_views

app_name = "projects"

urlpatterns = [
    # projects (list, page)
    path("", project_views.project_list_view, name="list"),
    path("<uuid:project_id>/", project_views.project_detail_view, name="detail"),
    # timeline
    path("<uuid:project_id>/timeline/", timeline_views.project_timeline_view, name="timeline"),
    path("<uuid:project_id>/timeline/baseline/", timeline_views.project_timeline_baseline_view,
         name="timeline_baseline"),
    # alerts
    path("alerts/", alert_views.alert_list_view, name="alert_list"),
    path("<uuid:project_id>/alerts/", alert_views.project_alerts_view, name="alerts"),
    path("<uuid:project_id>/alerts/<uuid:alert_id>/acknowledge/", alert_views.alert_acknowledge_view,
         name="alert_acknowledge"),
    # work (tasks, board, milestones, dependencies, comments, files; "My tasks")
    path("my-tasks/", work_views.my_tasks_view, name="my_tasks"),
    path("<uuid:project_id>/tasks/", work_views.task_board_view, name="task_board"),
    path("<uuid:project_id>/tasks/list/", work_views.task_list_view, name="task_list"),
    path("<uuid:project_id>/tasks/new/", work_views.task_create_view, name="task_create"),
    path("<uuid:project_id>/tasks/<uuid:ptask_id>/", work_views.task_detail_view, name="task_detail"),
    path("<uuid:project_id>/tasks/<uuid:ptask_id>/edit/", work_views.task_edit_view, name="task_edit"),
    path("<uuid:project_id>/tasks/<uuid:ptask_id>/delete/", work_views.task_delete_view, name="task_delete"),
    path("<uuid:project_id>/tasks/<uuid:ptask_id>/status/", work_views.task_status_view, name="task_status"),
    path("<uuid:project_id>/tasks/<uuid:ptask_id>/dependencies/", work_views.task_dependency_add_view,
         name="task_dependency_add"),
    path("<uuid:project_id>/tasks/<uuid:ptask_id>/dependencies/<uuid:dependency_id>/delete/",
         work_views.task_dependency_remove_view, name="task_dependency_remove"),
    path("<uuid:project_id>/tasks/<uuid:ptask_id>/comments/", work_views.task_comment_add_view,
         name="task_comment_add"),
    path("<uuid:project_id>/tasks/<uuid:ptask_id>/comments/<uuid:comment_id>/delete/",
         work_views.task_comment_delete_view, name="task_comment_delete"),
    path("<uuid:project_id>/tasks/<uuid:ptask_id>/files/", work_views.task_attachment_upload_view,
         name="task_attachment_upload"),
    path("<uuid:project_id>/tasks/<uuid:ptask_id>/files/<uuid:attachment_id>/",
         work_views.task_attachment_download_view, name="task_attachment_download"),
    path("<uuid:project_id>/tasks/<uuid:ptask_id>/files/<uuid:attachment_id>/delete/",
         work_views.task_attachment_delete_view, name="task_attachment_delete"),
    path("<uuid:project_id>/tasks/<uuid:ptask_id>/files/<uuid:attachment_id>/visibility/",
         work_views.task_attachment_visibility_view, name="task_attachment_visibility"),
    path("<uuid:project_id>/milestones/", work_views.milestone_list_view, name="milestones"),
    path("<uuid:project_id>/milestones/new/", work_views.milestone_create_view, name="milestone_create"),
    path("<uuid:project_id>/milestones/<uuid:milestone_id>/edit/", work_views.milestone_edit_view,
         name="milestone_edit"),
    path("<uuid:project_id>/milestones/<uuid:milestone_id>/delete/", work_views.milestone_delete_view,
         name="milestone_delete"),
    path("<uuid:project_id>/milestones/<uuid:milestone_id>/reached/", work_views.milestone_reached_view,
         name="milestone_reached"),
    # changes (change requests, hidden cost)
    path("<uuid:project_id>/changes/", change_views.change_list_view, name="changes"),
    path("<uuid:project_id>/changes/new/", change_views.change_create_view, name="change_create"),
    path("<uuid:project_id>/changes/from-extra-work/", change_views.change_from_extra_work_view,
         name="change_from_extra_work"),
    path("<uuid:project_id>/changes/scope/", change_views.change_scope_view, name="change_scope"),
    path("<uuid:project_id>/changes/<uuid:change_request_id>/", change_views.change_detail_view, name="change_detail"),
    path("<uuid:project_id>/changes/<uuid:change_request_id>/edit/", change_views.change_update_view,
         name="change_update"),
    path("<uuid:project_id>/changes/<uuid:change_request_id>/lines/", change_views.change_line_add_view,
         name="change_line_add"),
    path("<uuid:project_id>/changes/<uuid:change_request_id>/lines/<uuid:cr_line_id>/",
         change_views.change_line_update_view, name="change_line_update"),
    path("<uuid:project_id>/changes/<uuid:change_request_id>/lines/<uuid:cr_line_id>/delete/",
         change_views.change_line_delete_view, name="change_line_delete"),
    path("<uuid:project_id>/changes/<uuid:change_request_id>/send/", change_views.change_send_view,
         name="change_send"),
    path("<uuid:project_id>/changes/<uuid:change_request_id>/withdraw/", change_views.change_withdraw_view,
         name="change_withdraw"),
    path("<uuid:project_id>/changes/<uuid:change_request_id>/decision/", change_views.change_record_decision_view,
         name="change_record_decision"),
    # shell (create by hand, edit, status, delete, team)
    path("new/", project_views.project_create_view, name="create"),
    path("<uuid:project_id>/edit/", project_views.project_edit_view, name="edit"),
    path("<uuid:project_id>/status/", project_views.project_status_view, name="status"),
    path("<uuid:project_id>/delete/", project_views.project_delete_view, name="delete"),
    path("<uuid:project_id>/team/", project_views.member_add_view, name="member_add"),
    path("<uuid:project_id>/team/<uuid:member_id>/", project_views.member_edit_view, name="member_edit"),
    path("<uuid:project_id>/team/<uuid:member_id>/remove/", project_views.member_remove_view, name="member_remove"),
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
