from django.urls import path

from .views import projects as project_views
from .views import timeline as timeline_views

app_name = "projects"

urlpatterns = [
    # projects (list, page)
    path("", project_views.project_list_view, name="list"),
    path("<uuid:project_id>/", project_views.project_detail_view, name="detail"),
    # timeline
    path("<uuid:project_id>/timeline/", timeline_views.project_timeline_view, name="timeline"),
    path("<uuid:project_id>/timeline/baseline/", timeline_views.project_timeline_baseline_view,
         name="timeline_baseline"),
]
