"""Briefs: the public form and the internal one both end here; a brief links (or creates) the client,
its contact and a deal at "brief received", then the owner AM and the submitter get an e-mail."""
import logging

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from mrm.integrations.mail import send_templated
from mrm.tenancy.models import Agency
from mrm.tenancy.services import apply_changes, audit

from .. import crm, public
from ..models import Brief, BriefAttachment, BriefTemplate

logger = logging.getLogger(__name__)

TEMPLATE_FIELDS = ("name", "discipline", "intro", "questions", "order", "is_active")
BRIEF_FIELDS = ("company_name", "website", "contact_name", "contact_email", "contact_phone", "contact_position",
                "goals", "audience", "channels", "budget", "deadline", "links", "answers")


@transaction.atomic
def template_save(*, agency: Agency, actor, data: dict, template: BriefTemplate | None = None) -> BriefTemplate:
    """Create or change a brief template (the questions asked for one kind of request)."""
    data = {k: v for k, v in data.items() if k in TEMPLATE_FIELDS}
    if template is None:
        template = BriefTemplate.objects.create(agency=agency, **data)
        audit(agency=agency, actor=actor, action="brief_template.created", target=template)
        return template
    template = BriefTemplate.objects.select_for_update().get(agency=agency, pk=template.pk)
    changes = apply_changes(template, data)
    if changes:
        template.save()
        audit(agency=agency, actor=actor, action="brief_template.updated", target=template, changes=changes)
    return template


@transaction.atomic
def brief_submit(*, agency: Agency, actor, data: dict, files: list | None = None, source: str = Brief.Source.INTERNAL,
                 template: BriefTemplate | None = None, client=None, contact=None, ip: str | None = None) -> Brief:
    """Save a brief, link or create client + contact, open a deal at "brief received", notify after commit.
    `client` (and `contact`, a person of that client) link a brief whose sender is known: the portal's login."""
    data = {k: v for k, v in data.items() if k in BRIEF_FIELDS}
    data["channels"] = list(data.get("channels") or [])
    client, contact, client_created = crm.link_client(agency=agency, actor=actor, data=data, client=client,
                                                      contact=contact)
    owner = client.owner or crm.default_owner(agency=agency)
    deal = crm.deal_create(agency=agency, actor=actor, client=client, title=crm.brief_deal_title(
        company_name=data["company_name"], template=template, channels=data["channels"]),
                           service_lines=data["channels"], owner=owner)
    brief = Brief.objects.create(
        agency=agency, client=client, contact=contact, deal=deal, template=template, owner=owner,
        created_by=actor if getattr(actor, "is_authenticated", False) else None, source=source,
        submitted_ip=ip, **data,
    )
    for upload in files or []:
        attachment = BriefAttachment(agency=agency, brief=brief, name=upload.name[:200], size=upload.size,
                                     content_type=(getattr(upload, "content_type", "") or "")[:100])
        attachment.file.save(upload.name, upload, save=False)
        attachment.save()
    audit(agency=agency, actor=actor, action="brief.submitted", target=brief,
          changes={"source": (None, source), "client_created": (None, client_created)})
    brief_id, agency_id = brief.pk, agency.pk
    transaction.on_commit(lambda: _notify(agency_id=agency_id, brief_id=brief_id))
    return brief


def _notify(*, agency_id, brief_id) -> None:
    """E-mail the owner AM about the new brief and the submitter a confirmation (after commit)."""
    from django_scopes import scope

    agency = Agency.objects.get(pk=agency_id)
    with scope(agency=agency):
        brief = Brief.objects.select_related("owner", "client").get(agency=agency, pk=brief_id)
        context = {"brief": brief, "agency": agency,
                   "brief_path": reverse("proposals:brief_detail", args=[brief.pk])}
        try:
            if brief.owner and brief.owner.email:
                send_templated(to=[brief.owner.email], subject=_("New brief: %(company)s") % {
                    "company": brief.company_name}, template="emails/proposals/brief_new", context=context,
                    language=getattr(brief.owner, "language", None))
            if brief.source == Brief.Source.PUBLIC_FORM and not public.brief_confirmation_allowed(
                    email=brief.contact_email):
                logger.warning("brief %s: confirmation mail skipped, the address had its daily limit", brief_id)
            elif brief.source == Brief.Source.PUBLIC_FORM:
                send_templated(to=[brief.contact_email], subject=_("%(agency)s received your brief") % {
                    "agency": agency.name}, template="emails/proposals/brief_received", context=context,
                    reply_to=[brief.owner.email] if brief.owner and brief.owner.email else None)
        except Exception:  # noqa: BLE001 - the brief is saved; a mail outage must not lose it
            logger.exception("brief %s: notification failed", brief_id)


@transaction.atomic
def brief_set_status(*, agency: Agency, actor, brief: Brief, status: str) -> Brief:
    changes = apply_changes(brief, {"status": status})
    if changes:
        Brief.objects.filter(agency=agency, pk=brief.pk).update(status=status)
        audit(agency=agency, actor=actor, action="brief.status_changed", target=brief, changes=changes)
    return brief
