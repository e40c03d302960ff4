"""Fill one agency with daily metric facts and time the reporting aggregates on them.

    DATABASE_URL=postgres://… .venv/bin/python -m bench.generate_metrics [--rows 1000000] [--clients 100] \\
        [--days 365] [--agency-slug bench-metrics] [--runs 5] [--time-only]

Creates the agency (if missing) and `--clients` clients with one file source each, spreads `--rows` facts over
them (campaigns × days, bulk_create in batches of 5,000; about a minute per million rows on PostgreSQL), runs
ANALYZE, then prints the median time of the period aggregates the metrics page and the API run: one client's
totals / by channel / by campaign (first page) / by day over 30 and 365 days, and the whole agency by client
over 30 days. Timing is printed, never asserted: this is a script, not a test. `--time-only` skips generating.
"""
import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from decimal import Decimal

BATCH = 5000


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--agency-slug", default="bench-metrics")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--time-only", action="store_true")
    parser.add_argument("--existing-clients", action="store_true",
                        help="spread the facts over the agency's first --clients clients instead of adding "
                             "'Бенч' clients (bench.scale: one agency at the issue's scale)")
    args = parser.parse_args(argv)

    sys.path.insert(0, os.getcwd())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mrm.settings.base")
    import django

    django.setup()
    from django_scopes import scope

    from mrm.tenancy.models import Agency

    agency, _created = Agency.objects.get_or_create(slug=args.agency_slug, defaults={"name": "Bench: metrics"})
    with scope(agency=agency):
        if not args.time_only:
            started = time.monotonic()
            made = generate(agency=agency, rows=args.rows, clients=args.clients, days=args.days,
                            rng=random.Random(args.seed), existing=args.existing_clients)
            print(f"{agency.name}: {made} facts in {time.monotonic() - started:.1f} s")
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("ANALYZE reporting_dailymetric")
        time_aggregates(agency=agency, runs=args.runs, existing=args.existing_clients)


def _targets(*, agency, clients: int, existing: bool) -> list:
    from clients.models import Client

    if existing:
        return list(Client.objects.filter(agency=agency).exclude(status=Client.Status.LEAD).order_by("pk")[:clients])
    return list(Client.objects.filter(agency=agency, name__startswith="Бенч ").order_by("name")[:clients])


def generate(*, agency, rows: int, clients: int, days: int, rng: random.Random, existing: bool = False) -> int:
    from django.db import transaction
    from django.utils import timezone

    from clients.models import Client
    from reporting.models import Campaign, DailyMetric, DataSource

    if not existing:
        have = Client.objects.filter(agency=agency, name__startswith="Бенч ").count()
        Client.objects.bulk_create([Client(agency=agency, name=f"Бенч {n:05d}", status=Client.Status.ACTIVE)
                                    for n in range(have, clients)])
    targets = _targets(agency=agency, clients=clients, existing=existing)
    per_client = max(1, -(-rows // (len(targets) * days)))
    today = timezone.localdate()
    channels = ("yandex_direct", "vk_ads", "google_ads", "telegram_ads")
    made = 0
    for client in targets:
        if made >= rows:
            break
        with transaction.atomic():
            source, _ = DataSource.objects.get_or_create(agency=agency, client=client, name="Бенч: выгрузка",
                                                         defaults={"kind": DataSource.Kind.FILE})
            Campaign.objects.bulk_create([
                Campaign(agency=agency, source=source, external_id=str(n), name=f"Кампания {n}",
                         channel=channels[n % len(channels)]) for n in range(per_client)], ignore_conflicts=True)
            campaigns = list(Campaign.objects.filter(agency=agency, source=source).order_by("external_id"))
            DailyMetric.objects.filter(agency=agency, source=source).delete()  # a rerun replaces, like an import
            batch = []
            # Day by day, every campaign of the day together: the order daily syncs and monthly imports write in,
            # so a period's rows lie together on disk as they would in production.
            for n in range(days - 1, -1, -1):
                for campaign in campaigns[:per_client]:
                    if made >= rows:
                        break
                    impressions = rng.randint(100, 20000)
                    clicks = rng.randint(0, impressions // 20)
                    conversions = rng.randint(0, max(clicks // 10, 0))
                    batch.append(DailyMetric(
                        agency=agency, client=client, source=source, campaign=campaign, channel=campaign.channel,
                        date=today - timedelta(days=n + 1), impressions=impressions, clicks=clicks,
                        cost=Decimal(clicks * rng.randint(5, 60)), conversions=Decimal(conversions),
                        revenue=Decimal(conversions * rng.randint(0, 6000)), sessions=int(clicks * 0.8)))
                    made += 1
                    if len(batch) >= BATCH:
                        DailyMetric.objects.bulk_create(batch)
                        batch = []
            DailyMetric.objects.bulk_create(batch)
    return made


def _median_ms(fn, runs: int) -> float:
    fn()  # warm the cache the way a second page view would
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def time_aggregates(*, agency, runs: int, existing: bool = False) -> None:
    from django.utils import timezone

    from mrm.tenancy.models import Membership, Role
    from reporting import selectors
    from reporting.models import DailyMetric

    total = DailyMetric.objects.filter(agency=agency).count()
    client = next(iter(_targets(agency=agency, clients=1, existing=existing)), None)
    if client is None or not total:
        print("No facts to time: run without --time-only first.")
        return
    director = Membership(agency=agency, role=Role.DIRECTOR, user_id=0)  # directors see every client
    today = timezone.localdate()
    client_rows = DailyMetric.objects.filter(agency=agency, client=client).count()
    print(f"{total} facts in the agency, {client_rows} of them for {client.name}; median of {runs} runs:")
    for days in (30, 365):
        period = selectors.Period(today - timedelta(days=days - 1), today)
        qs = selectors.metrics_queryset(agency=agency, membership=director, period=period, client=client)
        checks = {
            "totals": lambda qs=qs: selectors.metrics_totals(qs),
            "by channel": lambda qs=qs: selectors.metrics_by_channel(qs),
            "by campaign, page 1": lambda qs=qs: selectors.metrics_by_campaign(qs, limit=25),
            "campaign count": lambda qs=qs: selectors.metrics_campaign_count(qs),
            "by day": lambda qs=qs: selectors.metrics_by_day(qs),
            "currencies": lambda qs=qs: selectors.metrics_currencies(qs),
        }
        for name, fn in checks.items():
            print(f"  one client, {days:>3} days, {name:<20} {_median_ms(fn, runs):8.1f} ms")
    period = selectors.Period(today - timedelta(days=29), today)
    agency_qs = selectors.metrics_queryset(agency=agency, membership=director, period=period)
    print(f"  agency,      30 days, {'by client':<20} "
          f"{_median_ms(lambda: selectors.metrics_by_client(agency_qs), runs):8.1f} ms")
    print(f"  agency,      30 days, {'totals':<20} "
          f"{_median_ms(lambda: selectors.metrics_totals(agency_qs), runs):8.1f} ms")


if __name__ == "__main__":
    main()
