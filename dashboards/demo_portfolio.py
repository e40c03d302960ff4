"""Demo time for the portfolio page (`seed_demo`, after the KPI history): the projects demo logs time on three
clients only, so every other live client gets a support project with a year of monthly hours at the rate card's cost
rates (the one with the smallest fee served 30 % above it, so it costs more than it pays), and two projects get out-of-scope tasks with logged,
unpriced hours (the hidden cost of extra work). Safe to run again: the marker project name means it ran."""
import random
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from clients.models import Client, Invoice
from projects.models import Project, ProjectTask, TimeEntry
from proposals.models import RateRole

MARK = "Сопровождение аккаунта"
S = Client.Status


@transaction.atomic
def seed_portfolio(*, agency, members) -> None:
    if Project.objects.filter(agency=agency, name__startswith=MARK).exists():
        return
    roles = list(RateRole.objects.filter(agency=agency, cost_rate__gt=0).order_by("name"))
    staff = [m.user for key, m in members.items() if key in ("am", "am2", "pm") and m.user_id]
    if not roles or not staff:
        return
    rng = random.Random(f"portfolio-{agency.slug}")
    today = timezone.localdate()
    busy = set(Project.objects.filter(agency=agency).values_list("client_id", flat=True))
    clients = [c for c in Client.objects.filter(agency=agency, status__in=(S.ACTIVE, S.PAUSED, S.ONBOARDING))
               .exclude(start_date=None).order_by("name") if c.pk not in busy][:14]
    fees: dict = {}
    for client_id, amount in (Invoice.objects.filter(agency=agency, status=Invoice.Status.PAID,
                                                     client__in=clients).order_by("-paid_on")
                              .values_list("client_id", "amount")):
        fees.setdefault(client_id, amount)
    # the demo's client that costs more than it pays: the smallest fee, served 30 % above it
    heavy = min((c for c in clients if c.pk in fees), key=lambda c: fees[c.pk], default=None)
    entries = []
    for index, client in enumerate(clients):
        began = max(client.start_date, today - timedelta(days=360))
        project = Project.objects.create(agency=agency, client=client, name=f"{MARK}: {client.name}",
                                         kind=Project.Kind.ONE_OFF, status=Project.Status.ACTIVE, start_date=began,
                                         account_manager=client.owner, currency=agency.currency)
        extra = None
        if index in (1, 2):
            extra = ProjectTask.objects.create(agency=agency, project=project, out_of_scope=True,
                                               title="Доп. макеты по просьбе клиента (вне объёма)", estimate_hours=0)
        day = began
        while day < today:
            role = rng.choice(roles)
            if client is heavy:
                monthly = int(fees[client.pk] * Decimal("1.3") / role.cost_rate) + 1
                chunks = [8] * (monthly // 8) + ([monthly % 8] if monthly % 8 else [])
            else:
                chunks = [rng.randint(6, 24)]
            for n, hours in enumerate(chunks):
                entries.append(TimeEntry(agency=agency, project=project, user=rng.choice(staff), role=role,
                                         date=min(day + timedelta(days=n), today), hours=Decimal(hours),
                                         sell_rate=role.hourly_rate, cost_rate=role.cost_rate,
                                         note="Ведение аккаунта, отчёты, созвоны"))
            if extra is not None and rng.random() < .5:
                entries.append(TimeEntry(agency=agency, project=project, task=extra, user=rng.choice(staff), role=role,
                                         date=day, hours=Decimal(rng.randint(2, 6)), sell_rate=role.hourly_rate,
                                         cost_rate=role.cost_rate, note=extra.title))
            day += timedelta(days=30)
    TimeEntry.objects.bulk_create(entries, batch_size=1000)
    from projects.services.logged import agency_logged_refresh

    agency_logged_refresh(agency=agency)
