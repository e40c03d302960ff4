"""What a card of the deals board (`clients/deal_board.html#cards`) shows besides the deal, computed once per
board: its URLs, the amount, kind and expected close date as shown, the lost reason cut short and its owner's
avatar. A board renders about a hundred cards; their filters, `get_kind_display` and the owner's photo lookups were
most of its template time (issue 15)."""
from urllib.parse import quote

from django.utils import dateformat, timezone
from django.utils.text import Truncator

from mrm.core.templatetags.mrm import money
from mrm.core.url_makers import url_maker

from ..models import Deal

REASON_CHARS = 40


def with_card_fields(deals, *, board_url: str) -> None:
    """Sets on each deal: `open_url` (back to `board_url`), `client_url`, `amount_label`, `kind_label`,
    `close_label` and `close_overdue` (the expected close date, "8 Dec", and whether it has passed),
    `reason_label`, and `owner_name`, `owner_initials`, `owner_photo_url` (empty without an owner)."""
    page, client = url_maker("clients:deal_detail"), url_maker("clients:detail")
    back = "?next=" + quote(board_url, safe="/")
    kinds, today = dict(Deal.Kind.choices), timezone.localdate()
    owners: dict = {}
    for deal in deals:
        deal.client_url, deal.open_url = client(deal.client_id), page(deal.pk) + back
        deal.amount_label = money(deal.amount, deal.currency)
        deal.kind_label = kinds.get(deal.kind, deal.kind)
        closes = deal.expected_close_date
        deal.close_label = dateformat.format(closes, "j M") if closes else ""
        deal.close_overdue = bool(closes and closes < today)
        deal.reason_label = Truncator(deal.lost_reason).chars(REASON_CHARS) if deal.lost_reason else ""
        if deal.owner_id not in owners:
            owner = deal.owner
            owners[deal.owner_id] = ("", "", "") if owner is None else (
                owner.full_name, owner.initials, owner.photo.url if owner.photo else "")
        deal.owner_name, deal.owner_initials, deal.owner_photo_url = owners[deal.owner_id]
