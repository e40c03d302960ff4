from django.urls import path

from . import views, views_access, views_changes, views_profile  # access

app_name = "portal"

urlpatterns = [
    path("", views.portal_home_view, name="home"),
    # change requests: the client approves or declines
    path("changes/", views_changes.change_list_view, name="changes"),
    path("changes/<uuid:change_request_id>/", views_changes.change_detail_view, name="change_detail"),
    path("changes/<uuid:change_request_id>/decide/", views_changes.change_decide_view, name="change_decide"),
    # access (h-access): the client's profile and colleagues; the staff side of portal access (client page block)
    path("me/", views_profile.portal_profile_view, name="profile"),
    path("me/password/", views_profile.portal_password_view, name="password"),
    path("team/", views_access.portal_team_view, name="team"),
    path("access/<uuid:contact_id>/invite/", views_access.portal_invite_view, name="access_invite"),
    path("access/<uuid:contact_id>/revoke/", views_access.portal_revoke_view, name="access_revoke"),
    path("access/<uuid:contact_id>/admin/", views_access.portal_admin_view, name="access_admin"),
]
