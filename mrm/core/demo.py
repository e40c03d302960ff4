"""Demo agencies and people for `seed_demo`: two agencies, each with a director, two AMs, a PM and a client."""
from dataclasses import dataclass

from django.db import transaction

from mrm.accounts.models import User
from mrm.tenancy.models import Agency, Membership, Role
from mrm.tenancy.services import kpi_targets_initial

DEMO_PASSWORD = "demo-pass-2026"


@dataclass(frozen=True)
class DemoAgency:
    slug: str
    name: str
    brand_color: str
    domain: str
    people: tuple[tuple[str, str, str, str], ...]  # (key, full name, role, position)


AGENCIES = (
    DemoAgency("sever-digital", "Север Диджитал", "#1F6FEB", "sever.demo", (
        ("director", "Ольга Смирнова", Role.DIRECTOR, "Управляющий директор"),
        ("am", "Алексей Волков", Role.AM, "Аккаунт-менеджер"),
        ("am2", "Мария Кузнецова", Role.AM, "Старший аккаунт-менеджер"),
        ("pm", "Дмитрий Орлов", Role.SPECIALIST, "Проектный менеджер"),
        ("client", "Игорь Лебедев", Role.CLIENT, "Директор по маркетингу"),
    )),
    DemoAgency("piksel-media", "Пиксель Медиа", "#7A5AF8", "piksel.demo", (
        ("director", "Екатерина Белова", Role.DIRECTOR, "Генеральный директор"),
        ("am", "Сергей Новиков", Role.AM, "Аккаунт-менеджер"),
        ("am2", "Анна Морозова", Role.AM, "Аккаунт-менеджер"),
        ("pm", "Павел Соколов", Role.SPECIALIST, "Таргетолог"),
        ("client", "Наталья Фёдорова", Role.CLIENT, "Бренд-менеджер"),
    )),
)


def demo_email(demo: DemoAgency, key: str) -> str:
    return f"{key}@{demo.domain}"


@transaction.atomic
def seed_agency(demo: DemoAgency) -> tuple[Agency, dict[str, Membership]]:
    """Create or refresh one demo agency and its people (idempotent: keyed on slug and e-mail)."""
    agency, _created = Agency.objects.get_or_create(
        slug=demo.slug, defaults={"name": demo.name, "brand_color": demo.brand_color}
    )
    members = {}
    for key, full_name, role, position in demo.people:
        user = User.objects.filter(email=demo_email(demo, key)).first()
        if user is None:
            user = User.objects.create_user(demo_email(demo, key), DEMO_PASSWORD, full_name=full_name,
                                            position=position)
        membership, _ = Membership.objects.with_scope(agency=agency).get_or_create(
            agency=agency, user=user, defaults={"role": role, "is_owner": key == "director"}
        )
        members[key] = membership
    kpi_targets_initial(agency=agency)
    return agency, members
