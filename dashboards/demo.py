"""Demo history for the KPI dashboard (`seed_demo`): so every tile shows a real value and a trend on a fresh run.

The CRM demo creates its clients "now"; here their status and owner history moves back to their start dates (a
churned client was active first and churned on the day its renewal was lost, a paused one paused 1–3 months ago),
and a year of NPS answers, the paid invoices of the year before (for the revenue growth), answered client requests
and won upsells are added, and a year of monthly reports (built from the seeded data like a real build, published)
rated by the clients' contacts, for the report-quality tile.
Safe to run again: a marker survey (`trigger_ref` "kpi-demo-…") means it ran."""
import random
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from clients.models import Client, ClientOwnerChange, ClientStatusChange, Contact, Deal, Invoice
from clients.services.history import deal_history_record_bulk
from comms.models import ClientRequest, Direction, Message
from mrm.core.business_hours import zone
from mrm.tenancy.models import Membership
from portal.models import NpsResponse, NpsSurvey

S = Client.Status
MARK = "kpi-demo-"
COMMENTS = {
    10: "Команда держит слово, отчёты понятные.", 9: "Быстро отвечают, предлагают идеи сами.",
    8: "В целом хорошо, хотелось бы чаще созваниваться.", 7: "Нормально, но сроки иногда плывут.",
    6: "Ответы приходится ждать, отчёты запаздывают.", 5: "Много правок, результат пока слабый.",
}
SCORES = [10, 10, 9, 9, 9, 8, 8, 7, 6, 5]
SUBJECTS = ["Когда будет отчёт за месяц?", "Поправить баннер на главной", "Срочно: упала кампания",
            "Новая задача: лендинг к акции", "Вопрос по счёту", "Согласовать контент-план"]
REPLIES = ["Добрый день! Уже смотрим, ответим подробно сегодня.", "Спасибо, взяли в работу.",
           "Поправили, проверьте, пожалуйста."]


def _noon(day, tz):
    return datetime.combine(day, time(12, 0), tzinfo=tz)


@transaction.atomic
def seed_dashboards(*, agency, members: dict[str, Membership]) -> None:
    if NpsSurvey.objects.filter(agency=agency, trigger_ref__startswith=MARK).exists():
        return
    rng = random.Random(f"kpi-{agency.slug}")
    tz = zone(agency.timezone)
    today = timezone.localdate()
    clients = list(Client.objects.filter(agency=agency).exclude(status=S.LEAD).exclude(start_date=None)
                   .order_by("name"))
    _history(agency=agency, clients=clients, rng=rng, tz=tz, today=today)
    _nps(agency=agency, clients=clients, rng=rng, tz=tz, today=today)
    _invoices_year_before(agency=agency, clients=clients, rng=rng, today=today)
    _requests(agency=agency, clients=clients, members=members, rng=rng, tz=tz, today=today)
    _upsells(agency=agency, clients=clients, rng=rng, tz=tz, today=today)
    _report_ratings(agency=agency, clients=clients, members=members, rng=rng, tz=tz, today=today)
    from .demo_portfolio import seed_portfolio  # the portfolio page: time on every live client, extra work

    seed_portfolio(agency=agency, members=members)


def _history(*, agency, clients, rng, tz, today) -> None:
    lost = dict(Deal.objects.filter(agency=agency, kind=Deal.Kind.RENEWAL, stage=Deal.Stage.LOST)
                .values_list("client_id", "closed_at"))
    later = []
    for client in clients:
        began = _noon(client.start_date, tz)
        first = ClientStatusChange.objects.filter(agency=agency, client=client, from_status="").first()
        if client.status in (S.CHURNED, S.PAUSED):
            if client.status == S.CHURNED:
                ended = lost.get(client.pk) or _noon(today - timedelta(days=rng.randint(40, 220)), tz)
            else:
                ended = _noon(today - timedelta(days=rng.randint(35, 80)), tz)
            ended = max(ended, began + timedelta(days=30))
            later.append(ClientStatusChange(agency=agency, client=client, from_status=S.ACTIVE, to_status=client.status,
                                            changed_at=ended))
            if first is not None:
                ClientStatusChange.objects.filter(pk=first.pk).update(to_status=S.ACTIVE, changed_at=began)
        elif first is not None:
            ClientStatusChange.objects.filter(pk=first.pk).update(changed_at=began)
        ClientOwnerChange.objects.filter(agency=agency, client=client, from_owner=None).update(changed_at=began)
    ClientStatusChange.objects.bulk_create(later)


def _nps(*, agency, clients, rng, tz, today) -> None:
    people = {}
    for person in Contact.objects.filter(agency=agency, client__in=clients).order_by("-is_primary", "full_name"):
        people.setdefault(person.client_id, person)
    responses = []
    for index, client in enumerate(c for c in clients if c.pk in people):
        person = people[client.pk]
        for quarter in range(4):
            days_ago = quarter * 91 + rng.randint(5, 80)
            asked = _noon(today - timedelta(days=days_ago), tz)
            if asked.date() < client.start_date or (client.status == S.CHURNED and quarter == 0):
                continue
            score = rng.choice(SCORES)
            survey = NpsSurvey.objects.create(
                agency=agency, client=client, contact=person, trigger=NpsSurvey.Trigger.SCHEDULED,
                trigger_ref=f"{MARK}{index}-{quarter}", sent_at=asked, expires_at=asked + timedelta(days=30),
                emailed_at=asked, answered_at=asked + timedelta(days=1))
            responses.append(NpsResponse(agency=agency, survey=survey, client=client, contact=person,
                                         contact_name=person.full_name, trigger=survey.trigger, score=score,
                                         comment=COMMENTS.get(score, "") if rng.random() < .7 else "",
                                         channel=rng.choice(["portal", "email_link"]), answered_at=survey.answered_at))
    NpsResponse.objects.bulk_create(responses)


def _invoices_year_before(*, agency, clients, rng, today) -> None:
    """Paid monthly invoices 13–24 months ago, about 10 % below the client's current fee (a year of growth)."""
    fees = {}
    for client_id, amount in (Invoice.objects.filter(agency=agency, status=Invoice.Status.PAID)
                              .order_by("-paid_on").values_list("client_id", "amount")):
        fees.setdefault(client_id, amount)
    rows = []
    first = (today.replace(day=1) - timedelta(days=700)).replace(day=1)
    for n, client in enumerate(clients):
        fee = fees.get(client.pk)
        if fee is None:
            continue
        month = max(first, client.start_date.replace(day=1))
        stop = (today - timedelta(days=366)).replace(day=1)
        while month < stop:
            amount = (Decimal(fee) * Decimal(rng.choice(["0.85", "0.9", "0.92"]))).quantize(Decimal("1000"))
            vat = (amount * agency.vat_rate / 100).quantize(Decimal("0.01"))
            issued = month + timedelta(days=rng.randint(0, 4))
            rows.append(Invoice(agency=agency, client=client, number=f"A{issued:%y%m}-{n + 1:03d}", issued_on=issued,
                                due_on=issued + timedelta(days=10), paid_on=issued + timedelta(days=rng.randint(2, 15)),
                                amount=amount, vat_rate=agency.vat_rate, vat_amount=vat, total=amount + vat,
                                currency=agency.currency, status=Invoice.Status.PAID,
                                description=f"Услуги агентства за {month:%m.%Y}"))
            month = (month + timedelta(days=32)).replace(day=1)
    Invoice.objects.bulk_create(rows, ignore_conflicts=True)


def _requests(*, agency, clients, members, rng, tz, today) -> None:
    """Answered requests over the year: most first replies within the agreed two hours, some late."""
    from django.db.models import Max

    staff = [m.user for key, m in members.items() if key in ("am", "am2") and m.user_id]
    live = [c for c in clients if c.status in (S.ACTIVE, S.PAUSED, S.ONBOARDING)][:12]
    contacts = {c.client_id: c for c in Contact.objects.filter(agency=agency, client__in=live).order_by("full_name")}
    number = ClientRequest.objects.filter(agency=agency).aggregate(n=Max("number"))["n"] or 0
    threads, messages = [], []
    for client in live:
        for _i in range(rng.randint(3, 6)):
            opened = _noon(today - timedelta(days=rng.randint(3, 360)), tz) + timedelta(minutes=rng.randint(-90, 240))
            if opened.date() < client.start_date:
                continue
            minutes = rng.choice([15, 25, 40, 55, 70, 90, 110, 150, 200, 320])
            replied = opened + timedelta(minutes=minutes)
            number += 1
            thread = ClientRequest(agency=agency, number=number, client=client, kind=ClientRequest.Kind.QUESTION,
                                   subject=rng.choice(SUBJECTS), status=ClientRequest.Status.CLOSED,
                                   opened_by_contact=contacts.get(client.pk), target_minutes=120,
                                   due_at=opened + timedelta(minutes=120), first_reply_at=replied,
                                   response_minutes=minutes, last_message_at=replied,
                                   closed_at=replied + timedelta(days=1))
            threads.append(thread)
            messages.append(Message(agency=agency, thread=thread, direction=Direction.INBOUND,
                                    author_contact=contacts.get(client.pk), body=thread.subject))
            messages.append(Message(agency=agency, thread=thread, direction=Direction.OUTBOUND,
                                    author=rng.choice(staff) if staff else None, body=rng.choice(REPLIES)))
    ClientRequest.objects.bulk_create(threads)
    Message.objects.bulk_create(messages)
    for thread in threads:
        thread.created_at = thread.first_reply_at - timedelta(minutes=thread.response_minutes)
    for message in messages:
        thread = message.thread
        message.created_at = thread.created_at if message.direction == Direction.INBOUND else thread.first_reply_at
    ClientRequest.objects.bulk_update(threads, ["created_at"], batch_size=500)
    Message.objects.bulk_update(messages, ["created_at"], batch_size=500)


def _upsells(*, agency, clients, rng, tz, today) -> None:
    from clients.services.pipelines import stage_for_code

    live = [c for c in clients if c.status == S.ACTIVE]
    won = stage_for_code(agency=agency, code=Deal.Stage.WON)
    rows = []
    for client in rng.sample(live, k=min(8, len(live))):
        closed = _noon(today - timedelta(days=rng.randint(100, 360)), tz)
        if closed.date() < client.start_date:
            continue
        rows.append(Deal(agency=agency, client=client, title=rng.choice(["Дополнительный канал: SEO",
                                                                         "Расширение: видеопродакшн",
                                                                         "Аналитика и дашборды"]),
                         kind=rng.choice([Deal.Kind.UPSELL, Deal.Kind.CROSS_SELL]), stage=Deal.Stage.WON,
                         amount=Decimal(rng.randrange(150, 600, 50) * 1000), currency=agency.currency,
                         owner=client.owner, closed_at=closed, pipeline_stage=won))
    Deal.objects.bulk_create(rows)
    for deal in rows:  # the won stage on the day it was won
        deal_history_record_bulk(agency=agency, actor=None, rows=[(deal, None)], at=deal.closed_at)


RATINGS = [5, 5, 5, 4, 4, 4, 4, 3, 3, 2]
RATING_COMMENTS = {5: "Всё понятно, спасибо за выводы.", 4: "Хорошо, но хотелось бы больше про конверсии.",
                   3: "Много цифр, мало объяснений.", 2: "Отчёт пришёл поздно и без рекомендаций."}
RATED_CLIENTS = 8


def _report_ratings(*, agency, clients, members, rng, tz, today) -> None:
    """Monthly reports of the last twelve months for a few clients, each rated by the client's first contact a few
    days after the month. The demo client login's company keeps its own report (reporting.demo_reports)."""
    from reporting.report_models import Report, ReportRating
    from reporting.services import reports as services

    people = {}
    for person in Contact.objects.filter(agency=agency, client__in=clients).order_by("-is_primary", "full_name"):
        people.setdefault(person.client_id, person)
    reported = set(Report.objects.filter(agency=agency).values_list("client_id", flat=True))
    am = members["am"]
    chosen = [c for c in clients if c.pk in people and c.pk not in reported][:RATED_CLIENTS]
    month_start, now = today.replace(day=1), timezone.now()
    ratings, moments = [], []
    for client in chosen:
        for months_ago in range(12, 0, -1):
            first = _months_back(month_start, months_ago)
            last = _months_back(month_start, months_ago - 1) - timedelta(days=1)
            if first < client.start_date:
                continue
            report = services.report_create(agency=agency, actor=am.user, client=client, date_from=first,
                                            date_to=last)
            snapshot = services.report_snapshot(agency=agency, membership=am, report=report)
            commentary, next_steps = services.commentary_rules(snapshot=snapshot)
            published = min(_noon(last + timedelta(days=3), tz), now - timedelta(hours=2))
            Report.objects.filter(agency=agency, pk=report.pk).update(
                snapshot=snapshot, built_at=published, status=Report.Status.PUBLISHED, published_at=published,
                published_by=am.user, notified_at=published, commentary=commentary, next_steps=next_steps,
                commentary_drafter=Report.Drafter.RULES)
            score = rng.choice(RATINGS)
            rated = min(published + timedelta(days=rng.randint(1, 6)), now - timedelta(hours=1))
            ratings.append(ReportRating(agency=agency, report=report, contact=people[client.pk], score=score,
                                        comment=RATING_COMMENTS.get(score, "") if rng.random() < .6 else ""))
            moments.append(rated)
    ReportRating.objects.bulk_create(ratings)
    # The times are auto_now(_add): saving sets them to now, so the moment of each rating is a second write.
    for rating, rated in zip(ratings, moments, strict=True):
        ReportRating.objects.filter(pk=rating.pk).update(created_at=rated, updated_at=rated)


def _months_back(month_start, months: int):
    year, month = divmod(month_start.year * 12 + month_start.month - 1 - months, 12)
    return month_start.replace(year=year, month=month + 1, day=1)
