from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"

    def ready(self) -> None:
        from . import sections  # noqa: F401 - access: the "Client portal" block of the staff client page
