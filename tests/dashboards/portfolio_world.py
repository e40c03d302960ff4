"""A hand-counted portfolio for the portfolio page (Q1 2026, "today" 2026-04-01, an hour of hidden time 1 200 ₽).

Alice's clients (status history at noon, Moscow):
  P  active since 2025-04-01 (am), strategic (4/4). Paid 100 000 on 10.01, 100 000 on 10.02, 100 000 on 10.12.2025;
     a sent 50 000 and a paid act do not count; 1 000 USD paid 01.02 (apart).
     Time: 10 h × 1 500 (15.01), 3 h × 1 000 on an out-of-scope task an approved change request prices (05.02),
     4 h × 1 000 (01.12.2025); unpriced extra work 2 h × 1 500 (01.02); a running timer does not count.
     Flagged: unplanned 30 min (20.01), unplanned + urgent 60 min (20.02, counts once as unplanned), extra revision
     without a duration (01.03, 30 min), urgent 15 min (10.03), unplanned 10 min (01.11.2025); an unflagged call.
     Q1: revenue 200 000, team 18 000, unplanned 1 800, revisions 600, urgent 300, extra 3 000 → profit 176 300.
     To date: revenue 300 000, team 22 000, hidden 5 900 → profit 272 100; tenure 12.0 → margin 22 675.
  L  active since 2026-03-01 (am2), streamline (2/2): paid 10 000 (15.03), 20 h × 1 000 (05.03) → −10 000, a loss.
  N  active since 2026-03-25 (am): nothing yet (tenure 0.2, margin 0).
  E  active since 2024-06-01 (am2), star (4/2): paid 40 000 (05.01) → tenure 22.0, margin 1 818.18.
  X  active 2025-01-01, churned 2025-10-01 (am): paid 50 000 (01.06.2025), 10 h × 1 000 (01.05.2025); tenure 9.0.
  D  a lead (not in the portfolio).
Retention over the year to 2026-04-01: X and E were active, E still is → 50 % → lifetime 17.8 months.
Bob's agency has a client with figures alice must never see."""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from clients.models import Client, Invoice
from projects.models import ChangeRequest
from tests import factories as f

from .history import at
from .history import status_history as _history

S = Client.Status
TODAY = date(2026, 4, 1)
Q1 = {"period": "quarter", "on": "2026-02-15"}


@dataclass
class Economy:
    world: object
    p: Client
    l: Client  # noqa: E741
    n: Client
    e: Client
    x: Client
    bob_client: Client


def _paid(client, amount, day, currency="RUB", kind=Invoice.Kind.INVOICE, status=Invoice.Status.PAID):
    return f.InvoiceFactory(client=client, amount=Decimal(amount), issued_on=day, paid_on=day, currency=currency,
                            kind=kind, status=status)


def _time(project, hours, rate, day, task=None, **extra):
    return f.TimeEntryFactory(project=project, task=task, hours=Decimal(hours), cost_rate=Decimal(rate), date=day,
                              user=project.client.owner, **extra)


def _flag(client, day, minutes, **flags):
    return f.InteractionFactory(client=client, occurred_at=at(day), duration_minutes=minutes, **flags)


def build(alice_world, bob_world) -> Economy:
    agency, am, am2 = alice_world.agency, alice_world.am.user, alice_world.am2.user
    with scopes_disabled():
        agency.internal_hourly_cost = Decimal("1200")
        agency.save(update_fields=["internal_hourly_cost"])
        p = f.ClientFactory(agency=agency, name="P Прибыльный", owner=am)
        lo = f.ClientFactory(agency=agency, name="L Убыточный", owner=am2)
        n = f.ClientFactory(agency=agency, name="N Новый", owner=am)
        e = f.ClientFactory(agency=agency, name="E Звезда", owner=am2)
        x = f.ClientFactory(agency=agency, name="X Ушедший", owner=am, status=S.CHURNED)
        d = f.ClientFactory(agency=agency, name="D Лид", owner=am, status=S.LEAD)
        _history(p, (date(2025, 4, 1), S.ACTIVE))
        _history(lo, (date(2026, 3, 1), S.ACTIVE))
        _history(n, (date(2026, 3, 25), S.ONBOARDING))
        _history(e, (date(2024, 6, 1), S.ACTIVE))
        _history(x, (date(2025, 1, 1), S.ACTIVE), (date(2025, 10, 1), S.CHURNED))
        _history(d, (date(2025, 1, 1), S.LEAD))
        f.AccountPlanFactory(client=p, attractiveness=Decimal("4"), relationship_strength=Decimal("4"),
                             quadrant="strategic")
        f.AccountPlanFactory(client=lo, attractiveness=Decimal("2"), relationship_strength=Decimal("2"),
                             quadrant="streamline")
        f.AccountPlanFactory(client=e, attractiveness=Decimal("4"), relationship_strength=Decimal("2"), quadrant="star")
        for amount, day in ((100000, date(2026, 1, 10)), (100000, date(2026, 2, 10)), (100000, date(2025, 12, 10))):
            _paid(p, amount, day)
        _paid(p, 50000, date(2026, 2, 1), status=Invoice.Status.SENT)
        _paid(p, 70000, date(2026, 2, 1), kind=Invoice.Kind.ACT)
        _paid(p, 1000, date(2026, 2, 1), currency="USD")
        _paid(lo, 10000, date(2026, 3, 15))
        _paid(e, 40000, date(2026, 1, 5))
        _paid(x, 50000, date(2025, 6, 1))
        project = f.ProjectFactory(client=p)
        extra = f.ProjectTaskFactory(project=project, out_of_scope=True)
        priced = f.ProjectTaskFactory(project=project, out_of_scope=True)
        change = f.ChangeRequestFactory(project=project, status=ChangeRequest.Status.APPROVED)
        f.ChangeRequestLineFactory(change_request=change, source_task=priced)
        _time(project, 10, 1500, date(2026, 1, 15))
        _time(project, 3, 1000, date(2026, 2, 5), task=priced)
        _time(project, 4, 1000, date(2025, 12, 1))
        _time(project, 2, 1500, date(2026, 2, 1), task=extra)
        _time(project, 5, 1000, date(2026, 2, 2), started_at=timezone.now())
        _time(f.ProjectFactory(client=lo), 20, 1000, date(2026, 3, 5))
        _time(f.ProjectFactory(client=x), 10, 1000, date(2025, 5, 1))
        _flag(p, date(2026, 1, 20), 30, is_unplanned=True)
        _flag(p, date(2026, 2, 20), 60, is_unplanned=True, is_urgent=True)
        _flag(p, date(2026, 3, 1), None, is_extra_revision=True)
        _flag(p, date(2026, 3, 10), 15, is_urgent=True)
        _flag(p, date(2025, 11, 1), 10, is_unplanned=True)
        _flag(p, date(2026, 2, 25), 45)
        bob_client = f.ClientFactory(agency=bob_world.agency, name="Bob's client", owner=bob_world.am.user)
        _history(bob_client, (date(2025, 1, 1), S.ACTIVE))
        _paid(bob_client, 999999, date(2026, 2, 2))
        _time(f.ProjectFactory(client=bob_client), 7, 7777, date(2026, 2, 2))
        _flag(bob_client, date(2026, 2, 3), 600, is_urgent=True)
    return Economy(alice_world, p, lo, n, e, x, bob_client)


@pytest.fixture
def economy(alice_world, bob_world) -> Economy:
    return build(alice_world, bob_world)
