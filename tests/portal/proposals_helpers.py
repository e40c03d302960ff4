"""Builders of the portal proposal tests: a real proposal of the portal login's company, sent by the AM through
the staff page (so its version, snapshot, hash, PDF and personal links are the real ones)."""
from decimal import Decimal

from django.urls import reverse
from django_scopes import scope, scopes_disabled

from clients.models import Deal
from proposals.models import ProposalVersion, Recipient
from proposals.services import editor
from tests import factories as f
from tests.conftest import login


def portal_company(world):
    with scopes_disabled():
        return world.client_contact.contact.client


def portal_person(world):
    with scopes_disabled():
        return world.client_contact.contact


def catalog_service(world):
    """The agency's one SMM service (made once per agency)."""
    from proposals.models import Service

    with scopes_disabled():
        existing = Service.objects.filter(agency=world.agency, name="Ведение сообществ").first()
    if existing is not None:
        return existing
    role = f.RateRoleFactory(agency=world.agency, name="SMM-менеджер", hourly_rate=Decimal("2800.00"),
                             cost_rate=Decimal("1300"))
    return f.ServiceFactory(agency=world.agency, discipline="smm", name="Ведение сообществ", hours_min=10,
                            hours_max=70, roles=[role])


def draft(world, *, client=None, title="КП для портала", service=None, with_deal=True):
    client = client or portal_company(world)
    service = service or catalog_service(world)
    deal = f.DealFactory(agency=world.agency, client=client, stage=Deal.Stage.BRIEF_RECEIVED,
                         owner=world.am.user) if with_deal else None
    with scope(agency=world.agency):
        proposal = editor.proposal_create(agency=world.agency, actor=world.am.user, client=client, deal=deal,
                                          title=title)
        editor.line_add(agency=world.agency, actor=world.am.user, proposal=proposal, service=service, hours=10)
        editor.section_add(agency=world.agency, actor=world.am.user, proposal=proposal,
                           title="Как мы поняли задачу", body="Нужно больше заявок из поиска.")
    return proposal


def send(world, proposal, capture, contacts=None) -> ProposalVersion:
    """Send through the staff page to `contacts` (default: the portal login's own contact)."""
    contacts = contacts if contacts is not None else [portal_person(world)]
    with capture(execute=True):
        response = login(world.am).post(reverse("proposals:send", args=[proposal.pk]), {
            "contacts": [str(c.pk) for c in contacts], "message": ""})
    assert response.status_code == 302, response.content.decode()[:500]
    with scopes_disabled():
        return ProposalVersion.objects.filter(proposal=proposal).latest("number")


def recipient_of(version, contact) -> Recipient | None:
    with scopes_disabled():
        return Recipient.objects.filter(version=version, contact=contact).first()
