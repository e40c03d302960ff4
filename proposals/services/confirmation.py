"""After an acceptance: the accepting client gets the accepted PDF with an acceptance certificate appended
(who, when with the time zone, IP, version and its SHA-256), once. Sent by `decision_confirmation_task`."""
import logging
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mrm.integrations.mail import send_templated
from mrm.tenancy.models import Agency

from ..models import Decision
from . import documents

logger = logging.getLogger(__name__)


def acceptance_certificate(*, decision: Decision, time_zone: str) -> dict:
    """The certificate block of the accepted PDF; the time in the agency's zone, with its name and offset."""
    try:
        zone = ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        zone, time_zone = ZoneInfo("UTC"), "UTC"
    local = timezone.localtime(decision.created_at, zone)
    offset = local.strftime("%z")
    return {
        "name": decision.signed_name, "email": decision.email,
        "when": f"{local:%d.%m.%Y %H:%M:%S} {time_zone} (UTC{offset[:3]}:{offset[3:]})",
        "ip": decision.ip_address or "", "version": decision.version.number, "hash": decision.version_hash,
        "total": decision.accepted_total, "options": [o["name"] for o in decision.options or []],
        "totals": decision.accepted_totals or None,
    }


def decision_confirmation_send(*, agency: Agency, decision_id) -> bool:
    """E-mail the accepting recipient the PDF with the certificate. Idempotent: the Decision row is locked and
    `confirmation_sent_at` marks it sent; a mail error rolls the mark back (the task retries). True if sent."""
    with transaction.atomic():
        decision = (Decision.objects.select_for_update(of=("self",))
                    .select_related("version", "recipient", "contact", "proposal__owner", "proposal__client")
                    .filter(agency=agency, pk=decision_id).first())
        if (decision is None or decision.kind != Decision.Kind.ACCEPTED or decision.confirmation_sent_at
                or not decision.email):
            return False
        version, proposal = decision.version, decision.proposal
        certificate = acceptance_certificate(decision=decision, time_zone=agency.timezone)
        content = documents.render_pdf(agency=agency, snapshot=version.snapshot, version=version.number,
                                       certificate=certificate)
        owner = proposal.owner
        send_templated(
            to=[decision.email],
            subject=_("%(agency)s: you accepted “%(title)s”") % {"agency": agency.name, "title": proposal.title},
            template="emails/proposals/acceptance_confirmation",
            context={"decision": decision, "proposal": proposal, "agency": agency, "certificate": certificate,
                     "owner": owner, "currency": proposal.currency},
            reply_to=[owner.email] if owner and owner.email else None,
            attachments=[(f"proposal-v{version.number}-accepted.pdf", content, "application/pdf")])
        Decision.objects.filter(agency=agency, pk=decision.pk).update(confirmation_sent_at=timezone.now())
    logger.info("decision %s: confirmation sent to the client", decision_id)
    return True
