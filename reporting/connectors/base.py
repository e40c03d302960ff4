"""The connector protocol every source kind satisfies, and the one sync path that writes what it fetched.

A connector turns a source and a period into clean daily rows — the same dicts the file import and the
API's bulk upload produce — and knows nothing about the database: `source_sync` writes them with
`metrics_replace`, so a re-sync of a period replaces its days and never doubles them. The file connector
registers here (it re-reads a source's last imported file), and so do the Yandex Direct, Metrica and VK Ads
connectors of this package, whose syncs run as jobs through `reporting.services.syncs` (which replaces the
whole period, so a campaign that stopped showing loses its old rows of those days too).
"""
from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal
from typing import Protocol, TypedDict

from django.utils.translation import gettext as _

from mrm.core.errors import ServiceError


class MetricRow(TypedDict, total=False):
    date: date  # required
    channel: str  # a key of reporting.channels or a name as the system writes it
    campaign_id: str  # the campaign's id in the source ('' when it has none)
    campaign: str  # its name
    impressions: int
    clicks: int
    cost: Decimal
    conversions: Decimal
    revenue: Decimal
    sessions: int
    currency: str  # ISO code; the source's currency when missing


class Connector(Protocol):
    kind: str

    def fetch(self, source, date_from: date, date_to: date) -> Iterable[MetricRow]:
        """The source's rows for the days from `date_from` to `date_to` (both included); raise
        ServiceError with a message the AM can act on (expired token, counter not found…)."""
        ...


_REGISTRY: dict[str, Callable[[], Connector]] = {}


def register(kind: str, factory: Callable[[], Connector]) -> None:
    _REGISTRY[kind] = factory


def connector_for(source) -> Connector:
    factory = _REGISTRY.get(source.kind)
    if factory is None:
        raise ServiceError(_("This type of source has no connector yet: import a file or send rows through the "
                             "API."), code="no_connector")
    return factory()


def source_sync(*, agency, source, date_from: date, date_to: date) -> dict:
    """Fetch a period from the source's connector and replace those days; a failure is kept on the source."""
    from ..services.importing import agency_today
    from ..services.metric_rows import metric_rows_check
    from ..services.metrics import metrics_replace, source_record_error

    try:
        # Checked before the period filter: a row without a date, or not a row at all, is the connector's
        # garbage to report, not a KeyError / TypeError in the worker.
        rows = metric_rows_check(rows=connector_for(source).fetch(source, date_from, date_to),
                                 today=agency_today(agency))
    except ServiceError as exc:
        source_record_error(agency=agency, source=source, error=exc.message)
        raise
    return metrics_replace(agency=agency, source=source,
                           rows=[r for r in rows if date_from <= r["date"] <= date_to])
