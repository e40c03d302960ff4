from django.urls import path

from .views import projects as project_views

app_name = "projects"

urlpatterns = [
    # projects (list, page)
    path("", project_views.project_list_view, name="list"),
    path("<uuid:project_id>/", project_views.project_detail_view, name="detail"),
    # shell (create by hand, edit, status, delete, team)
    path("new/", project_views.project_create_view, name="create"),
    path("<uuid:project_id>/edit/", project_views.project_edit_view, name="edit"),
    path("<uuid:project_id>/status/", project_views.project_status_view, name="status"),
    path("<uuid:project_id>/delete/", project_views.project_delete_view, name="delete"),
    path("<uuid:project_id>/team/", project_views.member_add_view, name="member_add"),
    path("<uuid:project_id>/team/<uuid:member_id>/", project_views.member_edit_view, name="member_edit"),
    path("<uuid:project_id>/team/<uuid:member_id>/remove/", project_views.member_remove_view, name="member_remove"),
]
