"""Demo signals for the client health list (`seed_demo`, after the KPI history): three current clients slip, each for
its own reasons, so a fresh run shows a real at-risk list; then the agency's health rows are built (what the nightly
task would do). Safe to run again: an invoice numbered "HLT-…" means it ran (the rows are rebuilt anyway)."""
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from clients.models import Client, Contact, Interaction, Invoice
from comms.models import ClientRequest
from mrm.core.business_hours import zone
from portal.models import NpsResponse, NpsSurvey

from .health_rollups import health_rollup_rebuild

MARK = "HLT-"
S = Client.Status


@transaction.atomic
def seed_health(*, agency, members=None) -> int:
    """Make three active clients slip (silence, a detractor with waiting requests, falling spend); build the rows."""
    if not Invoice.objects.filter(agency=agency, number__startswith=MARK).exists():
        clients = list(Client.objects.filter(agency=agency, status=S.ACTIVE).order_by("name")[:9])
        if len(clients) >= 3:
            today = timezone.localdate()
            _silent(agency=agency, client=clients[0], today=today)
            _detractor(agency=agency, client=clients[4 % len(clients)], today=today)
            _spend_falls(agency=agency, client=clients[8 % len(clients)], today=today)
    return health_rollup_rebuild(agency=agency)


def _invoice(*, agency, client, n: int, amount: Decimal, issued, status, paid=None) -> Invoice:
    vat = (amount * agency.vat_rate / 100).quantize(Decimal("0.01"))
    return Invoice.objects.create(agency=agency, client=client, number=f"{MARK}{n:03d}", issued_on=issued,
                                  due_on=issued + timedelta(days=10), paid_on=paid, amount=amount,
                                  vat_rate=agency.vat_rate, vat_amount=vat, total=amount + vat,
                                  currency=agency.currency, status=status, description="Услуги агентства")


def _silent(*, agency, client, today) -> None:
    """No contact for seven weeks (the recent calls move back in time) and an overdue invoice."""
    cutoff = timezone.now() - timedelta(days=48)
    for talk in Interaction.objects.filter(agency=agency, client=client, occurred_at__gt=cutoff):
        talk.occurred_at -= timedelta(days=120)
        talk.save(update_fields=["occurred_at"])
    last = (Interaction.objects.filter(agency=agency, client=client).exclude(direction=Interaction.Direction.INTERNAL)
            .aggregate(last=Max("occurred_at"))["last"])
    Client.objects.filter(agency=agency, pk=client.pk).update(last_contact_at=min(filter(None, [last, cutoff])))
    _invoice(agency=agency, client=client, n=1, amount=Decimal(180000), issued=today - timedelta(days=35),
             status=Invoice.Status.OVERDUE)


def _detractor(*, agency, client, today) -> None:
    """A fresh NPS answer of 3 after a 9, and two requests nobody answered yet."""
    person = Contact.objects.filter(agency=agency, client=client).order_by("-is_primary", "full_name").first()
    tz = zone(agency.timezone)
    if person is not None:
        for days, score in ((150, 9), (6, 3)):
            asked = datetime.combine(today - timedelta(days=days), time(12), tzinfo=tz)
            survey = NpsSurvey.objects.create(
                agency=agency, client=client, contact=person, trigger=NpsSurvey.Trigger.SCHEDULED,
                trigger_ref=f"health-demo-{days}", sent_at=asked, expires_at=asked + timedelta(days=30),
                emailed_at=asked, answered_at=asked + timedelta(hours=3))
            NpsResponse.objects.create(agency=agency, survey=survey, client=client, contact=person,
                                       contact_name=person.full_name, trigger=survey.trigger, score=score,
                                       comment="Ответов ждём по несколько дней." if score < 7 else "",
                                       channel="portal", answered_at=survey.answered_at)
    number = ClientRequest.objects.filter(agency=agency).aggregate(n=Max("number"))["n"] or 0
    for i, subject in enumerate(("Почему упали заявки?", "Срочно: не работает форма на сайте")):
        opened = timezone.now() - timedelta(days=3 - i)
        ClientRequest.objects.create(agency=agency, number=number + i + 1, client=client, subject=subject,
                                     kind=ClientRequest.Kind.URGENT if i else ClientRequest.Kind.QUESTION,
                                     status=ClientRequest.Status.OPEN, opened_by_contact=person, target_minutes=120,
                                     due_at=opened + timedelta(hours=2), awaiting_since=opened, last_message_at=opened)


def _spend_falls(*, agency, client, today) -> None:
    """Big paid invoices three to six months ago and nothing paid since."""
    Invoice.objects.filter(agency=agency, client=client, status=Invoice.Status.PAID,
                           paid_on__gte=today - timedelta(days=89)).update(paid_on=today - timedelta(days=95))
    for n, days in ((2, 100), (3, 130), (4, 160)):
        issued = today - timedelta(days=days)
        _invoice(agency=agency, client=client, n=n, amount=Decimal(240000), issued=issued,
                 status=Invoice.Status.PAID, paid=issued + timedelta(days=5))
