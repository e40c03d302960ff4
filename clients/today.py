from django.utils.translation import gettext_lazy as _

from mrm.core.first_steps import Step, register


def _has_client(agency) -> bool:
    from .models import Client

    return Client.objects.filter(agency=agency).exists()


register(Step("client", _("Add your first client"), _("Or import them from amoCRM, Bitrix24 or a spreadsheet."),
              "clients:list", _has_client, action="client.create"))


def _register_today_blocks() -> None:
    from mrm.core.views import TODAY_SECTIONS

    from .views.today import SECTIONS

    TODAY_SECTIONS.extend(s for s in SECTIONS if s not in TODAY_SECTIONS)


_register_today_blocks()
