from django.urls import path

from . import views, views_changes, views_proposals

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
]
