"""/reporting/reports/: client reports and report templates (names `reporting:reports:*`)."""
from django.urls import path

from . import views_reports as views

app_name = "reports"

urlpatterns = [
    path("clients/<uuid:client_id>/", views.report_client_list_view, name="client_list"),
    path("clients/<uuid:client_id>/new/", views.report_create_view, name="create"),
    path("clients/<uuid:client_id>/schedule/", views.report_schedule_view, name="schedule"),
    path("clients/<uuid:client_id>/template/", views.template_client_view, name="template_client"),
    path("templates/", views.template_list_view, name="templates"),
    path("templates/<uuid:template_id>/", views.template_edit_view, name="template_edit"),
    path("<uuid:report_id>/", views.report_detail_view, name="detail"),
    path("<uuid:report_id>/edit/", views.report_edit_view, name="edit"),
    path("<uuid:report_id>/build/", views.report_build_view, name="build"),
    path("<uuid:report_id>/publish/", views.report_publish_view, name="publish"),
    path("<uuid:report_id>/pdf/", views.report_pdf_view, name="pdf"),
]
