from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"

    def ready(self) -> None:
        from projects import events

        # registrations: the client page blocks (NPS, portal access) and the staff API (NPS answers, portal access)
        from . import api, api_access, sections, sections_access  # noqa: F401
        from .listeners import on_project_event

        events.subscribe(on_project_event)
