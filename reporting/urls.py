from django.urls import include, path

from . import views

app_name = "reporting"

urlpatterns = [
    path("", views.source_list_view, name="sources"),
    path("sources/new/", views.source_create_view, name="source_create"),
    path("sources/<uuid:source_id>/", views.source_detail_view, name="source_detail"),
    path("sources/<uuid:source_id>/edit/", views.source_edit_view, name="source_edit"),
    path("sources/<uuid:source_id>/delete/", views.source_delete_view, name="source_delete"),
    path("sources/<uuid:source_id>/import/", views.import_upload_view, name="import_upload"),
    path("imports/<uuid:metric_import_id>/", views.import_detail_view, name="import_detail"),
    path("clients/<uuid:client_id>/metrics/", views.client_metrics_view, name="client_metrics"),
    path("reports/", include("reporting.urls_reports")),  # client reports (h-reports)
]

from . import views_sync  # noqa: E402 - connectors (h-connectors)

urlpatterns += [
    path("sources/<uuid:source_id>/connection/", views_sync.source_connection_view, name="source_connection"),
    path("sources/<uuid:source_id>/sync/", views_sync.source_sync_view, name="source_sync"),
]
