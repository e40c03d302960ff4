"""Demo metrics for `seed_demo`: 90 days of Яндекс Директ and VK Реклама campaigns for the first active clients
of an agency, in one file source each. Written through `metrics_replace`, the path the file import takes, so
running the seed again replaces the same days instead of adding rows. Figures are seeded per client: stable."""
import random
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from clients.models import Client
from mrm.tenancy.models import Membership

from .models import DataSource
from .services.metrics import metrics_replace

DAYS = 90
CLIENTS = 4
SOURCE_NAME = "Выгрузка из рекламных кабинетов"
# (channel, campaign, daily impressions, CTR %, CPC ₽, CR %, average order ₽)
CAMPAIGNS = (
    ("yandex_direct", "Поиск — бренд", 1800, 9.0, 18, 7.0, 5200),
    ("yandex_direct", "Поиск — категории", 5200, 4.2, 34, 3.1, 4700),
    ("yandex_direct", "РСЯ — ретаргетинг", 21000, 0.6, 12, 2.4, 3900),
    ("vk_ads", "VK — look-alike покупателей", 30000, 0.5, 16, 1.6, 4100),
    ("vk_ads", "VK — лид-формы", 14000, 0.9, 22, 4.5, 0),
)


@transaction.atomic
def seed_metrics(*, agency, members: dict[str, Membership]) -> None:
    today = timezone.localdate()
    clients = list(Client.objects.filter(agency=agency, status=Client.Status.ACTIVE).order_by("created_at", "id")
                   [:CLIENTS])
    for index, client in enumerate(clients):
        rng = random.Random(f"{agency.slug}:{client.name}")
        source, _created = DataSource.objects.get_or_create(
            agency=agency, client=client, name=SOURCE_NAME,
            defaults={"kind": DataSource.Kind.FILE, "currency": agency.currency,
                      "created_by": members["am"].user})
        scale = 0.6 + 0.35 * index
        rows = []
        for channel, campaign, impressions, ctr, cpc, cr, order in CAMPAIGNS[: 3 + index % 3]:
            for n in range(DAYS):
                day = today - timedelta(days=DAYS - n)
                weekday = 0.8 if day.weekday() >= 5 else 1.0
                shown = int(impressions * scale * weekday * rng.uniform(0.8, 1.2))
                clicks = int(shown * ctr / 100 * rng.uniform(0.85, 1.15))
                conversions = int(clicks * cr / 100 * rng.uniform(0.6, 1.4))
                rows.append({
                    "date": day, "channel": channel, "campaign": campaign, "campaign_id": "",
                    "impressions": shown, "clicks": clicks,
                    "cost": Decimal(clicks * cpc * rng.uniform(0.9, 1.1)).quantize(Decimal("0.01")),
                    "conversions": Decimal(conversions),
                    "revenue": Decimal(conversions * order * rng.uniform(0.7, 1.3)).quantize(Decimal("0.01")),
                    "sessions": int(clicks * rng.uniform(0.75, 0.95)), "currency": source.currency,
                })
        metrics_replace(agency=agency, source=source, rows=rows)
