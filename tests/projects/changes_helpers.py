"""Shared set-up for the change-request tests: alice's project for her client, a rate card, and helpers."""
from decimal import Decimal

from django_scopes import scope

from projects.services import changes as services
from tests import factories as f


def rate_card(agency):
    """The agency's designer (3 000 ₽/h, cost 1 200) and copywriter (2 500 ₽/h, cost 1 000); made once."""
    from django_scopes import scopes_disabled

    from proposals.models import RateRole

    with scopes_disabled():
        existing = {r.name: r for r in RateRole.objects.filter(agency=agency, name__in=["Дизайнер", "Копирайтер"])}
    designer = existing.get("Дизайнер") or f.RateRoleFactory(
        agency=agency, name="Дизайнер", hourly_rate=Decimal("3000"), cost_rate=Decimal("1200"))
    copywriter = existing.get("Копирайтер") or f.RateRoleFactory(
        agency=agency, name="Копирайтер", hourly_rate=Decimal("2500"), cost_rate=Decimal("1000"))
    return designer, copywriter


def project_of(world, **kwargs):
    """A project of alice's client (the client contact's company), with the AM as its account manager."""
    from clients.models import Contact

    with scope(agency=world.agency):
        company = Contact.objects.get(pk=world.client_contact.contact_id).client
    return f.ProjectFactory(agency=world.agency, client=company, account_manager=world.am.user,
                            manager=world.specialist.user, **kwargs)


def draft_with_lines(world, project=None, *, roles=None):
    """A draft: 10 h designer + 3.5 h copywriter, 10 % discount (reason given), the agency's VAT."""
    project = project or project_of(world)
    designer, copywriter = roles or rate_card(world.agency)
    actor = world.am.user
    with scope(agency=world.agency):
        cr = services.change_request_create(agency=world.agency, actor=actor, project=project, title="Ещё баннеры")
        services.line_add(agency=world.agency, actor=actor, change_request=cr, role=designer,
                          description="Три баннера", hours="10")
        services.line_add(agency=world.agency, actor=actor, change_request=cr, role=copywriter,
                          description="Тексты", hours="3.5")
        services.change_request_update(agency=world.agency, actor=actor, change_request=cr,
                                       data={"discount_percent": Decimal("10"), "discount_reason": "Постоянный клиент"})
        cr.refresh_from_db()
    return cr


def send(world, cr, captured):
    from clients.models import Contact

    with scope(agency=world.agency):
        contact = Contact.objects.get(pk=world.client_contact.contact_id)
        with captured(execute=True):
            services.change_request_send(agency=world.agency, actor=world.am.user, change_request=cr,
                                         contacts=[contact])
        cr.refresh_from_db()
    return cr
