"""Public pages (no login): the agency's brief form and the client's personal proposal link."""
from django.urls import path

from .views import public_briefs, webview

app_name = "proposals_public"

urlpatterns = [
    path("b/<slug:agency_slug>/", public_briefs.brief_form_view, name="brief_form"),
    path("b/<slug:agency_slug>/embed/", public_briefs.brief_embed_view, name="brief_embed"),
    path("b/<slug:agency_slug>/thanks/", public_briefs.brief_thanks_view, name="brief_thanks"),
    path("p/<str:token>/", webview.webview_view, name="webview"),
    path("p/<str:token>/pdf/", webview.webview_pdf_view, name="webview_pdf"),
    path("p/<str:token>/beacon/", webview.webview_beacon_view, name="webview_beacon"),
    path("p/<str:token>/options/", webview.webview_options_view, name="webview_options"),
    path("p/<str:token>/decide/", webview.webview_decide_view, name="webview_decide"),
    path("p/<str:token>/renewal/", webview.webview_renewal_view, name="webview_renewal"),
]
