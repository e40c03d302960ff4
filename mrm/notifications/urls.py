from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.inbox_view, name="inbox"),
    path("bell/", views.bell_view, name="bell"),
    path("latest/", views.latest_view, name="latest"),
    path("read-all/", views.notification_read_all_view, name="read_all"),
    path("preferences/", views.preferences_view, name="preferences"),
    path("telegram/code/", views.telegram_code_view, name="telegram_code"),
    path("telegram/unlink/", views.telegram_unlink_view, name="telegram_unlink"),
    path("telegram/webhook/<str:secret>/", views.telegram_webhook_view, name="telegram_webhook"),
    path("<uuid:notification_id>/", views.notification_open_view, name="open"),
    path("<uuid:notification_id>/read/", views.notification_read_view, name="read"),
]
