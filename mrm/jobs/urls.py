from django.urls import path

from . import views

app_name = "jobs"

urlpatterns = [
    path("<uuid:job_id>/", views.job_status_view, name="status"),
    path("<uuid:job_id>/download/", views.job_download_view, name="download"),
]
