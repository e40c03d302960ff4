from django.urls import path

from .views import briefs, catalog, editor

app_name = "proposals"

urlpatterns = [
    # proposals
    path("", editor.proposal_list_view, name="list"),
    path("new/", editor.proposal_create_view, name="create"),
    path("<uuid:proposal_id>/", editor.proposal_detail_view, name="detail"),
    path("<uuid:proposal_id>/cover/", editor.cover_update_view, name="cover"),
    path("<uuid:proposal_id>/terms/", editor.terms_update_view, name="terms"),
    path("<uuid:proposal_id>/discount/", editor.discount_update_view, name="discount"),
    path("<uuid:proposal_id>/sections/add/", editor.section_add_view, name="section_add"),
    path("<uuid:proposal_id>/sections/<uuid:section_id>/", editor.section_update_view, name="section_update"),
    path("<uuid:proposal_id>/sections/<uuid:section_id>/delete/", editor.section_delete_view,
         name="section_delete"),
    path("<uuid:proposal_id>/sections/<uuid:section_id>/move/", editor.section_move_view, name="section_move"),
    path("<uuid:proposal_id>/lines/add/", editor.line_add_view, name="line_add"),
    path("<uuid:proposal_id>/lines/<uuid:line_id>/", editor.line_update_view, name="line_update"),
    path("<uuid:proposal_id>/lines/<uuid:line_id>/delete/", editor.line_delete_view, name="line_delete"),
    path("<uuid:proposal_id>/lines/<uuid:line_id>/move/", editor.line_move_view, name="line_move"),
    path("<uuid:proposal_id>/lines/<uuid:line_id>/include/", editor.line_include_view, name="line_include"),
    path("<uuid:proposal_id>/lines/<uuid:line_id>/offer/", editor.line_offer_view, name="line_offer"),
    path("<uuid:proposal_id>/team/add/", editor.team_add_view, name="team_add"),
    path("<uuid:proposal_id>/team/<uuid:member_id>/remove/", editor.team_remove_view, name="team_remove"),
    path("<uuid:proposal_id>/cases/", editor.cases_update_view, name="cases"),
    path("<uuid:proposal_id>/preview/", editor.proposal_preview_view, name="preview"),
    path("<uuid:proposal_id>/pdf/render/", editor.pdf_render_view, name="pdf_render"),
    path("<uuid:proposal_id>/pdf/", editor.pdf_download_view, name="pdf_download"),
    path("<uuid:proposal_id>/send/", editor.proposal_send_view, name="send"),
    path("<uuid:proposal_id>/replied/", editor.proposal_replied_view, name="replied"),
    path("<uuid:proposal_id>/recipients/<uuid:recipient_id>/revoke/", editor.recipient_revoke_view,
         name="recipient_revoke"),
    path("<uuid:proposal_id>/versions/<uuid:version_id>/pdf/", editor.version_pdf_view, name="version_pdf"),
    # briefs
    path("briefs/", briefs.brief_list_view, name="brief_list"),
    path("briefs/new/", briefs.brief_create_view, name="brief_create"),
    path("briefs/<uuid:brief_id>/", briefs.brief_detail_view, name="brief_detail"),
    path("briefs/<uuid:brief_id>/draft/", briefs.brief_draft_view, name="brief_draft"),
    path("briefs/<uuid:brief_id>/files/<uuid:attachment_id>/", briefs.brief_attachment_view,
         name="brief_attachment"),
    # settings (directors) and the case library
    path("catalog/", catalog.catalog_view, name="catalog"),
    path("catalog/roles/new/", catalog.role_create_view, name="role_create"),
    path("catalog/roles/<uuid:role_id>/", catalog.role_edit_view, name="role_edit"),
    path("catalog/services/new/", catalog.service_create_view, name="service_create"),
    path("catalog/services/<uuid:service_id>/", catalog.service_edit_view, name="service_edit"),
    path("settings/", catalog.settings_view, name="proposal_settings"),
    path("settings/brief-templates/new/", catalog.template_create_view, name="template_create"),
    path("settings/brief-templates/<uuid:template_id>/", catalog.template_edit_view, name="template_edit"),
    path("cases/", catalog.case_list_view, name="case_list"),
    path("cases/new/", catalog.case_create_view, name="case_create"),
    path("cases/<uuid:case_id>/", catalog.case_edit_view, name="case_edit"),
    path("cases/<uuid:case_id>/delete/", catalog.case_delete_view, name="case_delete"),
]
