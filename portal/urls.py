from django.urls import path

from . import views, views_changes

app_name = "portal"

urlpatterns = [
    path("", views.portal_home_view, name="home"),
    # change requests: the client approves or declines
    path("changes/", views_changes.change_list_view, name="changes"),
    path("changes/<uuid:change_request_id>/", views_changes.change_detail_view, name="change_detail"),
    path("changes/<uuid:change_request_id>/decide/", views_changes.change_decide_view, name="change_decide"),
    # home: a project's timeline, milestones and deliverables
    path("projects/<uuid:project_id>/", views.portal_project_view, name="project"),
    path("projects/<uuid:project_id>/files/<uuid:attachment_id>/", views.portal_deliverable_download_view,
         name="project_file"),
]
