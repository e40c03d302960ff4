"""A small hand-counted portfolio for Q1 2026 (see the expected values in test_board.py).

Clients of alice's agency (statuses from the history rows, Europe/Moscow noon):
  A  active since 2025-06-01, still active (AM: am; owned by am2 until 2026-02-15)
  B  active since 2025-03-01, churned 2026-02-10 "Сократили бюджет" (am)
  C  active 2026-01-15, churned 2026-03-01: joined and left inside the quarter (am2)
  D  a lead, never a client (am)
  E  active since 2024-01-01, paused 2025-12-01 (am2 now, am's until 2026-05-01)
Report ratings: Q1 5, 4 (A) and 2 (B); December 2025 3 (E).
"""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
from django_scopes import scopes_disabled

from clients.models import Client, ClientOwnerChange, Deal, Invoice
from reporting.report_models import ReportRating
from tests import factories as f

from .history import at
from .history import status_history as _history

S = Client.Status


@dataclass
class Portfolio:
    world: object
    a: Client
    b: Client
    c: Client
    d: Client
    e: Client


def _answer(client, score, day, comment=""):
    contact = f.ContactFactory(agency=client.agency, client=client)
    return f.NpsResponseFactory(survey=f.NpsSurveyFactory(contact=contact), score=score, answered_at=at(day),
                                comment=comment)


def _paid(client, amount, day, currency="RUB", kind=Invoice.Kind.INVOICE, status=Invoice.Status.PAID):
    return f.InvoiceFactory(client=client, amount=Decimal(amount), issued_on=day, paid_on=day, currency=currency,
                            kind=kind, status=status)


def _rated(client, score, day, comment=""):
    """A report rating given on `day` (counted by when it was last given: `updated_at`)."""
    rating = f.ReportRatingFactory(report=f.ReportFactory(client=client), score=score, comment=comment)
    ReportRating.objects.filter(pk=rating.pk).update(updated_at=at(day))
    return rating


def _replied(client, minutes, day, target=240):
    return f.ClientRequestFactory(client=client, response_minutes=minutes, first_reply_at=at(day), target_minutes=target,
                                  awaiting_since=None)


@pytest.fixture
def portfolio(alice_world, bob_world) -> Portfolio:
    agency, am, am2 = alice_world.agency, alice_world.am.user, alice_world.am2.user
    with scopes_disabled():
        a = f.ClientFactory(agency=agency, name="A Альфа", owner=am)
        b = f.ClientFactory(agency=agency, name="B Бета", owner=am, status=S.CHURNED, churn_reason="Сократили бюджет")
        c = f.ClientFactory(agency=agency, name="C Гамма", owner=am2, status=S.CHURNED, churn_reason="Разовый проект")
        d = f.ClientFactory(agency=agency, name="D Дельта", owner=am, status=S.LEAD)
        e = f.ClientFactory(agency=agency, name="E Эпсилон", owner=am2, status=S.PAUSED)
        _history(a, (date(2025, 6, 1), S.ACTIVE))
        _history(b, (date(2025, 3, 1), S.ACTIVE), (date(2026, 2, 10), S.CHURNED))
        _history(c, (date(2026, 1, 15), S.ACTIVE), (date(2026, 3, 1), S.CHURNED))
        _history(d, (date(2025, 1, 1), S.LEAD))
        _history(e, (date(2024, 1, 1), S.ACTIVE), (date(2025, 12, 1), S.PAUSED))
        ClientOwnerChange.objects.create(agency=agency, client=a, from_owner=None, to_owner=am2, changed_at=at(date(2025, 6, 1)))
        ClientOwnerChange.objects.create(agency=agency, client=a, from_owner=am2, to_owner=am, changed_at=at(date(2026, 2, 15)))
        ClientOwnerChange.objects.create(agency=agency, client=e, from_owner=None, to_owner=am, changed_at=at(date(2024, 1, 1)))
        ClientOwnerChange.objects.create(agency=agency, client=e, from_owner=am, to_owner=am2, changed_at=at(date(2026, 5, 1)))
        # NPS in Q1: 2 promoters (A), 1 passive (C), 1 detractor (B); outside the quarter a 0 that must not count.
        _answer(a, 10, date(2026, 1, 10), "Всё отлично")
        _answer(a, 9, date(2026, 3, 31))
        _answer(b, 6, date(2026, 2, 1), "Долго отвечаете")
        _answer(c, 7, date(2026, 2, 20))
        _answer(a, 0, date(2025, 12, 31))
        # Revenue: Q1 2026 RUB 240 000 paid (+ USD 1 000 apart, an unpaid and an act that do not count)…
        _paid(a, 100000, date(2026, 1, 20))
        _paid(a, 50000, date(2026, 2, 20))
        _paid(b, 90000, date(2026, 1, 5))
        _paid(e, 1000, date(2026, 3, 3), currency="USD")
        _paid(c, 70000, date(2026, 2, 2), status=Invoice.Status.SENT)
        _paid(a, 80000, date(2026, 2, 2), kind=Invoice.Kind.ACT)
        # … and Q1 2025 RUB 108 000 over its 2 active clients (B joined, E active).
        _paid(b, 60000, date(2025, 3, 10))
        _paid(e, 48000, date(2025, 2, 1))
        # Upsell in Q1: A twice (counts once); a lost upsell and a won new-business deal do not count.
        for client, kind, stage, day in ((a, Deal.Kind.UPSELL, Deal.Stage.WON, date(2026, 2, 1)),
                                         (a, Deal.Kind.CROSS_SELL, Deal.Stage.WON, date(2026, 3, 1)),
                                         (b, Deal.Kind.UPSELL, Deal.Stage.LOST, date(2026, 2, 1)),
                                         (c, Deal.Kind.NEW_BUSINESS, Deal.Stage.WON, date(2026, 1, 15))):
            f.DealFactory(agency=agency, client=client, kind=kind, stage=stage, closed_at=at(day), amount=100000)
        # First replies in Q1: 30, 60, 90, 300 business minutes, 240 agreed; one in April does not count.
        _replied(a, 30, date(2026, 1, 12))
        _replied(a, 60, date(2026, 2, 12))
        _replied(b, 90, date(2026, 1, 22))
        _replied(e, 300, date(2026, 3, 12))
        _replied(e, 5, date(2026, 4, 2))
        # Report ratings in Q1: 5 and 4 (A), 2 (B) → 3.67; 3 (E) in December is the previous quarter's.
        _rated(a, 5, date(2026, 1, 25))
        _rated(a, 4, date(2026, 3, 25))
        _rated(b, 2, date(2026, 2, 5), "Отчёт непонятный")
        _rated(e, 3, date(2025, 12, 20))
        # Bob's agency has its own figures that alice must never see.
        bob_client = f.ClientFactory(agency=bob_world.agency, name="Bob's client", owner=bob_world.am.user)
        _history(bob_client, (date(2025, 1, 1), S.ACTIVE), (date(2026, 2, 1), S.CHURNED))
        _answer(bob_client, 0, date(2026, 2, 2), "Bob's detractor")
        _paid(bob_client, 999999, date(2026, 2, 2))
        _rated(bob_client, 1, date(2026, 2, 3), "Bob's rating")
    return Portfolio(alice_world, a, b, c, d, e)

from .portfolio_world import economy  # noqa: E402,F401 - the portfolio page's hand-counted fixture


@pytest.fixture
def health_world(alice_world, bob_world):
    """The hand-counted health clients of tests/dashboards/health_data.py."""
    from .health_data import build

    return build(alice_world, bob_world)
