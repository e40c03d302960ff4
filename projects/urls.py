from django.urls import path

from .views import alerts as alert_views
from .views import projects as project_views

app_name = "projects"

urlpatterns = [
    # projects (list, page)
    path("", project_views.project_list_view, name="list"),
    path("<uuid:project_id>/", project_views.project_detail_view, name="detail"),
    # alerts
    path("alerts/", alert_views.alert_list_view, name="alert_list"),
    path("<uuid:project_id>/alerts/", alert_views.project_alerts_view, name="alerts"),
    path("<uuid:project_id>/alerts/<uuid:alert_id>/acknowledge/", alert_views.alert_acknowledge_view,
         name="alert_acknowledge"),
]
