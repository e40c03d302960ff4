"""The metric facts: rows in, replaced by campaign and day range, never doubled.

`metrics_replace` is the one write path for the file import, the API's bulk upload and (later) the
connectors: for every campaign of the incoming rows (or, for rows without a campaign, every channel) the
source's facts from its first to its last incoming day are deleted and the incoming rows inserted, in one
transaction. Importing the same file twice gives the same facts; a file for March leaves February alone;
a failed write leaves the previous facts as they were.
"""
from collections.abc import Iterable
from datetime import date

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from mrm.core.errors import ServiceError
from mrm.tenancy.models import Agency

from ..models import Campaign, DailyMetric, DataSource
from .metric_rows import metric_rows_check

BATCH = 2000
DELETE_BATCH = 200
METRIC_FIELDS = ("impressions", "clicks", "cost", "conversions", "revenue", "sessions")


def campaign_external_id(row: dict) -> str:
    """A campaign is its id in the source; a file without ids names it (case and spaces do not matter)."""
    if row.get("campaign_id"):
        return str(row["campaign_id"])[:200]
    name = " ".join((row.get("campaign") or "").split())
    return f"name:{name.lower()}"[:200] if name else ""


def _campaigns(*, agency: Agency, source: DataSource, rows: list[dict]) -> dict[str, Campaign]:
    wanted: dict[str, dict] = {}
    for row in rows:
        ext = campaign_external_id(row)
        if ext and ext not in wanted:
            wanted[ext] = {"name": (row.get("campaign") or row.get("campaign_id") or "")[:300],
                           "channel": row.get("channel", "")}
    if not wanted:
        return {}
    Campaign.objects.bulk_create([Campaign(agency=agency, source=source, external_id=ext, **values)
                                  for ext, values in wanted.items()], ignore_conflicts=True, batch_size=BATCH)
    found: dict[str, Campaign] = {}
    keys = list(wanted)
    for start in range(0, len(keys), BATCH):
        for campaign in Campaign.objects.filter(agency=agency, source=source, external_id__in=keys[start:start + BATCH]):
            found[campaign.external_id] = campaign
    renamed = []
    for ext, campaign in found.items():
        name = wanted[ext]["name"]
        if name and campaign.name != name:  # a campaign renamed in the source keeps its facts
            campaign.name = name
            campaign.updated_at = timezone.now()
            renamed.append(campaign)
    Campaign.objects.bulk_update(renamed, ["name", "updated_at"], batch_size=BATCH)
    return found


def metrics_replace(*, agency: Agency, source: DataSource, rows: Iterable[dict]) -> dict:
    """Write rows (date, channel, campaign / campaign_id, the figures, currency) for a source; see the module
    docstring for the replace rule. Returns {"rows", "replaced", "campaigns", "date_from", "date_to"}.
    Rows that break the rules (`metric_rows_check`: garbage from a connector) write nothing: ServiceError, and
    the source shows why."""
    from .importing import agency_today

    try:
        rows = metric_rows_check(rows=rows, today=agency_today(agency))
    except ServiceError as exc:
        source_record_error(agency=agency, source=source, error=exc.message)
        raise
    return _replace(agency=agency, source=source, rows=rows)


@transaction.atomic
def _replace(*, agency: Agency, source: DataSource, rows: list[dict]) -> dict:
    # One writer per source at a time: two imports of overlapping days would each delete, then both insert.
    source = DataSource.objects.select_for_update().get(agency=agency, pk=source.pk)
    campaigns = _campaigns(agency=agency, source=source, rows=rows)
    spans: dict[tuple, list[date]] = {}
    facts = []
    for row in rows:
        ext = campaign_external_id(row)
        campaign = campaigns.get(ext) if ext else None
        target = ("c", campaign.pk) if campaign else ("ch", row.get("channel", ""))
        span = spans.setdefault(target, [row["date"], row["date"]])
        span[0], span[1] = min(span[0], row["date"]), max(span[1], row["date"])
        facts.append(DailyMetric(agency=agency, client_id=source.client_id, source=source, campaign=campaign,
                                 date=row["date"], channel=row.get("channel", "") or (campaign.channel if campaign
                                                                                      else ""),
                                 currency=row.get("currency") or source.currency,
                                 **{k: row.get(k) or 0 for k in METRIC_FIELDS}))
    replaced = 0
    targets = list(spans.items())
    for start in range(0, len(targets), DELETE_BATCH):
        condition = Q(pk__in=[])
        for (kind, value), (first, last) in targets[start:start + DELETE_BATCH]:
            where = Q(campaign_id=value) if kind == "c" else Q(campaign__isnull=True, channel=value)
            condition |= where & Q(date__gte=first, date__lte=last)
        replaced += DailyMetric.objects.filter(agency=agency, source=source).filter(condition).delete()[0]
    DailyMetric.objects.bulk_create(facts, batch_size=BATCH)
    DataSource.objects.filter(agency=agency, pk=source.pk).update(
        last_synced_at=timezone.now(), last_error="", status=DataSource.Status.ACTIVE, updated_at=timezone.now())
    dates = [r["date"] for r in rows]
    return {"rows": len(facts), "replaced": replaced, "campaigns": len(campaigns),
            "date_from": min(dates).isoformat() if dates else None,
            "date_to": max(dates).isoformat() if dates else None}


def source_record_error(*, agency: Agency, source: DataSource, error: str) -> None:
    """A failed import or sync: the source shows why; its facts stay as they were."""
    DataSource.objects.filter(agency=agency, pk=source.pk).update(
        last_error=error[:2000], status=DataSource.Status.ERROR, updated_at=timezone.now())
