from django.urls import path

from .views import changes as change_views
from .views import projects as project_views

app_name = "projects"

urlpatterns = [
    # projects (list, page)
    path("", project_views.project_list_view, name="list"),
    path("<uuid:project_id>/", project_views.project_detail_view, name="detail"),
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
]
