from django.urls import path

from . import (
    views,
    views_access,
    views_briefs,
    views_changes,
    views_nps,
    views_profile,
    views_proposals,
    views_reports,
    views_requests,
)

app_name = "portal"

urlpatterns = [
    path("", views.portal_home_view, name="home"),
    # change requests: the client approves or declines
    path("changes/", views_changes.change_list_view, name="changes"),
    path("changes/<uuid:change_request_id>/", views_changes.change_detail_view, name="change_detail"),
    path("changes/<uuid:change_request_id>/decide/", views_changes.change_decide_view, name="change_decide"),
    # home: a project's timeline, milestones and deliverables
    path("projects/<uuid:project_id>/", views.portal_project_view, name="project"),
    path("projects/<uuid:project_id>/files/<uuid:attachment_id>/", views.portal_deliverable_download_view,
         name="project_file"),
    # proposals (КП): the web version, the PDF of each version sent, the decision (helper "props")
    path("proposals/", views_proposals.proposal_list_view, name="proposals"),
    path("proposals/<uuid:proposal_id>/", views_proposals.proposal_detail_view, name="proposal"),
    path("proposals/<uuid:proposal_id>/versions/<uuid:version_id>/pdf/", views_proposals.proposal_pdf_view,
         name="proposal_pdf"),
    path("proposals/<uuid:proposal_id>/decide/", views_proposals.proposal_decide_view, name="proposal_decide"),
    path("proposals/<uuid:proposal_id>/renewal/", views_proposals.proposal_renewal_view, name="proposal_renewal"),
    # proposals: the client's switches of optional items, totals computed on the server (helper "estimates")
    path("proposals/<uuid:proposal_id>/options/", views_proposals.proposal_options_view, name="proposal_options"),
    # requests and their threads (h-requests)
    path("requests/", views_requests.request_list_view, name="requests"),
    path("requests/new/", views_requests.request_create_view, name="request_create"),
    path("requests/<uuid:request_id>/", views_requests.request_detail_view, name="request_detail"),
    path("requests/<uuid:request_id>/message/", views_requests.request_message_view, name="request_message"),
    path("requests/<uuid:request_id>/close/", views_requests.request_close_view, name="request_close"),
    path("requests/<uuid:request_id>/files/<uuid:attachment_id>/", views_requests.request_attachment_view,
         name="request_attachment"),
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
    # access (h-access): the client's profile and colleagues; the staff side of portal access (client page block)
    path("me/", views_profile.portal_profile_view, name="profile"),
    path("me/password/", views_profile.portal_password_view, name="password"),
    path("team/", views_access.portal_team_view, name="team"),
    path("access/<uuid:contact_id>/invite/", views_access.portal_invite_view, name="access_invite"),
    path("access/<uuid:contact_id>/revoke/", views_access.portal_revoke_view, name="access_revoke"),
    path("access/<uuid:contact_id>/admin/", views_access.portal_admin_view, name="access_admin"),
    # reports (h-reports): the company's published reports, the web version, the PDF, the contact's rating
    path("reports/", views_reports.report_list_view, name="reports"),
    path("reports/<uuid:report_id>/", views_reports.report_detail_view, name="report"),
    path("reports/<uuid:report_id>/pdf/", views_reports.report_pdf_view, name="report_pdf"),
    path("reports/<uuid:report_id>/rate/", views_reports.report_rate_view, name="report_rate"),
]
