from django.apps import AppConfig


class ClientsConfig(AppConfig):
    name = "clients"
    verbose_name = "CRM"

    def ready(self) -> None:
        from . import today  # noqa: F401 - registers the first step and Today blocks
        from .caches import connect

        connect()
