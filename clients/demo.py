"""Demo portfolio for `seed_demo` (idempotent: clients are keyed on agency + name)."""
import random
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from mrm.tenancy.models import Membership

from .models import Client, Tag

COMPANIES = (
    ("ВкусВилл Экспресс", "ООО «Вкус Экспресс»", "Ритейл", "https://vkus-express.example"),
    ("Технопарк Север", "АО «Технопарк Север»", "Недвижимость", "https://technopark-sever.example"),
    ("Клиника «Здоровье+»", "ООО «Здоровье Плюс»", "Медицина", "https://zdorovie-plus.example"),
    ("Автодом Премиум", "ООО «Автодом»", "Автодилер", "https://avtodom-premium.example"),
    ("Школа английского Speakly", "ООО «Спикли»", "Образование", "https://speakly.example"),
    ("Фитнес-клуб Атлант", "ООО «Атлант Фитнес»", "Спорт", "https://atlant-fit.example"),
    ("Кофейня «Зерно»", "ИП Соколова А. В.", "HoReCa", "https://zerno-coffee.example"),
    ("Банк «Восход»", "ПАО «Банк Восход»", "Финансы", "https://voshod-bank.example"),
    ("Строймаркет Профи", "ООО «Профи Строй»", "Ритейл", "https://profi-stroy.example"),
    ("Туроператор «Горизонт»", "ООО «Горизонт Тур»", "Туризм", "https://gorizont-tour.example"),
    ("Мебельная фабрика «Дуб»", "ООО «МФ Дуб»", "Производство", "https://mf-dub.example"),
    ("Ювелирный дом «Грань»", "ООО «Грань»", "Ритейл", "https://gran-jewel.example"),
)
STATUSES = (Client.Status.ACTIVE,) * 6 + (Client.Status.ONBOARDING, Client.Status.LEAD, Client.Status.LEAD,
                                          Client.Status.PAUSED, Client.Status.CHURNED, Client.Status.ACTIVE)
TAGS = ("vip", "e-commerce", "b2b", "федеральный", "локальный")


@transaction.atomic
def seed_clients(*, agency, members: dict[str, Membership]) -> None:
    rng = random.Random(agency.slug)
    owners = [members["am"].user, members["am2"].user, members["director"].user]
    tags = {}
    for name in TAGS:
        tags[name], _ = Tag.objects.get_or_create(agency=agency, name=name)
    first_client = None
    for i, ((name, legal, industry, site), status) in enumerate(zip(COMPANIES, STATUSES, strict=True)):
        client, created = Client.objects.get_or_create(agency=agency, name=name, defaults={
            "legal_name": legal, "industry": industry, "website": site, "status": status,
            "owner": owners[i % 2 if i < 10 else 2], "source": rng.choice(list(Client.Source.values)),
            "size": rng.choice(list(Client.Size.values)),
            "churn_reason": "Ушли в инхаус-команду" if status == Client.Status.CHURNED else "",
            "start_date": date.today() - timedelta(days=rng.randint(20, 900)),
            "last_contact_at": timezone.now() - timedelta(days=rng.randint(0, 30), hours=rng.randint(0, 20)),
        })
        if created:
            client.tags.set(rng.sample(list(tags.values()), k=rng.randint(0, 2)))
            if i % 3 == 0:
                client.team.add(members["pm"].user)
        first_client = first_client or client
    client_member = members["client"]
    if client_member.client_id is None:
        Membership.objects.filter(agency=agency, pk=client_member.pk).update(client_id=first_client.pk)
