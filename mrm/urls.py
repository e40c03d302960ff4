from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

import clients.api  # noqa: F401,E402 - registers the CRM viewsets on the router
import comms.api  # noqa: F401,E402 - client requests and their messages
import dashboards.api  # noqa: F401,E402 - KPI values
import dashboards.api_portfolio  # noqa: F401,E402 - portfolio figures
import mrm.notifications.api  # noqa: F401,E402 - notifications and preferences
import portal.api_access  # noqa: F401,E402 - access: portal access of client contacts
import projects.api  # noqa: F401,E402
import proposals.api  # noqa: F401,E402
import reporting.api  # noqa: F401,E402 - reporting: data sources, metric rows, aggregates
from clients.views.calendar import calendar_feed_view  # noqa: E402
from mrm.api_urls import router
from mrm.core.api import api_not_found_view
from mrm.core.views import healthz_view, public_file_view

urlpatterns = [
    path("", include("mrm.core.urls")),
    path("accounts/", include("mrm.accounts.urls")),
    path("settings/", include("mrm.tenancy.urls")),
    path("jobs/", include("mrm.jobs.urls")),
    path("clients/", include("clients.urls")),
    path("portal/", include("portal.urls")),
    path("requests/", include("comms.urls")),  # client requests (staff side)
    path("dashboards/", include("dashboards.urls")),  # the KPI dashboard (h-dashboards)
    path("proposals/", include("proposals.urls")),
    path("projects/", include("projects.urls")),
    path("reporting/", include("reporting.urls")),
    path("notifications/", include("mrm.notifications.urls")),
    path("", include("proposals.public_urls")),  # /b/<agency-slug>/ brief form, /p/<token>/ proposal link
    path("api/v1/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    re_path(r"^api/", api_not_found_view),  # after every API route: unknown API addresses answer JSON 404
    path("healthz", healthz_view, name="healthz"),
    # Public, token-authenticated iCal feed (clients/views/calendar.py); enters the feed's agency scope itself.
    path("calendar/<str:token>.ics", calendar_feed_view, name="calendar_feed"),
    path("admin/", admin.site.urls),
    # Public files (logos, team photos, case images) at MEDIA_URL, DEBUG or not; private files have no URL.
    path(f"{settings.MEDIA_URL.strip('/')}/<path:name>", public_file_view, name="public_file"),
]

handler400 = "mrm.core.views.bad_request_view"
