"""Demo NPS for `seed_demo`: per agency, a survey waiting for the demo client login's answer (portal and link)
and a year of past answers from contacts of a few clients, so the client page and the API have a history.
Deterministic (a Random seeded with the agency's slug, dates relative to now) and safe to run again."""
import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from clients.models import Client, Contact
from mrm.tenancy.models import Membership

from .models import NpsResponse, NpsSurvey

COMMENTS = {
    10: "Команда всегда на связи и предлагает идеи раньше, чем мы попросим.",
    9: "Отчёты понятные, результат по заявкам выше плана.",
    8: "В целом хорошо, но согласования иногда затягиваются.",
    7: "Работа нормальная, хотелось бы больше инициативы.",
    6: "Сроки по последнему релизу сорвали, пришлось напоминать.",
    3: "Слишком долго отвечают на письма.",
}


@transaction.atomic
def seed_nps(*, agency, members: dict[str, Membership]) -> None:
    if NpsSurvey.objects.filter(agency=agency).exists():
        return
    rng = random.Random(f"nps-{agency.slug}")
    now = timezone.now()
    login = Membership.objects.filter(agency=agency, pk=members["client"].pk).select_related("contact").first()
    contact = login.contact if login else None
    if contact is not None:
        # The login answered half a year ago (outside the 90-day interval); a new survey waits now.
        _answered(agency=agency, contact=contact, days_ago=170, score=8, comment=COMMENTS[8], channel="portal")
        NpsSurvey.objects.create(agency=agency, client_id=contact.client_id, contact=contact, trigger="scheduled",
                                 trigger_ref=f"demo-{now:%Y%m}", sent_at=now - timedelta(days=1),
                                 expires_at=now + timedelta(days=29), emailed_at=now - timedelta(days=1))
    clients = list(Client.objects.filter(agency=agency, status=Client.Status.ACTIVE).order_by("name")[:6])
    people = {}
    for person in Contact.objects.filter(agency=agency, client__in=clients).exclude(email="").order_by("full_name"):
        if contact is None or person.pk != contact.pk:
            people.setdefault(person.client_id, person)
    for index, person in enumerate(people.values()):
        for days_ago in (40 + index * 11, 220 + index * 9):
            score = rng.choice(list(COMMENTS))
            _answered(agency=agency, contact=person, days_ago=days_ago, score=score, comment=COMMENTS[score],
                      channel=rng.choice(["portal", "email_link"]))


def _answered(*, agency, contact, days_ago: int, score: int, comment: str, channel: str) -> None:
    asked = timezone.now() - timedelta(days=days_ago)
    survey = NpsSurvey.objects.create(agency=agency, client_id=contact.client_id, contact=contact, trigger="scheduled",
                                      trigger_ref=f"demo-{asked:%Y%m%d}", sent_at=asked,
                                      expires_at=asked + timedelta(days=30), emailed_at=asked,
                                      answered_at=asked + timedelta(days=2))
    NpsResponse.objects.create(agency=agency, survey=survey, client_id=contact.client_id, contact=contact,
                               contact_name=contact.full_name, trigger=survey.trigger, score=score, comment=comment,
                               channel=channel, answered_at=survey.answered_at)
