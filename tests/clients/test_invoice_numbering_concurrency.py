"""Two documents issued at the same moment get consecutive numbers: the counter row is locked (PostgreSQL)."""
import threading
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection, connections, transaction
from django_scopes import scope, scopes_disabled

from clients.models import DocumentCounter, Invoice
from clients.services import billing
from clients.services import invoices as services
from tests.factories import ClientFactory

pytestmark = [pytest.mark.django_db(transaction=True)]


def _run_together(target, n: int = 2) -> list:
    barrier = threading.Barrier(n)
    results, errors = [], []

    def worker():
        try:
            barrier.wait(timeout=10)
            results.append(target())
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()  # each thread had its own connection

    threads = [threading.Thread(target=worker) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    return results


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL (CI runs it)")
def test_two_concurrent_invoices_get_consecutive_numbers(alice_world):
    w = alice_world
    client = ClientFactory(agency=w.agency, owner=w.am.user)

    def issue():
        with scope(agency=w.agency):
            return services.invoice_create(agency=w.agency, actor=w.am.user, client=client, data={
                "issued_on": date(2026, 4, 1), "amount": Decimal("100")}).number

    numbers = _run_together(issue)
    assert sorted(numbers) == ["2026-0001", "2026-0002"]
    with scopes_disabled():
        assert DocumentCounter.objects.get(agency=w.agency, kind="invoice", year=2026).last_number == 2
        assert Invoice.objects.filter(agency=w.agency).count() == 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL (CI runs it)")
def test_the_first_number_of_a_year_is_not_given_twice(alice_world):
    """No counter row exists yet: both threads insert it (one insert is ignored), then lock it in turn."""
    w = alice_world

    def allocate():
        with scope(agency=w.agency), transaction.atomic():
            number = billing.invoice_number_next(agency=w.agency, kind="act", year=2031)
            return number

    assert sorted(_run_together(allocate, n=4)) == ["2031-0001", "2031-0002", "2031-0003", "2031-0004"]


def test_invoice_number_next_refuses_to_run_outside_a_transaction(alice_world):
    with scope(agency=alice_world.agency), pytest.raises(RuntimeError):
        billing.invoice_number_next(agency=alice_world.agency, kind="invoice", year=2026)
