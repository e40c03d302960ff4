from django.urls import path

from . import views

app_name = "tenancy"

urlpatterns = [
    path("", views.settings_view, name="settings"),
    path("holidays/", views.holiday_add_view, name="holiday_add"),
    path("holidays/<uuid:holiday_id>/remove/", views.holiday_remove_view, name="holiday_remove"),
    path("targets/", views.kpi_target_add_view, name="kpi_target_add"),
    path("targets/<uuid:target_id>/remove/", views.kpi_target_remove_view, name="kpi_target_remove"),
    path("team/", views.team_view, name="team"),
    path("team/<uuid:membership_id>/", views.membership_edit_view, name="membership_edit"),
    path("team/invitations/<uuid:invitation_id>/revoke/", views.invitation_revoke_view, name="invitation_revoke"),
    path("audit/", views.audit_view, name="audit"),
    path("audit/export/", views.audit_export_view, name="audit_export"),
]
