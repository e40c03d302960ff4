from django.urls import path

from .views import companies

app_name = "clients"

# One block per sub-domain; each module owns its routes.
urlpatterns = [
    path("", companies.client_list_view, name="list"),
    path("new/", companies.client_create_view, name="create"),
    path("<uuid:client_id>/", companies.client_detail_view, name="detail"),
    path("<uuid:client_id>/edit/", companies.client_edit_view, name="edit"),
]
