from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from functools import cache

from django.db.models import Count, DecimalField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from mrm.core.freshness import changes_at
from mrm.tenancy.models import Agency

from ..models import Client, Contact, Deal, Invoice

_MONEY = DecimalField(max_digits=16, decimal_places=2)


@dataclass(frozen=True)
class KeyNumbers:
    open_deals: Decimal
    open_deals_count: int
    revenue_12m: Decimal
    contacts: int
    last_contact_at: object
    currency: str
    stale: bool  # no contact for longer than the agency's "no contact" threshold


@cache
def key_numbers_part():
    """What the header figures read, for `clients.block_cache` (built on first use: the app registry is ready)."""
    from ..block_cache import Value, of_client

    return Value(key="numbers", rows=(of_client("clients.Deal"), of_client("clients.Invoice"),
                                      of_client("clients.Contact")))


def _sum(qs, field: str):
    return Coalesce(Subquery(qs.values("client_id").annotate(s=Sum(field)).values("s")[:1], output_field=_MONEY),
                    Value(Decimal("0")), output_field=_MONEY)


def _count(qs):
    return Coalesce(Subquery(qs.values("client_id").annotate(n=Count("pk")).values("n")[:1]), Value(0))


def client_key_numbers_cached(*, request, client: Client) -> KeyNumbers:
    """`client_key_numbers`, kept until the client's deals, invoices or contacts change (`clients.block_cache`)."""
    from ..block_cache import cached_value

    return cached_value(request, client, key_numbers_part(), lambda: client_key_numbers(agency=request.agency, client=client))


def client_key_numbers(*, agency: Agency, client: Client) -> KeyNumbers:
    """Header figures in one query: open pipeline, revenue paid in the last 12 months (without VAT),
    contacts and the last contact. Sums count the agency's currency only."""
    since = timezone.localdate() - timedelta(days=365)
    deals = Deal.objects.filter(agency=agency, client=OuterRef("pk"), stage__in=Deal.OPEN_STAGES,
                                currency=agency.currency)
    paid = Invoice.objects.filter(agency=agency, client=OuterRef("pk"), status=Invoice.Status.PAID,
                                  paid_on__gte=since, currency=agency.currency)
    contacts = Contact.objects.filter(agency=agency, client=OuterRef("pk"))
    row = Client.objects.filter(agency=agency, pk=client.pk).annotate(
        open_deals=_sum(deals, "amount"), open_deals_count=_count(deals), revenue=_sum(paid, "amount"),
        contact_count=_count(contacts),
    ).values("open_deals", "open_deals_count", "revenue", "contact_count", "last_contact_at").first() or {}
    last = row.get("last_contact_at")
    stale = last is None or last < timezone.now() - timedelta(days=agency.no_contact_days)
    if not stale:
        changes_at(last + timedelta(days=agency.no_contact_days))  # it turns stale then
    return KeyNumbers(open_deals=row.get("open_deals") or Decimal("0"),
                      open_deals_count=row.get("open_deals_count") or 0, revenue_12m=row.get("revenue") or Decimal("0"),
                      contacts=row.get("contact_count") or 0, last_contact_at=last, currency=agency.currency,
                      stale=stale and client.status in (Client.Status.ACTIVE, Client.Status.ONBOARDING))
