"""Demo rate card, catalog, brief types, cases, briefs and proposals for `seed_demo` (idempotent: skipped
when the agency already has a rate card). Texts are the demo agency's own, in Russian."""
import io
from datetime import timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from clients.models import Client, Contact, Deal
from mrm.tenancy.models import Membership

from . import crm
from .models import (
    Brief,
    BriefTemplate,
    Case,
    Discipline,
    Proposal,
    ProposalSettings,
    RateRole,
    Recipient,
    Service,
)

ROLES = (  # name, rate, cost
    ("Стратег", "6500", "3200"), ("Арт-директор", "5500", "2800"), ("Дизайнер", "3500", "1700"),
    ("Копирайтер", "3000", "1400"), ("SMM-менеджер", "2800", "1300"), ("Таргетолог", "3200", "1500"),
    ("Специалист по контекстной рекламе", "3200", "1500"), ("SEO-специалист", "3000", "1400"),
    ("Веб-аналитик", "4000", "2000"), ("Медиапланер", "3500", "1700"), ("Видеопродюсер", "4500", "2300"),
    ("Проектный менеджер", "3500", "1800"),
)
D = Discipline
SERVICES = (  # discipline, name, description, unit, hours from, to, roles
    (D.STRATEGY, "Аудит маркетинга и конкурентов",
     "Смотрим, что уже работает, как продвигаются конкуренты и где теряются заявки.", "hours", 12, 24,
     ("Стратег", "Веб-аналитик")),
    (D.STRATEGY, "Коммуникационная стратегия",
     "Позиционирование, ключевые сообщения, каналы и план запуска на квартал.", "hours", 24, 48, ("Стратег",)),
    (D.CREATIVE, "Креативная концепция",
     "Большая идея кампании, 2–3 направления с визуальными референсами.", "hours", 20, 40,
     ("Арт-директор", "Копирайтер")),
    (D.CREATIVE, "Дизайн рекламных макетов",
     "Адаптации под форматы площадок: соцсети, баннеры, наружная реклама.", "piece", 2, 6, ("Дизайнер",)),
    (D.SMM, "Ведение сообществ",
     "Контент-план, 12–16 публикаций в месяц, сторис, модерация и ответы подписчикам.", "month", 40, 70,
     ("SMM-менеджер", "Копирайтер", "Дизайнер")),
    (D.SMM, "Таргетированная реклама VK",
     "Сегменты аудитории, креативы, запуск и ежедневная оптимизация кампаний.", "month", 20, 40,
     ("Таргетолог",)),
    (D.CONTEXT, "Настройка Яндекс Директ",
     "Семантика, структура кампаний, объявления, минус-слова, цели и ретаргетинг.", "hours", 16, 32,
     ("Специалист по контекстной рекламе",)),
    (D.CONTEXT, "Ведение контекстной рекламы",
     "Ежедневное управление ставками, тесты объявлений, еженедельный отчёт.", "month", 20, 40,
     ("Специалист по контекстной рекламе",)),
    (D.SEO, "SEO-аудит сайта",
     "Технический аудит, структура, скорость, план исправлений с приоритетами.", "hours", 12, 24,
     ("SEO-специалист",)),
    (D.SEO, "Поисковое продвижение",
     "Оптимизация страниц, тексты, внешние ссылки и отчёт о позициях.", "month", 30, 50,
     ("SEO-специалист", "Копирайтер")),
    (D.MEDIA, "Медиаплан и закупка размещений",
     "Выбор площадок, переговоры, размещение и контроль выходов.", "hours", 16, 40, ("Медиапланер",)),
    (D.ANALYTICS, "Настройка сквозной аналитики",
     "Цели, UTM-разметка, коллтрекинг, дашборд с заявками и стоимостью лида.", "hours", 16, 32,
     ("Веб-аналитик",)),
    (D.ANALYTICS, "Ежемесячная отчётность",
     "Отчёт по KPI, выводы и план на следующий месяц, созвон с клиентом.", "month", 6, 10,
     ("Веб-аналитик", "Проектный менеджер")),
    (D.PRODUCTION, "Съёмка рекламного ролика",
     "Сценарий, подготовка, съёмочный день, монтаж и адаптации под площадки.", "hours", 40, 80,
     ("Видеопродюсер",)),
    (D.WEB, "Посадочная страница",
     "Прототип, дизайн и вёрстка лендинга под рекламную кампанию.", "hours", 30, 60,
     ("Дизайнер", "Проектный менеджер")),
)
TEMPLATES = (
    ("SMM-продвижение", D.SMM, "Расскажите о соцсетях бренда — подготовим план продвижения.",
     "Какие соцсети уже ведёте и сколько подписчиков?\nКакой тон общения с аудиторией вам близок?\n"
     "Есть ли у вас фото и видео продукта?"),
    ("Контекстная реклама", D.CONTEXT, "Нужны заявки из поиска? Ответьте на несколько вопросов.",
     "Какие регионы показа?\nСколько заявок в месяц сейчас и сколько нужно?\nКакая средняя стоимость заказа?"),
    ("Ребрендинг", D.CREATIVE, "Новый облик бренда начинается с понимания, что в нём ценного.",
     "Что в текущем бренде важно сохранить?\nКакие бренды вам нравятся и почему?"),
)
CASES = (
    ("Рост заявок для сети клиник в 2,4 раза", Case.Kind.OWN, "Клиника «Здоровье+»", D.CONTEXT,
     "Перестроили кампании в Директе по услугам и районам, добавили квиз и коллтрекинг.",
     "−38 % стоимость заявки за 3 месяца", ("#0E9F6E", "#1F6FEB")),
    ("Запуск бренда кофеен в Telegram и VK", Case.Kind.OWN, "Кофейня «Зерно»", D.SMM,
     "Визуальный стиль, контент-план и розыгрыши с партнёрами района.",
     "18 000 подписчиков за полгода", ("#F79009", "#7A5AF8")),
    ("Ролик «Дом, где растут» — пример сильного сторителлинга", Case.Kind.REFERENCE, "Застройщик", D.PRODUCTION,
     "Эталон эмоциональной истории без прямой продажи: показываем клиентам, к какому уровню стремимся.",
     "", ("#101828", "#475467")),
)
TERMS = ("Оплата: 50 % предоплата, 50 % по завершении этапа.\n"
         "Рекламный бюджет площадок оплачивается отдельно и не входит в смету.\n"
         "Сроки считаются с момента получения доступов и предоплаты.\n"
         "Две итерации правок по каждому макету входят в стоимость, дальнейшие — по ставке роли.")
BIOS = {
    "director": "15 лет в рекламе, запускала кампании для федеральных сетей. Отвечает за стратегию и качество.",
    "am": "Ведёт клиентов в ритейле и медицине. Отвечает на письма в течение 15 минут в рабочее время.",
    "am2": "Специализируется на performance-маркетинге и сквозной аналитике.",
    "pm": "Проектный менеджер: сроки, команда и отчёты — на нём.",
}


def _image(colours: tuple[str, str], label: str) -> ContentFile:
    """A simple two-colour cover for a demo case (so PDFs and the web view show real images)."""
    from PIL import Image, ImageDraw

    width, height = 960, 480
    start = tuple(int(colours[0][i:i + 2], 16) for i in (1, 3, 5))
    end = tuple(int(colours[1][i:i + 2], 16) for i in (1, 3, 5))
    img = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(img)
    for x in range(width):
        t = x / (width - 1)
        draw.line([(x, 0), (x, height)], fill=tuple(int(a + (b - a) * t) for a, b in zip(start, end, strict=True)))
    draw.ellipse([width - 360, -120, width + 120, 360], outline=(255, 255, 255), width=6)
    buf = io.BytesIO()
    img.save(buf, "PNG", optimize=True)
    return ContentFile(buf.getvalue(), name=f"{label}.png")


PRICED_SERVICES = (  # discipline, name, description, unit, priced as, price, commission %
    (D.CONTEXT, "Рекламный бюджет Яндекс Директ", "Бюджет на площадке проходит через агентство; комиссия агентства "
     "— процент от бюджета.", "month", "media", "0", "12"),
    (D.WEB, "Лендинг под кампанию", "Одна страница под рекламную кампанию: прототип, дизайн, вёрстка, формы.",
     "hours", "fixed", "90000", "0"),
    (D.CREATIVE, "Рекламный баннер", "Один макет в нужных форматах площадок.", "piece", "quantity", "5000", "0"),
)


@transaction.atomic
def seed_proposals(*, agency, members: dict[str, Membership]) -> None:
    if RateRole.objects.filter(agency=agency).exists():
        return
    roles = {name: RateRole.objects.create(agency=agency, name=name, hourly_rate=Decimal(rate),
                                           cost_rate=Decimal(cost), order=i)
             for i, (name, rate, cost) in enumerate(ROLES)}
    for i, (discipline, name, description, unit, low, high, role_names) in enumerate(SERVICES):
        service = Service.objects.create(agency=agency, discipline=discipline, name=name, description=description,
                                         unit=unit, hours_min=Decimal(low), hours_max=Decimal(high), order=i)
        service.roles.set([roles[r] for r in role_names])
    # estimates: the kinds agencies sell besides hours — a package, pieces and a media budget with commission
    order = len(SERVICES)
    for discipline, name, description, unit, kind, price, commission in PRICED_SERVICES:
        Service.objects.create(agency=agency, discipline=discipline, name=name, description=description, unit=unit,
                               price_kind=kind, price=Decimal(price), commission_percent=Decimal(commission),
                               order=order)
        order += 1
    for i, (name, discipline, intro, questions) in enumerate(TEMPLATES):
        BriefTemplate.objects.create(agency=agency, name=name, discipline=discipline, intro=intro,
                                     questions=questions, order=i)
    for i, (title, kind, client_name, discipline, description, result, colours) in enumerate(CASES):
        case = Case(agency=agency, title=title, kind=kind, client_name=client_name, discipline=discipline,
                    description=description, result=result)
        case.image.save(f"demo-{i}.png", _image(colours, f"demo-{i}"), save=False)
        case.save()
    ProposalSettings.objects.update_or_create(agency=agency, defaults={
        "default_terms": TERMS, "brief_owner": members["am"].user,
        "brief_intro": "Опишите задачу своими словами — аккаунт-менеджер ответит в течение рабочего дня."})
    for key, bio in BIOS.items():
        user = members[key].user
        if not user.bio:
            user.bio = bio
            user.save(update_fields=["bio"])
    _seed_briefs_and_proposals(agency=agency, members=members)


def _seed_briefs_and_proposals(*, agency, members) -> None:
    from .services import drafting, followups, sending

    am = members["am"].user
    clients = list(Client.objects.filter(agency=agency, owner=am).order_by("name")[:2])
    samples = (
        ("Нужно больше записей на услуги клиники через сайт. Сейчас около 120 заявок в месяц, хотим 250.\n"
         "Важно снизить стоимость заявки.", "Жители района 25–55 лет, чаще женщины, заботятся о здоровье семьи.",
         [D.CONTEXT, D.ANALYTICS], "300k-1m"),
        ("Запускаем новую линейку и хотим, чтобы о ней узнали в соцсетях.\nНужен контент и реклама в VK.",
         "Молодые семьи, 25–40 лет, покупают онлайн.", [D.SMM, D.CREATIVE], "lt300k"),
    )
    for i, (client, (goals, audience, channels, budget)) in enumerate(zip(clients, samples, strict=False)):
        contact = Contact.objects.filter(agency=agency, client=client).first() or Contact.objects.create(
            agency=agency, client=client, full_name="Ирина Павлова", email=f"irina{i}@{agency.slug}.client.demo",
            position="Маркетолог", is_primary=True)
        if not contact.email:
            contact.email = f"contact{i}@{agency.slug}.client.demo"
            contact.save(update_fields=["email"])
        # Through the CRM's services, so the deal's stage history starts like any other deal's.
        deal = crm.deal_create(agency=agency, actor=am, client=client,
                               title=crm.brief_deal_title(company_name=client.name, channels=channels),
                               service_lines=[c for c in channels if c in Deal.ServiceLine.values], owner=am)
        brief = Brief.objects.create(
            agency=agency, client=client, contact=contact, deal=deal, owner=am, created_by=None,
            source=Brief.Source.PUBLIC_FORM if i == 0 else Brief.Source.INTERNAL, company_name=client.name,
            website=client.website, contact_name=contact.full_name, contact_email=contact.email,
            goals=goals, audience=audience, channels=channels, budget=budget,
            deadline=timezone.localdate() + timedelta(days=30))
        draft = drafting.validate_draft(agency=agency, raw=drafting.rules_draft(agency=agency, brief=brief),
                                        brief=brief, mode="rules")
        proposal = drafting._save_draft(agency=agency, actor=am, brief=brief, draft=draft,
                                        drafted_by=Proposal.DraftedBy.RULES)
        proposal.cases.set(Case.objects.filter(agency=agency, kind=Case.Kind.OWN))
        if i == 0:
            # A media budget with the agency's commission and banners the client may switch on.
            from .services import editor

            priced = {sv.name: sv for sv in Service.objects.filter(agency=agency, name__in=[
                "Рекламный бюджет Яндекс Директ", "Рекламный баннер"])}
            editor.line_add(agency=agency, actor=am, proposal=proposal, service=priced["Рекламный бюджет Яндекс Директ"],
                            budget="150000")
            editor.line_add(agency=agency, actor=am, proposal=proposal, service=priced["Рекламный баннер"], quantity=4,
                            is_optional=True, offered=True, suggestion_reason="Баннеры для ретаргетинга")
            # A sent proposal with some client activity, without e-mailing anyone.
            version = sending.version_freeze(agency=agency, actor=am, proposal=proposal)
            now = timezone.now()
            Proposal.objects.filter(agency=agency, pk=proposal.pk).update(status=Proposal.Status.SENT,
                                                                          sent_at=now - timedelta(days=2))
            crm.deal_move(agency=agency, actor=am, deal=deal, stage=Deal.Stage.PROPOSAL_SENT, amount=version.total)
            yesterday = timezone.localtime(now - timedelta(days=1)).replace(hour=18, minute=4)
            Recipient.objects.create(agency=agency, proposal=proposal, version=version, contact=contact,
                                     name=contact.full_name, email=contact.email, emailed_at=now - timedelta(days=2),
                                     open_count=3, seconds_viewed=412, download_count=1,
                                     first_opened_at=now - timedelta(days=2), last_opened_at=yesterday)
            proposal.refresh_from_db()
            followups.followups_schedule(agency=agency, actor=am, proposal=proposal)
