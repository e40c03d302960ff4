from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    """The KPI dashboard of directors and AMs: the six KPIs of the domain brief for a period, against the previous
    period and the agency's targets, with trends, drill-downs to the clients, a per-AM table and a client-page block."""

    name = "dashboards"
    verbose_name = _("Dashboards")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from . import sections  # noqa: F401 - the client page's KPI block registers itself
        from .signals import connect

        connect()  # writes that move a figure refresh the cached boards

        connection_created.connect(_sqlite_percentile, dispatch_uid="dashboards-sqlite-percentile")


def _sqlite_percentile(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        from .selectors import SqlitePercentile

        connection.connection.create_aggregate("MRM_PERCENTILE", 2, SqlitePercentile)
