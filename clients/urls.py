from django.urls import path

from . import views

app_name = "clients"

urlpatterns = [
    path("", views.client_list_view, name="list"),
    path("new/", views.client_create_view, name="create"),
    path("<uuid:client_id>/", views.client_detail_view, name="detail"),
    path("<uuid:client_id>/edit/", views.client_edit_view, name="edit"),
]
