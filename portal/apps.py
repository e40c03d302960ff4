from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"

    def ready(self) -> None:
        from projects import events

        from . import api, sections  # noqa: F401 - registrations (NPS: the client page block, the API)
        from .listeners import on_project_event

        events.subscribe(on_project_event)
