from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from mrm.core.models import TimeStamped
from mrm.core.storage import private_storage
from mrm.tenancy.models import AgencyOwned

from .catalog import Discipline


class BriefTemplate(AgencyOwned, TimeStamped):
    """Extra questions asked for one kind of request (e.g. an SMM brief), editable by the agency."""

    name = models.CharField(_("name"), max_length=120)
    discipline = models.CharField(_("service type"), max_length=20, choices=Discipline.choices, blank=True)
    intro = models.TextField(_("introduction for the client"), blank=True, max_length=1000)
    # One question per line; each becomes a text field of the public form.
    questions = models.TextField(_("questions, one per line"), blank=True, max_length=4000)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("shown on the public form"), default=True)

    class Meta:
        ordering = ["order", "name"]
        indexes = [models.Index(fields=["agency", "is_active", "order"])]

    def __str__(self) -> str:
        return self.name

    @property
    def question_list(self) -> list[str]:
        return [q.strip() for q in self.questions.splitlines() if q.strip()][:20]


class Brief(AgencyOwned, TimeStamped):
    """A client's request in their own words: the input of a proposal. Its text is untrusted data."""

    class Source(models.TextChoices):
        PUBLIC_FORM = "public_form", _("Public brief form")
        INTERNAL = "internal", _("Filled by the agency")
        API = "api", _("API")
        PORTAL = "portal", _("Client portal")

    class Status(models.TextChoices):
        NEW = "new", _("New")
        IN_WORK = "in_work", _("Proposal in progress")
        ARCHIVED = "archived", _("Archived")

    class Budget(models.TextChoices):
        UNKNOWN = "", _("Not decided yet")
        UP_TO_300K = "lt300k", _("Up to 300 000 ₽")
        UP_TO_1M = "300k-1m", _("300 000 – 1 000 000 ₽")
        UP_TO_3M = "1m-3m", _("1 – 3 million ₽")
        OVER_3M = "gt3m", _("Over 3 million ₽")

    client = models.ForeignKey("clients.Client", verbose_name=_("client"), on_delete=models.CASCADE,
                               related_name="briefs")
    contact = models.ForeignKey("clients.Contact", verbose_name=_("contact"), on_delete=models.SET_NULL, null=True,
                                blank=True, related_name="+")
    deal = models.ForeignKey("clients.Deal", verbose_name=_("deal"), on_delete=models.SET_NULL, null=True,
                             blank=True, related_name="+")
    template = models.ForeignKey(BriefTemplate, verbose_name=_("brief type"), on_delete=models.SET_NULL, null=True,
                                 blank=True, related_name="briefs")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("account manager"), on_delete=models.SET_NULL,
                              null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    source = models.CharField(_("source"), max_length=12, choices=Source.choices, default=Source.INTERNAL)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.NEW)
    company_name = models.CharField(_("company"), max_length=200)
    website = models.CharField(_("website"), max_length=300, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=150)
    contact_email = models.EmailField(_("e-mail"))
    contact_phone = models.CharField(_("phone"), max_length=40, blank=True)
    contact_position = models.CharField(_("position"), max_length=120, blank=True)
    goals = models.TextField(_("goals"), max_length=4000)
    audience = models.TextField(_("audience"), blank=True, max_length=3000)
    channels = models.JSONField(_("services of interest"), default=list, blank=True)
    budget = models.CharField(_("budget"), max_length=10, choices=Budget.choices, blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    links = models.TextField(_("links"), blank=True, max_length=2000)
    answers = models.JSONField(_("answers"), default=list, blank=True)  # [{"question": ..., "answer": ...}]
    submitted_ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["agency", "-created_at"]),
            models.Index(fields=["agency", "status", "-created_at"]),
            models.Index(fields=["agency", "client", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.company_name} — {self.created_at:%d.%m.%Y}" if self.created_at else self.company_name

    def channel_labels(self) -> list[str]:
        labels = dict(Discipline.choices)
        return [str(labels.get(c, c)) for c in self.channels]


def _attachment_path(instance, filename: str) -> str:
    return f"proposals/{instance.agency_id}/briefs/{instance.brief_id}/{instance.id}/{filename[-120:]}"


class BriefAttachment(AgencyOwned, TimeStamped):
    brief = models.ForeignKey(Brief, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=_attachment_path, storage=private_storage, max_length=300)
    name = models.CharField(max_length=200)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["agency", "brief"])]

    def __str__(self) -> str:
        return self.name
