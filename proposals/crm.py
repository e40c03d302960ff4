"""The proposals app's writes into the CRM, in one place, all through the CRM's own services:
clients.services.companies (client), .contacts (contact), .deals (deal create, stage moves)."""
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Length
from django.utils import translation
from django.utils.translation import gettext as _

from clients.models import Client, Contact, Deal
from clients.services import companies as company_services
from clients.services import contacts as contact_services
from clients.services import deals as deal_services
from clients.services import tasks as task_services
from mrm.tenancy.models import Agency, Membership, Role


def default_owner(*, agency: Agency):
    """Who gets briefs from unknown companies: the setting, else the first active director."""
    from .services.catalog import settings_get

    owner = settings_get(agency=agency).brief_owner
    if owner is not None and Membership.objects.filter(agency=agency, user=owner, is_active=True).exists():
        return owner
    first = (Membership.objects.filter(agency=agency, is_active=True, role=Role.DIRECTOR)
             .select_related("user").order_by("-is_owner", "created_at").first())
    return first.user if first else None


def find_client(*, agency: Agency, company_name: str, email: str) -> tuple[Client | None, Contact | None]:
    """Match an incoming brief: a contact with this e-mail first, else a client with this name (case-insensitive)."""
    contact = None
    if email:
        contact = (Contact.objects.filter(agency=agency, email__iexact=email.strip())
                   .select_related("client").order_by("created_at").first())
    if contact is not None:
        return contact.client, contact
    name = company_name.strip()
    client = Client.objects.filter(agency=agency).filter(
        Q(name__iexact=name) | Q(legal_name__iexact=name)).order_by("created_at").first()
    if client is None and name:
        # SQLite matches case-insensitively only in ASCII; names are Cyrillic. Same-length candidates only.
        candidates = Client.objects.filter(agency=agency).annotate(n=Length("name")).filter(n=len(name))
        client = next((c for c in candidates.order_by("created_at")[:200] if c.name.casefold() == name.casefold()),
                      None)
    return client, None


@transaction.atomic
def link_client(*, agency: Agency, actor, data: dict, client: Client | None = None,
                contact: Contact | None = None) -> tuple[Client, Contact, bool]:
    """Find or create the client and contact a brief belongs to; returns (client, contact, client_created).
    A given `contact` (of the given `client`) is used as is."""
    created = False
    if contact is not None and (client is None or contact.client_id != client.pk):
        contact = None
    if client is None:
        client, contact = find_client(agency=agency, company_name=data["company_name"], email=data["contact_email"])
    if client is None:
        client = company_services.client_create(agency=agency, actor=actor, data={
            "name": data["company_name"][:200], "website": _website(data.get("website", "")),
            "source": Client.Source.BRIEF_FORM, "status": Client.Status.LEAD,
            "owner": actor if _is_manager(agency, actor) else default_owner(agency=agency),
        })
        created = True
    if contact is None:
        contact = Contact.objects.filter(agency=agency, client=client,
                                         email__iexact=data["contact_email"].strip()).first()
    if contact is None:
        contact = contact_services.contact_create(agency=agency, actor=actor, client=client, data={
            "full_name": data["contact_name"][:150], "email": data["contact_email"].strip().lower(),
            "phone": data.get("contact_phone", "")[:40], "position": data.get("contact_position", "")[:120],
        })
    return client, contact, created


def _is_manager(agency: Agency, user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and Membership.objects.filter(
        agency=agency, user=user, is_active=True, role__in=[Role.DIRECTOR, Role.AM]).exists())


def _website(raw: str) -> str:
    raw = (raw or "").strip()
    if not raw or " " in raw or "." not in raw:
        return ""
    url = raw if raw.startswith(("http://", "https://")) else f"https://{raw}"
    return url[:200]


def brief_deal_title(*, company_name: str, template=None, channels=()) -> str:
    """The one name of a deal opened by a brief, whoever sent it (public form, an AM, the API, the demo):
    «Бриф: <company> · <what it is about>», the topic being the brief type, else the services asked for.
    Written in the agency's working language, not in the language of whoever happened to submit it."""
    from .models import Discipline

    labels = dict(Discipline.choices)
    with translation.override(settings.LANGUAGE_CODE):
        if template is not None:
            topic = template.name
        else:
            topic = ", ".join(str(labels[c]) for c in channels if c in labels)
        company = (company_name or "").strip() or _("new client")
        if topic:
            title = _("Brief: %(company)s · %(topic)s") % {"company": company, "topic": topic}
        else:
            title = _("Brief: %(company)s") % {"company": company}
    return title[:200]


@transaction.atomic
def deal_create(*, agency: Agency, actor, client: Client, title: str, service_lines: list[str], owner) -> Deal:
    """A new deal at "brief received" for the client (upsell when the client is already active),
    through the CRM's own `clients.services.deals.deal_create`."""
    kind = Deal.Kind.UPSELL if client.status == Client.Status.ACTIVE else Deal.Kind.NEW_BUSINESS
    if owner is not None and not _is_manager(agency, owner):
        owner = None  # the CRM only lets directors and AMs own deals
    return deal_services.deal_create(agency=agency, actor=actor, data={
        "client": client, "title": title[:200], "stage": Deal.Stage.BRIEF_RECEIVED, "kind": kind,
        "service_lines": [s for s in service_lines if s in Deal.ServiceLine.values], "owner": owner,
        "currency": agency.currency,
    })


@transaction.atomic
def deal_move(*, agency: Agency, actor, deal: Deal | None, stage: str, reason: str = "", amount=None) -> None:
    """Move the proposal's deal (proposal_sent / negotiation / won / lost) through the CRM's stage service
    (`clients.services.deals.deal_move`: stage rules, closed_at, audit). Closed deals are left alone."""
    if deal is None:
        return
    deal = Deal.objects.filter(agency=agency, pk=deal.pk).first()
    if deal is None or deal.stage in (Deal.Stage.WON, Deal.Stage.LOST):
        return
    if amount is not None and deal.amount != amount:
        deal = deal_services.deal_update(agency=agency, actor=actor, deal=deal, data={"amount": amount})
    if deal.stage != stage:
        deal_services.deal_move(agency=agency, actor=actor, deal=deal, stage=stage,
                                lost_reason=reason if stage == Deal.Stage.LOST else "")


@transaction.atomic
def renewal_task(*, agency: Agency, proposal, recipient_name: str, valid_until) -> None:
    """A task for the proposal's owner (else the brief owner): the client wants a new version of an expired КП."""
    from django.utils import timezone
    from django.utils.formats import date_format
    from django.utils.translation import gettext as _

    from clients.models import Task

    owner = proposal.owner if proposal.owner and _is_manager(agency, proposal.owner) else default_owner(agency=agency)
    task_services.task_create(agency=agency, actor=None, data={
        "title": (_("Send a new version of “%(title)s”: %(who)s asked, the old one expired on %(date)s") % {
            "title": proposal.title, "who": recipient_name, "date": date_format(valid_until, "DATE_FORMAT")})[:200],
        "kind": Task.Kind.FOLLOW_UP, "due_at": timezone.now(), "assignee": owner, "client": proposal.client,
        "deal": proposal.deal,
    })
