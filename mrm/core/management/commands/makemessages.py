"""`makemessages` that also extracts `_l(...)` (gettext_lazy under a short name, used for the audit sentences in
mrm/tenancy/audit_text.py), so those strings reach the catalogue and show in Russian like every other."""
from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=_l"]
