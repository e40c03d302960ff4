from django.urls import path

from . import views, views_portfolio

app_name = "dashboards"

urlpatterns = [
    path("", views.kpi_dashboard_view, name="kpis"),
    path("team/", views.kpi_team_view, name="team"),
    path("pdf/", views.kpi_pdf_view, name="pdf"),
    path("portfolio/", views_portfolio.portfolio_view, name="portfolio"),
    path("client/<uuid:client_id>/", views.kpi_client_view, name="client"),
    path("<slug:metric>/", views.kpi_drill_view, name="drill"),
]
