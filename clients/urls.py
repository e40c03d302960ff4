from django.urls import path

from .views import billing as billing_views
from .views import bulk, bulk_deals, companies, contacts, files, invoices, search, timeline
from .views import calendar as calendar_views
from .views import custom_fields as custom_field_views
from .views import deals as deal_views
from .views import importing as importing_views
from .views import kam as kam_views
from .views import onboarding as onboarding_views
from .views import pipelines as pipeline_views
from .views import saved_views as saved_view_views
from .views import tasks as task_views

app_name = "clients"

# One block per sub-domain; each module owns its routes.
urlpatterns = [
    path("", companies.client_list_view, name="list"),
    path("new/", companies.client_create_view, name="create"),
    path("<uuid:client_id>/", companies.client_detail_view, name="detail"),
    path("<uuid:client_id>/blocks/", companies.client_blocks_view, name="blocks"),
    path("<uuid:client_id>/edit/", companies.client_edit_view, name="edit"),
    # Client workspace: search, exports, contacts, timeline, documents, invoices
    path("search/", search.search_view, name="search"),
    path("pick/", search.client_pick_view, name="client_pick"),
    path("export.csv", companies.client_export_csv_view, name="export_csv"),
    path("export.xlsx", companies.client_export_xlsx_view, name="export_xlsx"),
    # Bulk actions on the ticked rows of the client and task lists
    path("bulk/", bulk.client_bulk_view, name="bulk"),
    path("bulk/export.csv", bulk.client_bulk_export_view, name="bulk_export"),
    path("tasks/bulk/", bulk.task_bulk_view, name="task_bulk"),
    path("<uuid:client_id>/contacts/new/", contacts.contact_create_view, name="contact_create"),
    path("<uuid:client_id>/contacts/<uuid:contact_id>/edit/", contacts.contact_edit_view, name="contact_edit"),
    path("<uuid:client_id>/contacts/<uuid:contact_id>/delete/", contacts.contact_delete_view, name="contact_delete"),
    path("<uuid:client_id>/timeline/", timeline.timeline_view, name="timeline"),
    path("<uuid:client_id>/interactions/new/", timeline.interaction_create_view, name="interaction_create"),
    path("<uuid:client_id>/interactions/<uuid:interaction_id>/edit/", timeline.interaction_edit_view,
         name="interaction_edit"),
    path("<uuid:client_id>/interactions/<uuid:interaction_id>/delete/", timeline.interaction_delete_view,
         name="interaction_delete"),
    path("<uuid:client_id>/files/upload/", files.client_file_upload_view, name="file_upload"),
    path("<uuid:client_id>/files/<uuid:file_id>/", files.client_file_download_view, name="file_download"),
    path("<uuid:client_id>/files/<uuid:file_id>/delete/", files.client_file_delete_view, name="file_delete"),
    path("<uuid:client_id>/invoices/new/", invoices.invoice_create_view, name="invoice_create"),
    path("<uuid:client_id>/invoices/<uuid:invoice_id>/edit/", invoices.invoice_edit_view, name="invoice_edit"),
    path("<uuid:client_id>/invoices/<uuid:invoice_id>/paid/", invoices.invoice_paid_view, name="invoice_paid"),
    # Invoice and act documents: PDF, sending, the 1C export, the agency's legal details
    path("<uuid:client_id>/invoices/<uuid:invoice_id>/pdf/", billing_views.invoice_pdf_view, name="invoice_pdf"),
    path("<uuid:client_id>/invoices/<uuid:invoice_id>/pdf/render/", billing_views.invoice_pdf_render_view,
         name="invoice_pdf_render"),
    path("<uuid:client_id>/invoices/<uuid:invoice_id>/send/", billing_views.invoice_send_view, name="invoice_send"),
    path("invoices/export-1c.csv", billing_views.invoice_export_1c_view, name="invoice_export_1c"),
    path("legal-details/", billing_views.legal_details_view, name="legal_details"),
    # pipelines: settings of the agency's pipelines and stages
    path("settings/pipelines/", pipeline_views.pipeline_settings_view, name="pipeline_settings"),
    path("settings/pipelines/new/", pipeline_views.pipeline_create_view, name="pipeline_create"),
    path("settings/pipelines/<uuid:pipeline_id>/", pipeline_views.pipeline_update_view, name="pipeline_update"),
    path("settings/pipelines/<uuid:pipeline_id>/stages/new/", pipeline_views.stage_create_view, name="stage_create"),
    path("settings/stages/<uuid:stage_id>/", pipeline_views.stage_update_view, name="stage_update"),
    # Pipeline, tasks, onboarding, account plans (KAM), personal calendar feed
    path("deals/", deal_views.deal_board_view, name="deal_board"),
    path("deals/list/", deal_views.deal_list_view, name="deal_list"),
    path("deals/bulk/", bulk_deals.deal_bulk_view, name="deal_bulk"),
    path("deals/bulk/export.csv", bulk_deals.deal_bulk_export_view, name="deal_bulk_export"),
    path("deals/new/", deal_views.deal_create_view, name="deal_create"),
    path("deals/<uuid:deal_id>/", deal_views.deal_detail_view, name="deal_detail"),
    path("deals/<uuid:deal_id>/edit/", deal_views.deal_edit_view, name="deal_edit"),
    path("deals/<uuid:deal_id>/move/", deal_views.deal_move_view, name="deal_move"),
    path("tasks/", task_views.task_list_view, name="task_list"),
    path("tasks/new/", task_views.task_create_view, name="task_create"),
    path("tasks/deal-options/", task_views.task_deal_options_view, name="task_deal_options"),
    path("tasks/<uuid:task_id>/edit/", task_views.task_edit_view, name="task_edit"),
    path("tasks/<uuid:task_id>/toggle/", task_views.task_toggle_view, name="task_toggle"),
    path("onboarding-template/", onboarding_views.onboarding_template_view, name="onboarding_template"),
    path("<uuid:client_id>/onboarding/start/", onboarding_views.onboarding_start_view, name="onboarding_start"),
    path("<uuid:client_id>/onboarding/<uuid:step_id>/toggle/", onboarding_views.onboarding_step_toggle_view,
         name="onboarding_step_toggle"),
    path("<uuid:client_id>/agreement/", onboarding_views.agreement_edit_view, name="agreement_edit"),
    path("<uuid:client_id>/account-plan/", kam_views.account_plan_edit_view, name="account_plan_edit"),
    path("portfolio/", kam_views.portfolio_view, name="portfolio"),
    path("calendar-feed/", calendar_views.calendar_feed_create_view, name="calendar_feed_create"),
    path("calendar-feed/revoke/", calendar_views.calendar_feed_revoke_view, name="calendar_feed_revoke"),
    # Custom fields (settings, directors) and saved list views (h-fields)
    path("custom-fields/", custom_field_views.custom_field_list_view, name="custom_fields"),
    path("custom-fields/<uuid:field_id>/", custom_field_views.custom_field_edit_view, name="custom_field_edit"),
    path("custom-fields/<uuid:field_id>/delete/", custom_field_views.custom_field_delete_view,
         name="custom_field_delete"),
    path("views/new/", saved_view_views.saved_view_create_view, name="saved_view_create"),
    path("views/<uuid:view_id>/", saved_view_views.saved_view_edit_view, name="saved_view_edit"),
    path("views/<uuid:view_id>/delete/", saved_view_views.saved_view_delete_view, name="saved_view_delete"),
    path("views/<uuid:view_id>/default/", saved_view_views.saved_view_default_view, name="saved_view_default"),
    # Import wizard (amoCRM / Bitrix24 / spreadsheets)
    path("import/", importing_views.import_upload_view, name="import"),
    path("import/<uuid:import_id>/", importing_views.import_detail_view, name="import_detail"),
    path("import/<uuid:import_id>/errors.csv", importing_views.import_errors_view, name="import_errors"),
]
