from django.urls import path

from . import views

app_name = "comms"

urlpatterns = [
    path("", views.request_list_view, name="requests"),
    path("<uuid:request_id>/", views.request_detail_view, name="request_detail"),
    path("<uuid:request_id>/reply/", views.request_reply_view, name="request_reply"),
    path("<uuid:request_id>/close/", views.request_close_view, name="request_close"),
    path("<uuid:request_id>/files/<uuid:attachment_id>/", views.request_attachment_view, name="request_attachment"),
]
