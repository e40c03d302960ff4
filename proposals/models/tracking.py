import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

from mrm.core.models import TimeStamped
from mrm.tenancy.models import AgencyOwned

from .proposals import Proposal, ProposalVersion


def _nonce() -> str:
    return secrets.token_urlsafe(16)


class Via(models.TextChoices):
    """Where the client read or answered: the personal link from the e-mail, or the client portal (logged in)."""
    LINK = "link", _("Personal link")
    PORTAL = "portal", _("Client portal")


class Recipient(AgencyOwned, TimeStamped):
    """One contact a version was sent to; owns the personal link (signed, revocable via `revoked_at`
    or a new nonce) and the counters the AM sees ("opened 3 times, last yesterday 18:04")."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="recipients")
    version = models.ForeignKey(ProposalVersion, on_delete=models.CASCADE, related_name="recipients")
    contact = models.ForeignKey("clients.Contact", on_delete=models.SET_NULL, null=True, related_name="+")
    name = models.CharField(max_length=150)
    email = models.EmailField()
    nonce = models.CharField(max_length=32, default=_nonce)
    emailed_at = models.DateTimeField(null=True, blank=True)
    # A worker is sending the e-mail since then; a claim older than a job lease is a dead worker's, retaken.
    email_claimed_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    open_count = models.PositiveIntegerField(default=0)
    download_count = models.PositiveIntegerField(default=0)
    seconds_viewed = models.PositiveIntegerField(default=0)
    first_opened_at = models.DateTimeField(null=True, blank=True)
    last_opened_at = models.DateTimeField(null=True, blank=True)
    # The client asked for a new version because this one expired (once per link).
    renewal_requested_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["agency", "proposal", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


class ViewEvent(AgencyOwned, TimeStamped):
    """An open of the web view (with time on page from the beacon) or a PDF download."""

    class Kind(models.TextChoices):
        OPEN = "open", _("Opened")
        DOWNLOAD = "download", _("Downloaded the PDF")

    recipient = models.ForeignKey(Recipient, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    via = models.CharField(max_length=8, choices=Via.choices, default=Via.LINK)
    seconds = models.PositiveIntegerField(default=0)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["agency", "recipient", "-created_at"])]


class Decision(AgencyOwned, TimeStamped):
    """The client's acceptance or decline of one exact version (hash kept), with who, when and from where."""

    class Kind(models.TextChoices):
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="decisions")
    version = models.ForeignKey(ProposalVersion, on_delete=models.PROTECT, related_name="+")
    version_hash = models.CharField(max_length=64)
    recipient = models.ForeignKey(Recipient, on_delete=models.SET_NULL, null=True, related_name="+")
    contact = models.ForeignKey("clients.Contact", on_delete=models.SET_NULL, null=True, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    via = models.CharField(max_length=8, choices=Via.choices, default=Via.LINK)
    signed_name = models.CharField(_("name"), max_length=150)
    comment = models.TextField(_("comment"), blank=True, max_length=2000)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    # The optional items the client switched on (keys and names from the version's snapshot) and the totals
    # of that choice: what was accepted, shown to the AM, on the certificate and handed off to delivery.
    options = models.JSONField(default=list, blank=True)
    accepted_totals = models.JSONField(default=dict, blank=True)
    # When the accepting client was e-mailed the PDF with the acceptance certificate (sent once).
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["proposal"], name="decision_one_per_proposal")]

    def __str__(self) -> str:
        return f"{self.kind} {self.proposal_id}"

    @property
    def accepted_total(self):
        from decimal import Decimal

        total = (self.accepted_totals or {}).get("total")
        return Decimal(total) if total is not None else self.version.total

    @property
    def email(self) -> str:
        """Where the one who answered is reached: their personal link's address, else (an answer from the
        portal without a link of their own) their contact's."""
        if self.recipient_id and self.recipient:
            return self.recipient.email
        return self.contact.email if self.contact_id and self.contact else ""
