"""The agency's sales pipelines (new business, upsell, tenders…) and their editable stages. Each stage has a
default probability (the weighted forecast is amount × probability) and a `code`: the standard step it
counts as in the funnel reports, the stage history and the КП automation (won and lost close a deal)."""
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from mrm.core.models import TimeStamped
from mrm.tenancy.models import AgencyOwned


class Pipeline(AgencyOwned, TimeStamped):
    class Kind(models.TextChoices):
        NEW_BUSINESS = "new_business", _("New business")
        UPSELL = "upsell", _("Upsell")
        TENDER = "tender", _("Tenders")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=80)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, default=Kind.NEW_BUSINESS)
    order = models.PositiveIntegerField(_("order"), default=0)
    is_default = models.BooleanField(_("default"), default=False)
    is_archived = models.BooleanField(_("archived"), default=False)

    class Meta:
        ordering = ["order", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["agency"], condition=models.Q(is_default=True),
                                    name="clients_pipeline_one_default"),
            models.UniqueConstraint(fields=["agency", "name"], name="clients_pipeline_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class PipelineStage(AgencyOwned, TimeStamped):
    """A kanban column. `code` is one of `Deal.Stage` (a deal's `stage` is its column's code, kept by the
    deal services); `semantic` follows from it: won, lost or open."""

    class Semantic(models.TextChoices):
        OPEN = "open", _("Open")
        WON = "won", _("Won")
        LOST = "lost", _("Lost")

    pipeline = models.ForeignKey(Pipeline, verbose_name=_("pipeline"), on_delete=models.CASCADE,
                                 related_name="stages")
    name = models.CharField(_("name"), max_length=80)
    code = models.CharField(_("counts as"), max_length=20, default="new")  # a Deal.Stage value
    order = models.PositiveIntegerField(_("order"), default=0)
    probability = models.PositiveSmallIntegerField(_("probability, %"), default=0,
                                                   validators=[MaxValueValidator(100)])
    is_archived = models.BooleanField(_("archived"), default=False)

    class Meta:
        ordering = ["pipeline", "order", "created_at"]
        indexes = [models.Index(fields=["agency", "pipeline", "order"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(probability__lte=100), name="clients_stage_probability_max"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def semantic(self) -> str:
        if self.code in (self.Semantic.WON, self.Semantic.LOST):
            return self.code
        return self.Semantic.OPEN

    @property
    def code_label(self) -> str:
        from .deals import Deal  # deals.py imports this module

        return Deal.Stage(self.code).label if self.code in Deal.Stage.values else self.code

    @property
    def is_closed(self) -> bool:
        return self.semantic != self.Semantic.OPEN
