"""Client-request services: numbering, the agreed time taken from the interaction agreement, external message ids
stored once per channel (the seam for e-mail and Telegram), domain errors instead of crashes."""
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django_scopes import scope, scopes_disabled

from clients.models import InteractionAgreement
from comms.models import Channel, ClientRequest, Message
from comms.services import request_client_message, request_open, target_minutes
from mrm.core.errors import ServiceError
from tests import factories as f

from .requests_helpers import contact_of, open_request

pytestmark = pytest.mark.django_db


def test_requests_are_numbered_per_agency(alice_world, bob_world):
    first, second = open_request(alice_world), open_request(alice_world)
    assert (first.number, second.number, open_request(bob_world).number) == (1, 2, 1)


def test_target_comes_from_the_agreement_then_the_kpi_target(alice_world):
    client = contact_of(alice_world).client
    with scope(agency=alice_world.agency):
        assert target_minutes(agency=alice_world.agency, client=client) == 120
        InteractionAgreement.objects.create(agency=alice_world.agency, client=client,
                                            response_time_hours=Decimal("1.5"))
        assert target_minutes(agency=alice_world.agency, client=client) == 90


def test_external_message_id_is_stored_once_per_channel(alice_world):
    contact = contact_of(alice_world)
    with scope(agency=alice_world.agency):
        thread = request_open(agency=alice_world.agency, actor=None, client=contact.client, contact=contact,
                              kind="question", subject="Письмо", body="Текст письма", channel=Channel.EMAIL,
                              external_message_id="<abc@mail.example>")
        with pytest.raises(ServiceError):
            request_client_message(agency=alice_world.agency, actor=None, thread=thread, contact=contact,
                                   body="Повтор", channel=Channel.EMAIL, external_message_id="<abc@mail.example>")
        # The same id on another channel is another message.
        request_client_message(agency=alice_world.agency, actor=None, thread=thread, contact=contact,
                               body="Телеграм", channel=Channel.TELEGRAM, external_message_id="<abc@mail.example>")
    with scopes_disabled():
        assert Message.objects.filter(thread=thread).count() == 2
        with pytest.raises(IntegrityError), transaction.atomic():
            f.RequestMessageFactory(thread=thread, channel=Channel.EMAIL, external_message_id="<abc@mail.example>")
        # Messages without an external id are never in conflict.
        f.RequestMessageFactory(thread=thread), f.RequestMessageFactory(thread=thread)


def test_open_refuses_bad_input_with_domain_errors(alice_world):
    contact = contact_of(alice_world)
    with scope(agency=alice_world.agency):
        for kwargs in ({"subject": " "}, {"kind": "other"}, {"body": ""}, {"body": "x" * 10_001}):
            data = {"kind": "question", "subject": "Тема", "body": "Текст", **kwargs}
            with pytest.raises(ServiceError):
                request_open(agency=alice_world.agency, actor=None, client=contact.client, contact=contact, **data)
    with scopes_disabled():
        assert not ClientRequest.objects.filter(agency=alice_world.agency).exists()


def test_demo_seeds_an_open_and_an_answered_request(alice_world):
    from comms.demo import seed_requests

    members = {"client": alice_world.client_contact, "am": alice_world.am}
    with scope(agency=alice_world.agency):
        seed_requests(agency=alice_world.agency, members=members)
        seed_requests(agency=alice_world.agency, members=members)  # again: nothing new
        rows = list(ClientRequest.objects.filter(agency=alice_world.agency).order_by("number"))
    assert [r.status for r in rows] == ["answered", "open"]
    assert rows[0].response_minutes is not None and rows[1].awaiting_since is not None
