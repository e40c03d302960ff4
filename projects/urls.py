from django.urls import path

from .views import alerts as alert_views
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
    # alerts
    path("alerts/", alert_views.alert_list_view, name="alert_list"),
    path("<uuid:project_id>/alerts/", alert_views.project_alerts_view, name="alerts"),
    path("<uuid:project_id>/alerts/<uuid:alert_id>/acknowledge/", alert_views.alert_acknowledge_view,
         name="alert_acknowledge"),
]
