"""Fill an agency with a large portfolio for benchmarks.

    MRM_VAR_DIR=/tmp/mrm-bench .venv/bin/python -m bench.generate --clients 10000 [--agency-slug sever-digital]

Per client, on average: 2 contacts, 6 interactions, 1 deal, 0.5 open tasks, 4 invoices, tags and a team
member on some, an account plan on most. Everything goes in with bulk_create in one transaction per
batch of clients; it adds to what is there (run `seed_demo` first for the agency and its people).
"""
import argparse
import os
import random
import sys
import time
import uuid
from datetime import timedelta
from decimal import Decimal

WORDS_A = ("Альфа", "Вектор", "Север", "Гранит", "Восток", "Меридиан", "Исток", "Орион", "Полюс", "Сфера",
           "Ладья", "Кедр", "Байкал", "Вершина", "Прайм", "Зенит", "Горизонт", "Парус", "Маяк", "Титан")
WORDS_B = ("Строй", "Трейд", "Мед", "Фуд", "Логистик", "Девелопмент", "Ритейл", "Тех", "Агро", "Авто", "Финанс",
           "Сервис", "Групп", "Маркет", "Проект", "Софт", "Энерго", "Тревел", "Фарм", "Стиль")
INDUSTRIES = ("Ритейл", "Медицина", "Недвижимость", "HoReCa", "Образование", "E-commerce", "Производство",
              "Финансы", "Автодилер", "Услуги", "IT", "FMCG")
FIRST = ("Анна", "Мария", "Елена", "Ольга", "Ирина", "Алексей", "Дмитрий", "Сергей", "Андрей", "Максим")
LAST = ("Иванов", "Смирнов", "Кузнецов", "Попов", "Соколов", "Лебедев", "Козлов", "Новиков", "Морозов", "Петров")
SUMMARIES = ("Созвон по статусу: запуск кампании, план публикаций.", "Отчёт за месяц отправлен.",
             "Клиент просит срочно поменять баннер.", "Обсудили бюджет на квартал.", "Внеплановый звонок по счёту.")
BATCH = 1000


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=10000)
    parser.add_argument("--agency-slug", default="sever-digital")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--contacts", type=int, default=0, help="total contacts (default: 2 per client)")
    parser.add_argument("--interactions", type=int, default=0, help="total interactions (default: 6 per client)")
    parser.add_argument("--invoices", type=int, default=0, help="total invoices (default: 4 per client)")
    args = parser.parse_args(argv)

    sys.path.insert(0, os.getcwd())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mrm.settings.base")
    import django

    django.setup()
    from django_scopes import scope

    from mrm.tenancy.models import Agency

    agency = Agency.objects.filter(slug=args.agency_slug).first()
    if agency is None:
        parser.exit(2, f"No agency with slug {args.agency_slug!r}: run `manage.py seed_demo` or pass --agency-slug.\n")
    started = time.monotonic()
    with scope(agency=agency):
        per_client = {key: getattr(args, key) / args.clients for key in ("contacts", "interactions", "invoices")
                      if getattr(args, key) and args.clients}
        counts = generate(agency=agency, clients=args.clients, rng=random.Random(args.seed), per_client=per_client)
    analyze()
    took = time.monotonic() - started
    print(f"{agency.name}: " + ", ".join(f"{v} {k}" for k, v in counts.items()) + f" in {took:.1f} s")


def _spread(rng: random.Random, mean: float) -> int:
    """A count around `mean` (uniform on 0…2·mean, at least 1), so totals land near clients × mean."""
    return max(1, round(rng.uniform(0, 2 * mean)))


def generate(*, agency, clients: int, rng: random.Random, per_client: dict | None = None) -> dict[str, int]:
    """`per_client` overrides the average number of contacts / interactions / invoices per client; invoices then
    spread over the last two years (monthly), so revenue has a year-over-year comparison."""
    from django.db import transaction
    from django.utils import timezone

    from clients.models import AccountPlan, Client, Contact, Deal, Interaction, Invoice, Tag, Task
    from clients.services import history
    from clients.services.pipelines import stage_for_code
    from mrm.tenancy.models import Membership, Role

    # every deal goes to its stage's column in the agency's default pipeline
    columns = {code: stage_for_code(agency=agency, code=code) for code in Deal.Stage.values}

    people = list(Membership.objects.filter(agency=agency, is_active=True).select_related("user"))
    owners = [m.user for m in people if m.role in (Role.DIRECTOR, Role.AM)]
    specialists = [m.user for m in people if m.role == Role.SPECIALIST] or owners
    if not owners:
        raise SystemExit("The agency has no director or AM to own clients.")
    Tag.objects.bulk_create([Tag(agency=agency, name=n) for n in ("vip", "b2b", "b2c", "тендер", "федеральный")],
                            ignore_conflicts=True)
    tags = list(Tag.objects.filter(agency=agency))
    run = uuid.uuid4().hex[:6]
    now = timezone.now()
    today = timezone.localdate()
    statuses = ["active"] * 11 + ["lead"] * 3 + ["onboarding", "paused", "paused", "churned", "churned", "churned"]
    per_client = per_client or {}
    counts = dict.fromkeys(("clients", "contacts", "interactions", "deals", "tasks", "invoices"), 0)
    for start in range(0, clients, BATCH):
        with transaction.atomic():
            batch = []
            for i in range(start, min(start + BATCH, clients)):
                status = rng.choice(statuses)
                batch.append(Client(
                    agency=agency, name=f"{rng.choice(WORDS_A)} {rng.choice(WORDS_B)} №{i + 1}",
                    legal_name=f"ООО «{rng.choice(WORDS_A)}{rng.choice(WORDS_B).lower()}»",
                    industry=rng.choice(INDUSTRIES), status=status, owner=rng.choice(owners),
                    churn_reason="Сократили бюджет" if status == "churned" else "",
                    start_date=today - timedelta(days=rng.randint(10, 1500)),
                    last_contact_at=now - timedelta(hours=rng.randint(1, 24 * 60)), external_id=f"bench-{run}-{i}"))
            Client.objects.bulk_create(batch)
            history.client_history_record_bulk(agency=agency, actor=None, rows=[(c, None, None) for c in batch])
            Client.tags.through.objects.bulk_create([
                Client.tags.through(client_id=c.pk, tag_id=rng.choice(tags).pk) for c in batch if rng.random() < .3])
            Client.team.through.objects.bulk_create([
                Client.team.through(client_id=c.pk, user_id=rng.choice(specialists).pk)
                for c in batch if rng.random() < .2])
            contacts, interactions, deals, tasks, invoices, plans = [], [], [], [], [], []
            for c in batch:
                n_contacts = _spread(rng, per_client["contacts"]) if "contacts" in per_client else rng.choice([1, 2, 2, 3])
                for n in range(n_contacts):
                    contacts.append(Contact(agency=agency, client=c, is_primary=n == 0,
                                            full_name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                                            email=f"c{n}.{c.external_id}@bench.example", phone="+7 900 000-00-00"))
                n_interactions = (_spread(rng, per_client["interactions"]) if "interactions" in per_client
                                  else rng.randint(2, 10))
                for _ in range(n_interactions):
                    inbound = rng.random() < .4
                    when = now - timedelta(days=rng.randint(0, 365), hours=rng.randint(0, 12))
                    interactions.append(Interaction(
                        agency=agency, client=c, kind=rng.choice(["call", "email", "message", "meeting", "note"]),
                        direction="inbound" if inbound else "outbound", occurred_at=when, author=c.owner,
                        summary=rng.choice(SUMMARIES), is_unplanned=rng.random() < .05,
                        needs_reply=inbound and rng.random() < .5,
                        replied_at=when + timedelta(hours=2) if inbound and rng.random() < .9 else None))
                stage = rng.choice(["new", "brief_received", "proposal_sent", "negotiation", "won", "won", "lost"])
                deals.append(Deal(agency=agency, client=c, title=f"Продвижение {c.name}", stage=stage,
                                  pipeline_stage=columns[stage],
                                  kind=rng.choice(["new_business", "upsell", "cross_sell", "renewal"]),
                                  amount=Decimal(rng.randrange(100, 5000) * 1000), owner=c.owner,
                                  position=rng.randint(0, 1000), closed_at=now if stage in ("won", "lost") else None,
                                  lost_reason="Дорого" if stage == "lost" else "",
                                  expected_close_date=today + timedelta(days=rng.randint(-30, 90))))
                if rng.random() < .5:
                    tasks.append(Task(agency=agency, client=c, assignee=c.owner, title="Перезвонить клиенту",
                                      due_at=now + timedelta(hours=rng.randint(-240, 240)),
                                      kind=rng.choice(["task", "follow_up", "call"])))
                n_invoices = (_spread(rng, per_client["invoices"]) if "invoices" in per_client
                              else rng.randint(0, 8))
                step = max(1, 24 // max(n_invoices, 1)) if "invoices" in per_client else 1
                for m in range(n_invoices):
                    issued = today - timedelta(days=30 * m * step + rng.randint(0, 5))
                    amount = Decimal(rng.randrange(50, 800) * 1000)
                    invoices.append(Invoice(
                        agency=agency, client=c, number=f"B{run}-{c.external_id.rsplit('-', 1)[-1]}-{m}",
                        issued_on=issued, due_on=issued + timedelta(days=10), amount=amount,
                        vat_amount=amount / 5, total=amount * Decimal("1.2"),
                        status="paid" if m else "sent", paid_on=issued + timedelta(days=7) if m else None))
                if c.status != "lead" and rng.random() < .7:
                    a, r = Decimal(rng.randint(100, 500)) / 100, Decimal(rng.randint(100, 500)) / 100
                    plans.append(AccountPlan(agency=agency, client=c, attractiveness=a, relationship_strength=r,
                                             quadrant=AccountPlan.quadrant_for(a, r)))
            for model, rows, key in ((Contact, contacts, "contacts"), (Interaction, interactions, "interactions"),
                                     (Deal, deals, "deals"), (Task, tasks, "tasks"), (Invoice, invoices, "invoices"),
                                     (AccountPlan, plans, None)):
                model.objects.bulk_create(rows, batch_size=2000)
                if key:
                    counts[key] += len(rows)
            history.deal_history_record_bulk(agency=agency, actor=None, rows=[(deal, None) for deal in deals])
            counts["clients"] += len(batch)
        print(f"  {counts['clients']} / {clients} clients", file=sys.stderr)
    return counts


def analyze() -> None:
    """Refresh the query planner's statistics after a bulk load, as a DBA would. PostgreSQL's autovacuum
    does it on its own later; SQLite never does, and without statistics it picks poor plans for joins
    such as the interaction → participants prefetch (150 ms instead of 1 ms at 10k clients)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


if __name__ == "__main__":
    main()
