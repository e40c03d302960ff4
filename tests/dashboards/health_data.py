"""A small hand-counted set of clients for the health score (dates relative to today, agency time zone; expected
points in the comments, checked by test_health_sql.py and used by test_health_views.py / test_health_api.py).

Alice's agency (no contact agreed: 14 days):
  R "Риск" (am): last contact 45 days ago (25), 1 contact in the last 90 days vs 10 before (−90%: 15), one overdue
      invoice of 120 000 ₽ total (10), 2 open requests + 1 message waiting for a reply (3: 10) → 40, at risk;
      paid 300 000 ₽ 200 days ago → revenue at stake 300 000.
  W "Внимание" (am2): contact yesterday (agreement: every 7 days), NPS 9 → 3 (20 + trend 5), reports rated 3.0 vs
      4.5 before (5 + 5 = 10), one open alert (5) → 100 − 40 = 60, watch; paid 100 000 + 100 000 → at stake 200 000.
  H "Здоровье" (am): contact 2 days ago, NPS 10, paid 50 000 in each window → 100, healthy; at stake 100 000.
  L a lead (not scored); the fixtures' own "Клиент Alice Agency" is made a lead too.
Bob's agency: B, a client at risk that alice's people must never see.
"""
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from django_scopes import scopes_disabled

from clients.models import Client, InteractionAgreement, Invoice
from comms.models import ClientRequest
from reporting.report_models import ReportRating
from tests import factories as f


@dataclass
class HealthWorld:
    world: object
    bob: object
    r: Client
    w: Client
    h: Client
    lead: Client
    b: Client


def ago(days: int, hour_shift: int = 0):
    return timezone.now() - timedelta(days=days, hours=hour_shift)


def day_ago(days: int):
    return timezone.localdate() - timedelta(days=days)


def _talks(client, *days, **kw):
    for d in days:
        f.InteractionFactory(client=client, occurred_at=ago(d), direction=kw.get("direction", "outbound"),
                             needs_reply=kw.get("needs_reply", False))


def _nps(client, score, days):
    f.NpsResponseFactory(survey=f.NpsSurveyFactory(contact=f.ContactFactory(client=client)), score=score,
                         answered_at=ago(days))


def _rating(client, score, days):
    rating = f.ReportRatingFactory(report=f.ReportFactory(client=client), score=score)
    ReportRating.objects.filter(pk=rating.pk).update(updated_at=ago(days))


def _paid(client, amount, days):
    f.InvoiceFactory(client=client, amount=Decimal(amount), total=Decimal(amount), issued_on=day_ago(days),
                     paid_on=day_ago(days), status=Invoice.Status.PAID, currency="RUB")


def build(alice_world, bob_world) -> HealthWorld:
    agency, am, am2 = alice_world.agency, alice_world.am.user, alice_world.am2.user
    with scopes_disabled():
        Client.objects.filter(agency=agency).update(status=Client.Status.LEAD)  # the world's own client: not scored
        old = ago(400)
        r = f.ClientFactory(agency=agency, name="Риск", owner=am, last_contact_at=ago(45))
        w = f.ClientFactory(agency=agency, name="Внимание", owner=am2, last_contact_at=ago(1))
        h = f.ClientFactory(agency=agency, name="Здоровье", owner=am, last_contact_at=ago(2))
        lead = f.ClientFactory(agency=agency, name="Лид", owner=am, status=Client.Status.LEAD)
        Client.objects.filter(agency=agency).update(created_at=old)
        # R
        _talks(r, 45, direction="inbound", needs_reply=True)
        _talks(r, *range(100, 110))
        f.InvoiceFactory(client=r, amount=Decimal(100000), total=Decimal(120000), issued_on=day_ago(40),
                         due_on=day_ago(10), status=Invoice.Status.SENT)
        _paid(r, 300000, 200)
        f.ClientRequestFactory(client=r, status=ClientRequest.Status.OPEN)
        f.ClientRequestFactory(client=r, status=ClientRequest.Status.OPEN)
        f.ClientRequestFactory(client=r, status=ClientRequest.Status.ANSWERED, awaiting_since=None)
        # W
        InteractionAgreement.objects.create(agency=agency, client=w, contact_every_days=7)
        _talks(w, 1, 30, 120, 150)
        _nps(w, 9, 150)
        _nps(w, 3, 5)
        _rating(w, 3, 10)
        _rating(w, 4, 120)
        _rating(w, 5, 130)
        project = f.ProjectFactory(client=w)
        f.AlertFactory(project=project)
        f.AlertFactory(project=project, resolved_at=ago(1))
        _paid(w, 100000, 10)
        _paid(w, 100000, 100)
        # H
        _talks(h, 2, 40, 100, 130)
        _nps(h, 10, 20)
        _paid(h, 50000, 20)
        _paid(h, 50000, 120)
        f.InvoiceFactory(client=h, amount=Decimal(9999), total=Decimal(9999), issued_on=day_ago(20), due_on=day_ago(5),
                         status=Invoice.Status.PAID, paid_on=day_ago(5), currency="USD")  # other currency: not RUB
        # bob
        b = f.ClientFactory(agency=bob_world.agency, name="Бобов клиент", owner=bob_world.am.user,
                            last_contact_at=ago(90))
        f.InvoiceFactory(client=b, amount=Decimal(1), total=Decimal(1), issued_on=day_ago(40), due_on=day_ago(10),
                         status=Invoice.Status.OVERDUE)
        _paid(b, 999000, 30)
    return HealthWorld(alice_world, bob_world, r, w, h, lead, b)
