"""What happened to the fields that get overwritten: a client's status and owner, a deal's stage.
Retention over a period, funnel velocity and per-AM KPIs after a reassignment are computed from these
rows; one row per change (the first row, with an empty "from", is the state at creation). Written only by
`clients.services.history`, which every service that changes those fields calls."""
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from mrm.core.models import TimeStamped
from mrm.tenancy.models import AgencyOwned

from .company import Client
from .deals import Deal


class _Change(AgencyOwned, TimeStamped):
    """When a change happened and who made it; the subclasses say what changed, in typed columns."""

    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+")

    class Meta:
        abstract = True
        ordering = ["changed_at", "created_at"]


class ClientStatusChange(_Change):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(pgettext_lazy("history", "from"), max_length=20, choices=Client.Status.choices, blank=True)
    to_status = models.CharField(pgettext_lazy("history", "to"), max_length=20, choices=Client.Status.choices)

    class Meta(_Change.Meta):
        indexes = [
            models.Index(fields=["agency", "client", "changed_at"]),
            models.Index(fields=["agency", "to_status", "changed_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.client_id}: {self.from_status or '∅'} → {self.to_status}"


class ClientOwnerChange(_Change):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="owner_changes")
    from_owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=pgettext_lazy("history", "from"), on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    to_owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=pgettext_lazy("history", "to"), on_delete=models.SET_NULL,
                                 null=True, blank=True, related_name="+")

    class Meta(_Change.Meta):
        indexes = [
            models.Index(fields=["agency", "client", "changed_at"]),
            models.Index(fields=["agency", "to_owner", "changed_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.client_id}: {self.from_owner_id} → {self.to_owner_id}"


class DealStageChange(_Change):
    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(pgettext_lazy("history", "from"), max_length=20, choices=Deal.Stage.choices, blank=True)
    to_stage = models.CharField(pgettext_lazy("history", "to"), max_length=20, choices=Deal.Stage.choices)

    class Meta(_Change.Meta):
        indexes = [
            models.Index(fields=["agency", "deal", "changed_at"]),
            models.Index(fields=["agency", "to_stage", "changed_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.deal_id}: {self.from_stage or '∅'} → {self.to_stage}"
