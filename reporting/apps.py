from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = "Reporting"

    def ready(self) -> None:
        from . import (
            sections,  # noqa: F401 - the data sources block of the client page
            sections_reports,  # noqa: F401 - the reports block of the client page (h-reports)
        )
        from .connectors import file  # noqa: F401 - the file source registers as a connector
