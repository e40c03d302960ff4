from django.urls import path

from . import views, views_health, views_portfolio

app_name = "dashboards"

urlpatterns = [
    path("", views.kpi_dashboard_view, name="kpis"),
    path("team/", views.kpi_team_view, name="team"),
    path("pdf/", views.kpi_pdf_view, name="pdf"),
    path("portfolio/", views_portfolio.portfolio_view, name="portfolio"),
    path("client/<uuid:client_id>/", views.kpi_client_view, name="client"),
    path("health/", views_health.health_list_view, name="at_risk"),
    path("health/count/", views_health.health_count_view, name="at_risk_count"),
    path("health/<uuid:client_id>/", views_health.health_client_view, name="client_health"),
    path("health/<uuid:client_id>/follow-up/", views_health.health_followup_view, name="health_followup"),
    path("<slug:metric>/", views.kpi_drill_view, name="drill"),
]
