from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = "Projects"

    def ready(self) -> None:
        # alerts: on-change evaluation (signals) and the Celery tasks registered in every process
        from .alerts import signals, tasks  # noqa: F401

        signals.connect()
