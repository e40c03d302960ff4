"""Demo portfolio for `seed_demo`: ~40 clients per agency across statuses and KAM quadrants, with
contacts, a year of interactions, deals (upsell and cross-sell included), monthly invoices, onboarding
plans, account plans and open tasks. Texts live in `demo_data`.

Idempotent and fast: clients are keyed on agency + name; every kind of child row is generated only
for clients that have none yet (so a second run adds nothing), always with bulk_create. Dates are
relative to today, so a fresh database always looks current.
"""
import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Case, Value, When
from django.utils import timezone

from mrm.tenancy.models import Membership

from . import demo_data as d
from .models import (
    AccountObjective,
    AccountPlan,
    Client,
    Contact,
    Deal,
    Interaction,
    InteractionAgreement,
    Invoice,
    OnboardingPlan,
    OnboardingStep,
    OnboardingTemplateStep,
    Pipeline,
    PipelineStage,
    Tag,
    Task,
)
from .models.kam import ATTRACTIVENESS_CRITERIA, RELATIONSHIP_CRITERIA
from .services import history, pipelines
from .services.contacts import contact_for_person

S = Client.Status
TAGS = ("vip", "e-commerce", "b2b", "b2c", "федеральный", "локальный", "тендер")
# 40 clients: the first is the demo client contact's company and stays active.
STATUS_PLAN = ([S.ACTIVE] * 20 + [S.ONBOARDING] * 5 + [S.LEAD] * 6 + [S.PAUSED] * 4 + [S.CHURNED] * 5)
QUADRANTS = (AccountPlan.Quadrant.STRATEGIC, AccountPlan.Quadrant.STAR, AccountPlan.Quadrant.STATUS,
             AccountPlan.Quadrant.STREAMLINE)
PLAN_SUMMARY = {
    AccountPlan.Quadrant.STRATEGIC: "Ключевой клиент: растём вместе. Ежеквартальные QBR, доступ к первому лицу, "
                                    "предлагаем новые каналы до того, как о них спросят.",
    AccountPlan.Quadrant.STAR: "Большой потенциал, но отношения пока тактические. Цель года — выйти на "
                               "директора по маркетингу и стать основным подрядчиком.",
    AccountPlan.Quadrant.STATUS: "Давний лояльный клиент с небольшим бюджетом. Держим качество, не "
                                 "перегружаем команду, ищем точечные допродажи.",
    AccountPlan.Quadrant.STREAMLINE: "Небольшой бюджет и слабые связи. Стандартный пакет услуг, отчёты по "
                                     "шаблону, минимум ручной работы.",
}
SIZES = list(Client.Size.values)
SOURCES = list(Client.Source.values)


@transaction.atomic
def seed_clients(*, agency, members: dict[str, Membership]) -> None:
    rng = random.Random(agency.slug)
    today = timezone.localdate()
    own = d.SEVER if agency.slug.startswith("sever") else d.PIKSEL
    catalog = d.SHARED + own
    staff = {"am": members["am"].user, "am2": members["am2"].user, "director": members["director"].user,
             "pm": members["pm"].user}
    clients = _clients(agency=agency, catalog=catalog, staff=staff, rng=rng, today=today)
    ids = [c.pk for c in clients]
    profiles = {c.pk: _profile(c, i, rng, today) for i, c in enumerate(clients)}

    def without(model, **extra):
        having = set(model.objects.filter(agency=agency, client_id__in=ids, **extra).values_list("client_id",
                                                                                                  flat=True))
        return [c for c in clients if c.pk not in having]

    _contacts(agency=agency, clients=without(Contact), rng=rng)
    contacts_by_client: dict = {}
    for contact in Contact.objects.filter(agency=agency, client_id__in=ids).order_by("-is_primary", "full_name"):
        contacts_by_client.setdefault(contact.client_id, []).append(contact)
    deals = _deals(agency=agency, clients=without(Deal), profiles=profiles, rng=rng, today=today)
    _interactions(agency=agency, clients=without(Interaction), profiles=profiles, contacts=contacts_by_client,
                  rng=rng, today=today)
    _invoices(agency=agency, clients=without(Invoice), profiles=profiles, deals=deals, rng=rng, today=today)
    _account_plans(agency=agency, clients=[c for c in without(AccountPlan) if c.status != S.LEAD], rng=rng,
                   today=today)
    _onboarding(agency=agency, clients=[c for c in without(OnboardingPlan) if c.status == S.ONBOARDING],
                rng=rng, today=today)
    _agreements(agency=agency, clients=[c for c in without(InteractionAgreement) if c.status == S.ACTIVE
                                        and profiles[c.pk]["index"] % 4 != 3], rng=rng)
    _tasks(agency=agency, clients=clients, staff=staff, rng=rng, today=today)
    _legal_details(agency=agency, clients=clients, rng=rng)

    client_member = members["client"]
    if client_member.contact_id is None:
        user = client_member.user
        contact = contact_for_person(agency=agency, actor=None, client=clients[0], email=user.email,
                                     full_name=user.full_name)
        Membership.objects.filter(agency=agency, pk=client_member.pk).update(contact=contact)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _demo_inn(rng: random.Random) -> str:
    """A made-up 10-digit INN with a correct check digit (so the demo documents pass validation)."""
    body = "77" + "".join(str(rng.randint(0, 9)) for _ in range(7))
    check = sum(int(c) * w for c, w in zip(body, (2, 4, 10, 3, 5, 9, 4, 6, 8), strict=True)) % 11 % 10
    return body + str(check)


def _legal_details(*, agency, clients, rng) -> None:
    """Requisites of the agency (the supplier on its invoices) and of the clients that have a legal name."""
    from .models import AgencyLegalDetails

    AgencyLegalDetails.objects.get_or_create(agency=agency, defaults={
        "legal_name": f"ООО «{agency.name}»", "inn": _demo_inn(rng), "kpp": "770101001",
        "legal_address": "123112, г. Москва, Пресненская наб., д. 10", "bank_name": "ПАО Сбербанк",
        "bik": "044525225", "correspondent_account": "30101810400000000225",
        "settlement_account": "40702810938000000001", "signatory_title": "Генеральный директор",
        "signatory_name": "Иванов И. И."})
    for client in clients:
        if client.legal_name and not client.inn:
            Client.objects.filter(agency=agency, pk=client.pk).update(inn=_demo_inn(rng), kpp="770201001",
                                                                      legal_address="г. Москва")


def _clients(*, agency, catalog, staff, rng, today) -> list[Client]:
    Tag.objects.bulk_create([Tag(agency=agency, name=n) for n in TAGS], ignore_conflicts=True)
    tags = {t.name: t for t in Tag.objects.filter(agency=agency, name__in=TAGS)}
    existing = {c.name: c for c in Client.objects.filter(agency=agency, name__in=[row[0] for row in catalog])}
    statuses = [S.ACTIVE] + rng.sample(STATUS_PLAN[1:], k=len(STATUS_PLAN) - 1)
    owners = ["am", "am2"] * 17 + ["director"] * 6
    rng.shuffle(owners)
    new, new_tags, new_team = [], [], []
    for i, (name, legal, industry, site) in enumerate(catalog):
        if name in existing:
            continue
        status = statuses[i % len(statuses)]
        start = None if status == S.LEAD else today - timedelta(
            days=rng.randint(6, 24) if status == S.ONBOARDING else rng.randint(120, 1100))
        client = Client(
            agency=agency, name=name, legal_name=legal, industry=industry, website=site, status=status,
            owner=staff["am" if i == 0 else owners[i % len(owners)]], source=rng.choice(SOURCES),
            size=rng.choice(SIZES), start_date=start,
            churn_reason=rng.choice(d.CHURN_REASONS) if status == S.CHURNED else "",
            notes="Пришли по рекомендации, ценят скорость ответа." if i % 7 == 3 else "",
        )
        new.append(client)
        new_tags += [(client, tags[t]) for t in rng.sample(TAGS, k=rng.randint(0, 2))]
        if i % 3 == 0:
            new_team.append((client, staff["pm"]))
        if i % 5 == 1 and client.owner != staff["am"]:
            new_team.append((client, staff["am"]))  # the AM helps on a colleague's account
    Client.objects.bulk_create(new)
    # Demo rows go in with bulk_create, so their initial status/owner go through the history service here.
    history.client_history_record_bulk(agency=agency, actor=None, rows=[(c, None, None) for c in new])
    Client.tags.through.objects.bulk_create(
        [Client.tags.through(client_id=c.pk, tag_id=t.pk) for c, t in new_tags], ignore_conflicts=True)
    Client.team.through.objects.bulk_create(
        [Client.team.through(client_id=c.pk, user_id=u.pk) for c, u in new_team], ignore_conflicts=True)
    by_name = {**existing, **{c.name: c for c in new}}
    return [by_name[row[0]] for row in catalog]


def _profile(client: Client, index: int, rng: random.Random, today: date) -> dict:
    """When the relationship was alive (for interactions and invoices) and its monthly fee."""
    start = client.start_date or today - timedelta(days=rng.randint(10, 40))
    since = max(start, today - timedelta(days=365))
    until = today
    if client.status == S.PAUSED:
        until = today - timedelta(days=rng.randint(35, 80))
    elif client.status == S.CHURNED:
        until = today - timedelta(days=rng.randint(40, 220))
    since = min(since, until - timedelta(days=30))
    quiet = client.status == S.ACTIVE and index % 6 == 5  # no contact for weeks: shows on Today
    return {"index": index, "since": since, "until": until, "quiet": quiet,
            "fee": Decimal(rng.randrange(90, 900, 10) * 1000)}


def _person(rng: random.Random) -> tuple[str, str]:
    female = rng.random() < 0.55
    first = rng.choice(d.FIRST_NAMES_F if female else d.FIRST_NAMES_M)
    last = rng.choice(d.LAST_NAMES) + ("а" if female else "")
    return f"{first} {last}", first


def _latin(text: str) -> str:
    return "".join(d.TRANSLIT.get(ch, ch) for ch in text.lower())


def _contacts(*, agency, clients, rng) -> list[Contact]:
    rows = []
    for client in clients:
        domain = client.website.split("//")[-1] if client.website else "client.example"
        roles = [d.CONTACT_ROLES[0]] + rng.sample(d.CONTACT_ROLES[1:], k=rng.randint(0, 2))
        for n, (role, position) in enumerate(roles):
            full_name, first = _person(rng)
            channel = rng.choice(["email", "telegram", "phone", "whatsapp"])
            rows.append(Contact(
                agency=agency, client=client, full_name=full_name, role=role, position=position, is_primary=n == 0,
                email=f"{_latin(first)}.{_latin(full_name.split()[1])[:6]}@{domain}",
                phone=f"+7 9{rng.randint(10, 99)} {rng.randint(100, 999)}-{rng.randint(10, 99)}-{rng.randint(10, 99)}",
                telegram=f"{_latin(first)}_{_latin(full_name.split()[1])[:5]}" if channel == "telegram" else "",
                preferred_channel=channel,
                notes="Предпочитает короткие сообщения, не любит звонки после 19:00." if n == 0 and rng.random() < .2
                else "",
            ))
    Contact.objects.bulk_create(rows)
    return rows


def _demo_pipelines(*, agency) -> dict:
    """Two pipelines: the default one for new business and "Допродажи" for upsells, cross-sells and renewals
    (its own probabilities). Returns (pipeline key, stage code) → stage."""
    default = pipelines.pipeline_ensure_default(agency=agency)
    upsell = Pipeline.objects.filter(agency=agency, name="Допродажи").first() or pipelines.pipeline_create(
        agency=agency, actor=None, name="Допродажи", kind=Pipeline.Kind.UPSELL)
    weights = {Deal.Stage.NEW: 20, Deal.Stage.BRIEF_RECEIVED: 40, Deal.Stage.PROPOSAL_SENT: 60,
               Deal.Stage.NEGOTIATION: 80}
    PipelineStage.objects.filter(agency=agency, pipeline=upsell, code__in=list(weights)).update(
        probability=Case(*(When(code=code, then=Value(p)) for code, p in weights.items())))
    columns = {}
    for column in PipelineStage.objects.filter(agency=agency, pipeline__in=[default, upsell]).order_by("-order"):
        columns[("new" if column.pipeline_id == default.pk else "upsell", column.code)] = column
    return columns


def _deals(*, agency, clients, profiles, rng, today) -> dict:
    """Deals for clients without any; returns client id → the won new-business deal (invoices link to it)."""
    rows, won_by_client = [], {}
    positions: dict = {}
    open_stages = list(Deal.OPEN_STAGES)
    columns = _demo_pipelines(agency=agency)

    def add(client, kind, title, stage, amount, *, close_in=None, closed_on=None, reason=""):
        column = columns[("new" if kind == Deal.Kind.NEW_BUSINESS else "upsell", stage)]
        positions[column.pk] = positions.get(column.pk, 0) + 1
        deal = Deal(agency=agency, client=client, title=title, stage=stage, kind=kind, amount=Decimal(amount),
                    pipeline_stage=column, owner=client.owner, service_lines=d.SERVICE_LINES.get(title, []),
                    position=positions[column.pk],
                    lost_reason=reason,
                    expected_close_date=(today + timedelta(days=close_in)) if close_in is not None else closed_on,
                    closed_at=_at(closed_on, 15) if closed_on and stage in (Deal.Stage.WON, Deal.Stage.LOST)
                    else None)
        rows.append(deal)
        return deal

    for n, client in enumerate(clients):
        p = profiles[client.pk]
        amount = p["fee"] * rng.choice([3, 6, 12])
        if client.status == S.LEAD:
            add(client, Deal.Kind.NEW_BUSINESS, rng.choice(d.DEALS_NEW), open_stages[n % 4], amount,
                close_in=rng.randint(7, 60))
            continue
        won = add(client, Deal.Kind.NEW_BUSINESS, rng.choice(d.DEALS_NEW), Deal.Stage.WON, amount,
                  closed_on=client.start_date or p["since"])
        won_by_client[client.pk] = won
        if client.status == S.ACTIVE:
            variant = n % 5
            upsell_stage = [Deal.Stage.WON, Deal.Stage.NEGOTIATION, Deal.Stage.PROPOSAL_SENT, Deal.Stage.LOST,
                            Deal.Stage.BRIEF_RECEIVED][variant]
            closed = today - timedelta(days=rng.randint(20, 150))
            add(client, Deal.Kind.UPSELL, rng.choice(d.DEALS_UPSELL), upsell_stage, p["fee"] * 2,
                close_in=None if upsell_stage in (Deal.Stage.WON, Deal.Stage.LOST) else rng.randint(5, 45),
                closed_on=closed if upsell_stage in (Deal.Stage.WON, Deal.Stage.LOST) else None,
                reason=rng.choice(d.LOST_REASONS) if upsell_stage == Deal.Stage.LOST else "")
            if variant in (0, 2, 4):
                cross_stage = [Deal.Stage.NEW, Deal.Stage.WON, Deal.Stage.NEGOTIATION][variant // 2]
                add(client, Deal.Kind.CROSS_SELL, rng.choice(d.DEALS_CROSS), cross_stage, p["fee"] * 3,
                    close_in=None if cross_stage == Deal.Stage.WON else rng.randint(10, 75),
                    closed_on=today - timedelta(days=rng.randint(10, 90)) if cross_stage == Deal.Stage.WON else None)
            if variant == 1:
                add(client, Deal.Kind.RENEWAL, rng.choice(d.DEALS_RENEWAL), Deal.Stage.PROPOSAL_SENT,
                    p["fee"] * 12, close_in=rng.randint(14, 40))
        elif client.status == S.CHURNED:
            add(client, Deal.Kind.RENEWAL, rng.choice(d.DEALS_RENEWAL), Deal.Stage.LOST, p["fee"] * 12,
                closed_on=p["until"], reason=client.churn_reason)
        elif client.status == S.PAUSED and n % 2:
            add(client, Deal.Kind.CROSS_SELL, rng.choice(d.DEALS_CROSS), Deal.Stage.LOST, p["fee"] * 2,
                closed_on=p["until"], reason=rng.choice(d.LOST_REASONS))
    Deal.objects.bulk_create(rows)
    history.deal_history_record_bulk(agency=agency, actor=None, rows=[(deal, None) for deal in rows])
    return won_by_client


def _interactions(*, agency, clients, profiles, contacts, rng, today) -> None:
    K, D, C = Interaction.Kind, Interaction.Direction, Interaction.Channel
    rows, links, last_contact = [], [], {}
    waiting_left = 8  # inbound messages still waiting for our reply across the portfolio

    now = timezone.now()

    def add(client, day, hour, kind, direction, channel, subject, summary, contact, **flags):
        # Never in the future: early in the morning "today at 15:00" has not happened yet.
        when = min(_at(day, hour, rng.choice([0, 10, 15, 30, 40, 45])), now - timedelta(minutes=rng.randint(5, 90)))
        item = Interaction(agency=agency, client=client, kind=kind, direction=direction, channel=channel,
                           occurred_at=when, subject=subject,
                           summary=summary.format(contact=contact.full_name.split()[0] if contact else "Клиент"),
                           author=client.owner,
                           duration_minutes=rng.randint(10, 45) if kind == K.CALL else
                           (rng.choice([60, 90]) if kind == K.MEETING else None), **flags)
        rows.append(item)
        if contact and kind != K.NOTE:
            links.append((item, contact))
        if kind != K.NOTE and direction != D.INTERNAL:
            last_contact[client.pk] = max(last_contact.get(client.pk, item.occurred_at), item.occurred_at)
        return item

    for client in clients:
        p = profiles[client.pk]
        people = contacts.get(client.pk, [])
        step = {S.ONBOARDING: 3, S.LEAD: 6, S.PAUSED: 16}.get(client.status, 9)
        until = p["until"] - timedelta(days=rng.randint(18, 30)) if p["quiet"] else p["until"]
        day = p["since"] if client.status != S.LEAD else today - timedelta(days=30)
        while day <= until:
            if day.weekday() >= 5:
                day += timedelta(days=7 - day.weekday())  # work happens on weekdays
                continue
            contact = rng.choice(people) if people else None
            roll = rng.random()
            hour = rng.randint(10, 18)
            if roll < .28:
                subject, summary = rng.choice(d.CALLS)
                add(client, day, hour, K.CALL, D.INBOUND if "Внеплан" in subject or "Срочн" in subject
                    else D.OUTBOUND, C.PHONE, subject, summary, contact,
                    is_unplanned="Внеплан" in subject or (rng.random() < .08),
                    is_extra_revision="сверх" in summary, is_urgent="Срочн" in subject)
            elif roll < .38:
                subject, summary = rng.choice(d.MEETINGS)
                add(client, day, hour, K.MEETING, D.OUTBOUND, C.MEETING, subject, summary, contact)
            elif roll < .55:
                subject, summary = rng.choice(d.EMAILS_OUT)
                add(client, day, hour, K.EMAIL, D.OUTBOUND, C.EMAIL, subject, summary, contact)
            elif roll < .65:
                subject, summary = rng.choice(d.EMAILS_IN)
                item = add(client, day, hour, K.EMAIL, D.INBOUND, C.EMAIL, subject, summary, contact,
                           needs_reply=True, is_extra_revision="доработк" in subject.lower() and rng.random() < .5)
                item.replied_at = min(item.occurred_at + timedelta(hours=rng.randint(1, 20)), now)
            elif roll < .9:
                subject, summary = rng.choice(d.MESSAGES_IN)
                channel = C.WHATSAPP if "WhatsApp" in subject else C.TELEGRAM
                recent = (today - day).days <= 6 and client.status in (S.ACTIVE, S.ONBOARDING)
                item = add(client, day, hour, K.MESSAGE, D.INBOUND, channel, subject, summary, contact,
                           needs_reply=True, is_urgent="сегодня" in summary and rng.random() < .4)
                if recent and waiting_left > 0:
                    waiting_left -= 1  # still waiting: shows among unanswered messages on Today
                else:
                    reply_subject, reply_summary = rng.choice(d.MESSAGES_OUT)
                    reply = add(client, day, min(hour + 1, 20), K.MESSAGE, D.OUTBOUND, channel, reply_subject,
                                reply_summary, contact)
                    reply.occurred_at = max(reply.occurred_at, item.occurred_at + timedelta(minutes=3))
                    reply.reply_to = item
                    item.replied_at = reply.occurred_at
            else:
                subject, summary = rng.choice(d.NOTES)
                add(client, day, hour, K.NOTE, D.INTERNAL, C.OTHER, subject, summary, None)
            day += timedelta(days=max(1, step + rng.randint(-2, 3)))
        if client.status in (S.ACTIVE, S.ONBOARDING) and not p["quiet"]:
            # A live account was touched this week: the weekly status call.
            recent = today - timedelta(days=rng.randint(0, 4))
            recent -= timedelta(days=max(0, recent.weekday() - 4))
            contact = rng.choice(people) if people else None
            add(client, recent, rng.randint(10, 12), K.CALL, D.OUTBOUND, C.PHONE, *d.CALLS[0], contact)
    # Replies point at their message: insert the messages first (a self-FK inside one batch is fine in
    # PostgreSQL, but ordering keeps SQLite's immediate FK checks happy too).
    rows.sort(key=lambda r: r.reply_to is not None)
    Interaction.objects.bulk_create(rows, batch_size=500)
    Interaction.contacts.through.objects.bulk_create(
        [Interaction.contacts.through(interaction_id=i.pk, contact_id=c.pk) for i, c in links], batch_size=1000)
    touched = [c for c in clients if c.pk in last_contact]
    for client in touched:
        client.last_contact_at = last_contact[client.pk]
    Client.objects.bulk_update(touched, ["last_contact_at"], batch_size=500)


def _invoices(*, agency, clients, profiles, deals, rng, today) -> None:
    rows = []
    vat = agency.vat_rate
    overdue_left = 3
    for client in clients:
        if client.status == S.LEAD:
            continue
        p = profiles[client.pk]
        month = date(p["since"].year, p["since"].month, 1)
        while month <= min(p["until"], today):
            issued = month + timedelta(days=rng.randint(0, 4))
            if issued > today:
                break
            amount = p["fee"] if rng.random() > .15 else p["fee"] + Decimal(rng.randrange(20, 150, 10) * 1000)
            age = (today - issued).days
            status, paid = Invoice.Status.PAID, issued + timedelta(days=rng.randint(2, 18))
            if age < 12:
                status, paid = (Invoice.Status.SENT, None) if age > 2 else (Invoice.Status.DRAFT, None)
            elif age < 35 and rng.random() < .5:
                status, paid = Invoice.Status.SENT, None
            elif client.status != S.CHURNED and overdue_left and age < 70 and rng.random() < .2:
                status, paid, overdue_left = Invoice.Status.OVERDUE, None, overdue_left - 1
            if paid and paid > today:
                paid = today
            vat_amount = (amount * vat / 100).quantize(Decimal("0.01"))
            rows.append(Invoice(
                agency=agency, client=client, deal=deals.get(client.pk), number=f"{issued:%y%m}-{p['index'] + 1:03d}",
                issued_on=issued, due_on=issued + timedelta(days=10), paid_on=paid, amount=amount, vat_rate=vat,
                vat_amount=vat_amount, total=amount + vat_amount, currency=agency.currency, status=status,
                description=f"Услуги по продвижению за {_month_name(month)} {month.year}",
            ))
            month = (month + timedelta(days=32)).replace(day=1)
    Invoice.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)


def _month_name(day: date) -> str:
    return ("январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь", "октябрь",
            "ноябрь", "декабрь")[day.month - 1]


def _scores(criteria: dict, high: bool, rng) -> tuple[dict, Decimal]:
    while True:
        scores = {k: rng.choice([3, 4, 4, 5] if high else [1, 2, 2, 3]) for k in criteria}
        avg = (Decimal(sum(scores.values())) / len(scores)).quantize(Decimal("0.01"))
        if (avg >= 3) == high:
            return scores, avg


def _account_plans(*, agency, clients, rng, today) -> None:
    plans, objectives = [], []
    for n, client in enumerate(clients):
        target = QUADRANTS[n % 4]
        a_scores, a = _scores(ATTRACTIVENESS_CRITERIA, target in ("strategic", "star"), rng)
        r_scores, r = _scores(RELATIONSHIP_CRITERIA, target in ("strategic", "status"), rng)
        quadrant = AccountPlan.quadrant_for(a, r)
        stage = {"strategic": "strategic", "star": "operational", "status": "operational"}.get(quadrant, "tactical")
        plan = AccountPlan(agency=agency, client=client, relationship_stage=stage, attractiveness_scores=a_scores,
                           relationship_scores=r_scores, attractiveness=a, relationship_strength=r,
                           quadrant=quadrant, summary=PLAN_SUMMARY[quadrant])
        plans.append(plan)
        if quadrant in ("strategic", "star") and client.status == S.ACTIVE:
            for k, (title, kpi, target_value) in enumerate(rng.sample(d.OBJECTIVES, k=2)):
                objectives.append(AccountObjective(
                    agency=agency, plan=plan, title=title, kpi=kpi, target=target_value,
                    due_on=today + timedelta(days=30 + 45 * k),
                    status=AccountObjective.Status.ACHIEVED if k == 0 and n % 3 == 0 else AccountObjective.Status.OPEN))
    AccountPlan.objects.bulk_create(plans)
    AccountObjective.objects.bulk_create(objectives)


def _onboarding(*, agency, clients, rng, today) -> None:
    if not OnboardingTemplateStep.objects.filter(agency=agency).exists():
        OnboardingTemplateStep.objects.bulk_create([
            OnboardingTemplateStep(agency=agency, title=t, description=desc, due_day=day, order=i)
            for i, (t, desc, day) in enumerate(d.ONBOARDING_STEPS)])
    plans, steps = [], []
    for client in clients:
        started = client.start_date or today - timedelta(days=10)
        plan = OnboardingPlan(agency=agency, client=client, started_on=started)
        plans.append(plan)
        for i, (title, desc, day) in enumerate(d.ONBOARDING_STEPS):
            due = started + timedelta(days=day)
            # Most past-due steps are done; one in four is late, which is what the AM should see.
            done = due < today and rng.random() < .75
            steps.append(OnboardingStep(agency=agency, plan=plan, title=title, description=desc, due_on=due, order=i,
                                        done_at=_at(due - timedelta(days=rng.randint(0, 2)), 16) if done else None,
                                        done_by=client.owner if done else None))
    OnboardingPlan.objects.bulk_create(plans)
    OnboardingStep.objects.bulk_create(steps)


def _agreements(*, agency, clients, rng) -> None:
    rows = []
    # Clients at index % 4 == 3 get none: not every long-standing client has one written down yet.
    for client in clients:
        rows.append(InteractionAgreement(
            agency=agency, client=client, contact_every_days=rng.choice([7, 7, 14]),
            channels=rng.choice([["telegram", "email"], ["email", "phone"], ["telegram", "meeting"]]),
            request_format="Задачи — в общий чат с пометкой «задача», срочное — звонком аккаунту.",
            response_time_hours=Decimal(rng.choice([2, 2, 4])),
            reporting_cadence=rng.choice(["monthly", "monthly", "biweekly"]),
            approval_rules="Креативы согласует бренд-менеджер, бюджеты свыше 300 000 ₽ — директор по маркетингу.",
            agreed_on=(client.start_date or timezone.localdate()) + timedelta(days=10)))
    InteractionAgreement.objects.bulk_create(rows)


def _tasks(*, agency, clients, staff, rng, today) -> None:
    if Task.objects.filter(agency=agency, source="demo").exists():
        return
    open_deals = {deal.client_id: deal for deal in Deal.objects.filter(
        agency=agency, stage__in=Deal.OPEN_STAGES, client__in=clients)}
    rows = []
    for key in ("am", "am2", "director"):
        user = staff[key]
        mine = [c for c in clients if c.owner_id == user.pk and c.status != S.CHURNED] or clients[:5]
        plan = ([("overdue", -rng.randint(1, 6)) for _ in range(3)] + [("today", 0) for _ in range(3)]
                + [("soon", rng.randint(1, 12)) for _ in range(4)] + [("done", -rng.randint(2, 20)) for _ in range(3)])
        for n, (state, days) in enumerate(plan):
            client = mine[n % len(mine)]
            title, kind = d.TASKS[(n + len(key)) % len(d.TASKS)]
            deal = open_deals.get(client.pk) if kind == "follow_up" else None
            due = _at(today + timedelta(days=days), rng.choice([10, 11, 12, 14, 15, 16, 17]), rng.choice([0, 30]))
            rows.append(Task(agency=agency, title=title, kind=kind, assignee=user, client=client, deal=deal,
                             due_at=due, priority=rng.choice(["normal", "normal", "high", "low"]),
                             notes="Клиент ждёт ответа до конца дня." if state == "today" and n % 2 else "",
                             done_at=due if state == "done" else None, done_by=user if state == "done" else None,
                             source="demo", source_id=f"{key}-{n}"))
    Task.objects.bulk_create(rows)
