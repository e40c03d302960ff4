from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "mrm.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from projects import events

        from .listeners import on_project_event

        events.subscribe(on_project_event)
