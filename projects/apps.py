from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = "Projects"

    def ready(self) -> None:
        # shell: an accepted proposal becomes a project (proposals.handoff → projects.services.handoff).
        from proposals.handoff import register_receiver

        from . import sections  # noqa: F401 - the projects block of the client page
        from .alerts import signals, tasks  # noqa: F401 - alerts: on-change evaluation and the Celery tasks
        from .services.handoff import project_create_from_proposal

        register_receiver(project_create_from_proposal)
        signals.connect()
