from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = "Projects"

    def ready(self):
        # shell: an accepted proposal becomes a project (proposals.handoff → projects.services.handoff).
        from proposals.handoff import register_receiver

        from .services.handoff import project_create_from_proposal

        register_receiver(project_create_from_proposal)
        from . import sections  # noqa: F401 - the projects block of the client page
