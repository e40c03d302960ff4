"""What invoices and acts need besides the invoice row: the agency's legal details and the number counters."""
from django.db import models
from django.utils.translation import gettext_lazy as _

from mrm.core.models import TimeStamped
from mrm.tenancy.models import AgencyOwned

from ..requisites import validate_account, validate_bik, validate_inn, validate_kpp, validate_ogrn


class AgencyLegalDetails(AgencyOwned, TimeStamped):
    """The agency as the supplier on its invoices and acts (one row per agency; a separate model so the
    agency settings table and its migrations stay apart)."""

    class VatMode(models.TextChoices):
        EXCLUDED = "excluded", _("VAT on top of the price")
        INCLUDED = "included", _("VAT included in the price")
        NONE = "none", _("No VAT (simplified tax system)")

    legal_name = models.CharField(_("legal name"), max_length=255, blank=True,
                                  help_text=_("As registered, e.g. ООО «Север Диджитал»."))
    inn = models.CharField(_("INN"), max_length=12, blank=True, validators=[validate_inn])
    kpp = models.CharField(_("KPP"), max_length=9, blank=True, validators=[validate_kpp],
                           help_text=_("Leave empty for a sole trader."))
    ogrn = models.CharField(_("OGRN / OGRNIP"), max_length=15, blank=True, validators=[validate_ogrn])
    legal_address = models.CharField(_("legal address"), max_length=500, blank=True)
    bank_name = models.CharField(_("bank"), max_length=255, blank=True)
    bik = models.CharField(_("BIK"), max_length=9, blank=True, validators=[validate_bik])
    correspondent_account = models.CharField(_("correspondent account"), max_length=20, blank=True,
                                             validators=[validate_account])
    settlement_account = models.CharField(_("settlement account"), max_length=20, blank=True,
                                          validators=[validate_account])
    signatory_name = models.CharField(_("signatory"), max_length=200, blank=True,
                                      help_text=_("Who signs invoices and acts, e.g. Иванов И. И."))
    signatory_title = models.CharField(_("signatory's position"), max_length=200, blank=True,
                                       help_text=_("e.g. Генеральный директор"))
    accountant_name = models.CharField(_("chief accountant"), max_length=200, blank=True)
    vat_mode = models.CharField(_("VAT on documents"), max_length=10, choices=VatMode.choices,
                                default=VatMode.EXCLUDED)

    class Meta:
        ordering = ["agency"]
        constraints = [models.UniqueConstraint(fields=["agency"], name="agencylegaldetails_unique_agency")]
        verbose_name = _("legal details")
        verbose_name_plural = _("legal details")

    def __str__(self) -> str:
        return self.legal_name or str(self.agency_id)

    @property
    def is_complete(self) -> bool:
        return all((self.legal_name, self.inn, self.bank_name, self.bik, self.settlement_account))


class DocumentCounter(AgencyOwned):
    """The last number given to a kind of document in a year; locked while the next number is taken, so two
    documents issued at once get consecutive numbers, never the same one and never a gap."""

    kind = models.CharField(max_length=10)
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["agency", "kind", "year"]
        constraints = [models.UniqueConstraint(fields=["agency", "kind", "year"], name="documentcounter_unique")]

    def __str__(self) -> str:
        return f"{self.kind} {self.year}: {self.last_number}"
