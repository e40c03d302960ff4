"""Demo for `seed_demo`: a Yandex Direct source of the first active client with a recorded sync (no network).

The "recording" is a Reports service answer — the TSV with its report-name row, column header and summary —
built from seeded figures, read by the connector's own parser and stored by `sync_store`, the path a real
sync takes. Running the seed again re-stores the same recorded sync: same rows, one sync.
"""
import random
from datetime import timedelta

from django.db import transaction

from clients.models import Client
from mrm.tenancy.models import Membership

from .connectors.yandex_direct import FIELDS, parse_report
from .models import DataSource, SourceSync
from .services.importing import agency_today
from .services.syncs import sync_store

DAYS = 90
SOURCE_NAME = "Яндекс Директ (API)"
# (campaign id, name, daily impressions, CTR %, CPC ₽, CR %, average order ₽)
CAMPAIGNS = (("70410001", "Поиск — бренд", 1600, 8.5, 19, 6.5, 5100),
             ("70410002", "Поиск — конкуренты", 2400, 3.1, 41, 2.2, 4800),
             ("70410003", "РСЯ — ремаркетинг", 18000, 0.7, 11, 2.0, 3700))


def recorded_report(*, seed: str, date_from, date_to) -> str:
    rng = random.Random(seed)
    lines = [f'"MRM demo ({date_from.isoformat()} - {date_to.isoformat()})"', "\t".join(FIELDS)]
    day = date_from
    while day <= date_to:
        for campaign_id, name, impressions, ctr, cpc, cr, order in CAMPAIGNS:
            shown = int(impressions * (0.8 if day.weekday() >= 5 else 1.0) * rng.uniform(0.85, 1.15))
            clicks = int(shown * ctr / 100 * rng.uniform(0.85, 1.15))
            conversions = int(clicks * cr / 100 * rng.uniform(0.6, 1.4))
            cost = int(clicks * cpc * rng.uniform(0.9, 1.1) * 1_000_000)  # micros, as the API sends
            revenue = int(conversions * order * rng.uniform(0.7, 1.3) * 1_000_000)
            lines.append("\t".join([day.isoformat(), campaign_id, name, str(shown), str(clicks), str(cost),
                                    str(conversions) if conversions else "--", str(revenue) if revenue else "--"]))
        day += timedelta(days=1)
    lines.append(f"Total rows: {len(lines) - 2}")
    return "\n".join(lines) + "\n"


@transaction.atomic
def seed_connectors(*, agency, members: dict[str, Membership]) -> None:
    client = Client.objects.filter(agency=agency, status=Client.Status.ACTIVE).order_by("created_at", "id").first()
    if client is None:
        return
    source, _created = DataSource.objects.get_or_create(
        agency=agency, client=client, name=SOURCE_NAME,
        defaults={"kind": DataSource.Kind.YANDEX_DIRECT, "currency": agency.currency, "accounts": ["demo-client"],
                  "created_by": members["am"].user})
    date_to = agency_today(agency) - timedelta(days=1)
    date_from = date_to - timedelta(days=DAYS - 1)
    sync = SourceSync.objects.filter(agency=agency, source=source, trigger=SourceSync.Trigger.DEMO).first()
    if sync is None:
        sync = SourceSync.objects.create(agency=agency, source=source, trigger=SourceSync.Trigger.DEMO,
                                         date_from=date_from, date_to=date_to, created_by=members["am"].user)
    else:
        SourceSync.objects.filter(pk=sync.pk).update(date_from=date_from, date_to=date_to)
        sync.date_from, sync.date_to = date_from, date_to
    text = recorded_report(seed=f"{agency.slug}:{client.pk}", date_from=date_from, date_to=date_to)
    sync_store(agency=agency, source=source, sync=sync, rows=parse_report(text, currency=source.currency))
