from django_scopes import scope, scopes_disabled

from comms.models import ClientRequest
from comms.services import request_open, request_reply


def contact_of(world):
    with scopes_disabled():
        return type(world.client_contact).objects.select_related("contact__client").get(
            pk=world.client_contact.pk).contact


def open_request(world, *, subject="Когда будет отчёт?", body="Добрый день! Когда ждать отчёт за ноябрь?",
                 kind=ClientRequest.Kind.QUESTION, uploads=None) -> ClientRequest:
    contact = contact_of(world)
    with scope(agency=world.agency):
        return request_open(agency=world.agency, actor=world.client_contact.user, client=contact.client,
                            contact=contact, kind=kind, subject=subject, body=body, uploads=uploads)


def reply(world, thread, *, body="Отчёт будет в пятницу.", member=None):
    member = member or world.am
    with scope(agency=world.agency):
        return request_reply(agency=world.agency, actor=member.user, thread=thread, body=body)
