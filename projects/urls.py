from django.urls import path

from .views import projects as project_views

app_name = "projects"

urlpatterns = [
    # projects (list, page)
    path("", project_views.project_list_view, name="list"),
    path("<uuid:project_id>/", project_views.project_detail_view, name="detail"),
]
