from django.apps import AppConfig


class ProposalsConfig(AppConfig):
    name = "proposals"
    verbose_name = "Proposals"

    def ready(self) -> None:
        from . import sections, today  # noqa: F401 - the first step, the Today block, the client-page block
