"""Custom fields per agency (on clients, contacts and deals) and saved list views.

Where the values live: a `custom` JSONField on the record itself (a dict keyed by the field's `key`),
not a value table (EAV). Why:
- reading a list with N custom columns costs no query at all (the values come with the row), so list
  pages keep a constant query count whatever columns are shown, and exports/API serialize without joins;
- writes are one UPDATE of the row the form already saves, inside the same transaction and audit entry;
- filtering: exact / contains use `custom__<key>` (a GIN index on `custom`, PostgreSQL only, created in the migration, serves containment), ranges
  cast the one key (`(custom->>'key')::numeric` / `::date`) inside the agency's index range — lists are
  already narrowed by agency and visibility first, so this stays cheap at tens of thousands of rows.
The price is that the database does not type the values: `clients.services.custom_fields` validates
every write (kind, choice membership, required) and stores canonical JSON (numbers as numbers, dates as
ISO strings), so casts never meet a bad value. A label rename keeps values (they are keyed by `key`, which
never changes); a deactivated field is hidden but its values stay on the records.
"""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from mrm.core.models import TimeStamped
from mrm.tenancy.models import AgencyOwned


class CustomField(AgencyOwned, TimeStamped):
    class Entity(models.TextChoices):
        CLIENT = "client", _("Clients")
        CONTACT = "contact", _("Contacts")
        DEAL = "deal", _("Deals")

    class Kind(models.TextChoices):
        TEXT = "text", _("Text")
        NUMBER = "number", _("Number")
        DATE = "date", _("Date")
        CHOICE = "choice", _("Choice")

    entity = models.CharField(_("shown on"), max_length=10, choices=Entity.choices)
    key = models.SlugField(_("key"), max_length=40, help_text=_("Latin letters, digits and _; cannot change later."))
    label = models.CharField(_("label"), max_length=80)
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices, default=Kind.TEXT)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    required = models.BooleanField(_("required"), default=False)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["entity", "order", "label"]
        constraints = [models.UniqueConstraint(fields=["agency", "entity", "key"], name="customfield_unique_key")]
        indexes = [models.Index(fields=["agency", "entity", "is_active", "order"])]

    def __str__(self) -> str:
        return self.label


class SavedView(AgencyOwned, TimeStamped):
    """A list's filters and sort (its query string, only known parameters) plus the columns shown."""

    class List(models.TextChoices):
        CLIENTS = "clients", _("Clients")
        DEALS = "deals", _("Deals")
        TASKS = "tasks", _("Tasks")

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    list_key = models.CharField(max_length=10, choices=List.choices)
    name = models.CharField(_("name"), max_length=80)
    query = models.CharField(max_length=2000, blank=True)
    columns = models.JSONField(default=list, blank=True)
    shared = models.BooleanField(_("share with the agency"), default=False)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["agency", "list_key", "owner"]),
                   models.Index(fields=["agency", "list_key", "shared"])]

    def __str__(self) -> str:
        return self.name


class SavedViewDefault(AgencyOwned, TimeStamped):
    """The view a user's list opens with (their own or a shared one)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    list_key = models.CharField(max_length=10, choices=SavedView.List.choices)
    view = models.ForeignKey(SavedView, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "user", "list_key"], name="savedview_one_default")]
