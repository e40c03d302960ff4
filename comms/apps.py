from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommsConfig(AppConfig):
    """Client communications: request threads and their messages (the portal today; e-mail and Telegram later)."""

    name = "comms"
    verbose_name = _("Client requests")

    def ready(self) -> None:
        from . import sections, today  # noqa: F401 - the client-page block and the Today block register themselves
