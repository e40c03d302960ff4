"""Demo requests for `seed_demo`: on each agency's portal client, one answered request (with its response time)
and one still waiting for the agency, as if the client had written from the portal. Safe to run again."""
from datetime import timedelta

from django.utils import timezone

from mrm.tenancy.models import Membership

from .models import ClientRequest, Message
from .services import request_open, request_reply

ANSWERED = ("Можно ли перенести запуск кампании на неделю?",
            "Добрый день! У нас сдвинулась дата выхода продукта. Можно ли перенести запуск рекламной кампании "
            "на неделю позже без потери бюджета?",
            "Да, перенесём: бюджет сохраняется, новые даты пришлю сегодня до конца дня.")
WAITING = ("Срочно: на лендинге не работает форма заявки",
           "С утра форма заявки на лендинге выдаёт ошибку, заявки не приходят. Посмотрите, пожалуйста, срочно.")


def seed_requests(*, agency, members: dict[str, Membership]) -> None:
    client_member = members.get("client")
    if client_member is None:
        return
    # Read it again: the login is linked to its contact by the client seeding, after `members` was built.
    client_member = Membership.objects.select_related("contact__client", "user").get(pk=client_member.pk)
    if not client_member.contact_id:
        return
    contact, client = client_member.contact, client_member.contact.client
    if ClientRequest.objects.filter(agency=agency, client=client).exists():
        return
    subject, body, answer = ANSWERED
    answered = request_open(agency=agency, actor=client_member.user, client=client, contact=contact,
                            kind=ClientRequest.Kind.QUESTION, subject=subject, body=body)
    opened = timezone.now() - timedelta(days=2, hours=3)
    ClientRequest.objects.filter(agency=agency, pk=answered.pk).update(created_at=opened, last_message_at=opened,
                                                                        awaiting_since=opened)
    Message.objects.filter(agency=agency, thread=answered).update(created_at=opened)
    answered.refresh_from_db()
    replier = client.owner or members["am"].user
    request_reply(agency=agency, actor=replier, thread=answered, body=answer)
    subject, body = WAITING
    waiting = request_open(agency=agency, actor=client_member.user, client=client, contact=contact,
                           kind=ClientRequest.Kind.URGENT, subject=subject, body=body)
    since = timezone.now() - timedelta(hours=3)
    ClientRequest.objects.filter(agency=agency, pk=waiting.pk).update(created_at=since, last_message_at=since,
                                                                       awaiting_since=since)
    Message.objects.filter(agency=agency, thread=waiting).update(created_at=since)
