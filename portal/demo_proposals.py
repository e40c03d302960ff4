"""Demo data of the portal's proposals: the demo client login's company gets a proposal sent in two versions
(the first opened, the second waiting for an answer), unless one was sent to it already. Safe to run again."""
from datetime import timedelta

from django.utils import timezone

from clients.models import Contact
from mrm.tenancy.models import Agency, Membership
from proposals.models import Proposal, ProposalVersion, Recipient, Service
from proposals.services import editor, sending


def seed_portal_proposals(*, agency: Agency, members: dict[str, Membership]) -> None:
    member = Membership.objects.filter(agency=agency, pk=members["client"].pk).first()
    contact = Contact.objects.filter(agency=agency, pk=member.contact_id).select_related("client").first() \
        if member else None
    if contact is None or not contact.email:
        return
    company = contact.client
    if ProposalVersion.objects.filter(agency=agency, proposal__client=company).exists():
        return
    services = list(Service.objects.filter(agency=agency, is_active=True).order_by("order", "name")[:3])
    if not services:
        return
    am = company.owner or members["am"].user
    proposal = editor.proposal_create(agency=agency, actor=am, client=company,
                                      title="Продвижение в соцсетях и контекст на квартал")
    editor.section_add(agency=agency, actor=am, proposal=proposal, title="Как мы поняли задачу",
                       body="Нужно больше заявок с сайта и из соцсетей при той же стоимости заявки.\n"
                            "Начинаем с аудита и стратегии, затем запускаем кампании.")
    editor.section_add(agency=agency, actor=am, proposal=proposal, title="Подход",
                       body="Еженедельные отчёты, ежемесячная встреча по результатам.")
    for service in services[:2]:
        editor.line_add(agency=agency, actor=am, proposal=proposal, service=service)
    now = timezone.now()
    first = sending.version_freeze(agency=agency, actor=am, proposal=proposal)
    Recipient.objects.create(agency=agency, proposal=proposal, version=first, contact=contact, name=contact.full_name,
                             email=contact.email, emailed_at=now - timedelta(days=6), open_count=2,
                             seconds_viewed=380, first_opened_at=now - timedelta(days=5),
                             last_opened_at=now - timedelta(days=4))
    ProposalVersion.objects.filter(agency=agency, pk=first.pk).update(created_at=now - timedelta(days=6))
    if len(services) > 2:  # the client asked for one more service: version 2
        editor.line_add(agency=agency, actor=am, proposal=proposal, service=services[2])
    second = sending.version_freeze(agency=agency, actor=am, proposal=proposal)
    if second.pk != first.pk:
        Recipient.objects.create(agency=agency, proposal=proposal, version=second, contact=contact,
                                 name=contact.full_name, email=contact.email, emailed_at=now - timedelta(days=1))
    Proposal.objects.filter(agency=agency, pk=proposal.pk).update(status=Proposal.Status.SENT,
                                                                  sent_at=now - timedelta(days=1))
