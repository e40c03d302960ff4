from django.urls import path

from . import views, views_briefs, views_changes, views_nps  # nps, briefs (h-nps)

app_name = "portal"

urlpatterns = [
    path("", views.portal_home_view, name="home"),
    # change requests: the client approves or declines
    path("changes/", views_changes.change_list_view, name="changes"),
    path("changes/<uuid:change_request_id>/", views_changes.change_detail_view, name="change_detail"),
    path("changes/<uuid:change_request_id>/decide/", views_changes.change_decide_view, name="change_decide"),
    # nps: the client's surveys (portal), the e-mailed link (public), staff pages of a client's NPS and the rules
    path("nps/", views_nps.nps_list_view, name="nps"),
    path("nps/<uuid:survey_id>/", views_nps.nps_answer_view, name="nps_answer"),
    path("nps/r/<str:token>/", views_nps.nps_link_view, name="nps_link"),
    path("nps/clients/<uuid:client_id>/", views_nps.nps_client_view, name="nps_client"),
    path("nps/clients/<uuid:client_id>/send/", views_nps.nps_send_view, name="nps_send"),
    path("nps/clients/<uuid:client_id>/plan/", views_nps.nps_plan_view, name="nps_plan"),
    path("nps/settings/", views_nps.nps_settings_view, name="nps_settings"),
    # briefs (h-nps): a new brief with the agency's brief templates, linked to the login's company
    path("briefs/new/", views_briefs.brief_new_view, name="brief_new"),
]
