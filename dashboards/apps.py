from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    """The KPI dashboard of directors and AMs: the six KPIs of the domain brief for a period, against the previous
    period and the agency's targets, with trends, drill-downs to the clients, a per-AM table and a client-page block."""

    name = "dashboards"
    verbose_name = _("Dashboards")

    def ready(self) -> None:
        from . import sections  # noqa: F401 - the client page's KPI block registers itself
