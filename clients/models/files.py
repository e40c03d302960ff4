from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from mrm.core.models import TimeStamped
from mrm.core.storage import private_storage
from mrm.tenancy.models import AgencyOwned

from .company import Client


def _client_file_path(instance, filename: str) -> str:
    # Agency and client in the path keep storage tidy; downloads still go through a permission-checked view.
    return f"clients/{instance.agency_id}/{instance.client_id}/{instance.id}/{filename}"


def _import_file_path(instance, filename: str) -> str:
    return f"imports/{instance.agency_id}/{instance.id}/{filename}"


class ClientFile(AgencyOwned, TimeStamped):
    class Kind(models.TextChoices):
        CONTRACT = "contract", _("Contract")
        BRANDBOOK = "brandbook", _("Brandbook")
        BRIEF = "brief", _("Brief")
        REPORT = "report", _("Report")
        OTHER = "other", _("Other")

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to=_client_file_path, storage=private_storage, max_length=300)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices, default=Kind.OTHER)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    client_visible = models.BooleanField(_("visible to the client"), default=False)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["agency", "client", "-created_at"])]

    def __str__(self) -> str:
        return self.name


class ImportFile(AgencyOwned, TimeStamped):
    """An uploaded CSV/XLSX waiting for column mapping, preview and the import job."""

    class Entity(models.TextChoices):
        COMPANIES = "companies", _("Companies")
        CONTACTS = "contacts", _("Contacts")
        DEALS = "deals", _("Deals")

    file = models.FileField(upload_to=_import_file_path, storage=private_storage, max_length=300)
    original_name = models.CharField(max_length=200)
    entity = models.CharField(max_length=12, choices=Entity.choices, default=Entity.COMPANIES)
    encoding = models.CharField(max_length=20, blank=True)
    delimiter = models.CharField(max_length=2, blank=True)
    headers = models.JSONField(default=list, blank=True)
    mapping = models.JSONField(default=dict, blank=True)  # column index -> field name
    match_key = models.CharField(max_length=40, blank=True)
    skip_bad_rows = models.BooleanField(default=False)
    job = models.ForeignKey("jobs.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # The job that reads the stored file (format, headers, first rows): the web request never parses it.
    inspection = models.ForeignKey("jobs.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    sample = models.JSONField(default=list, blank=True)  # the first rows as read by the inspection
    report = models.JSONField(default=dict, blank=True)  # created / updated / errors per row
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.original_name
