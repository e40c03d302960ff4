"""The deals board's card fields (clients.views.deal_cards), computed once per board instead of per card in the
template: the same text the template's filters gave."""
from datetime import timedelta

import pytest
from django.utils import timezone, translation

from clients.views.deal_cards import REASON_CHARS, with_card_fields
from tests.factories import ClientFactory, DealFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_card_shows_its_amount_kind_close_date_reason_and_owner(alice_world):
    owner = UserFactory(full_name="Анна Петрова")
    client = ClientFactory(agency=alice_world.agency, owner=alice_world.am.user)
    yesterday = timezone.localdate() - timedelta(days=1)
    late = DealFactory(client=client, owner=owner, amount=1250000, currency="RUB", kind="upsell",
                       expected_close_date=yesterday, lost_reason="Выбрали собственную команду " * 3)
    plain = DealFactory(client=client, owner=None, expected_close_date=None)
    with translation.override("ru"):
        with_card_fields([late, plain], board_url="/clients/deals/?owner=me")
    assert late.open_url == f"/clients/deals/{late.pk}/?next=/clients/deals/%3Fowner%3Dme"
    assert late.client_url == f"/clients/{client.pk}/"
    assert late.amount_label == "1\u202f250\u202f000\u00a0₽"
    assert late.kind_label == late.get_kind_display()
    assert late.close_overdue and late.close_label.startswith(str(yesterday.day))
    assert len(late.reason_label) == REASON_CHARS and late.reason_label.endswith("…")
    assert (late.owner_name, late.owner_initials, late.owner_photo_url) == ("Анна Петрова", "АП", "")
    assert (plain.close_label, plain.close_overdue, plain.reason_label, plain.owner_name) == ("", False, "", "")
