"""The small builders the hand-counted dashboard fixtures share: a moment at noon in Moscow and a status history."""
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from clients.models import ClientStatusChange

MSK = ZoneInfo("Europe/Moscow")


def at(day: date, hour: int = 12) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=MSK)


def status_history(client, *changes) -> None:
    """`changes`: (day, status) pairs, oldest first; each row records the move from the previous status."""
    previous = ""
    for day, status in changes:
        ClientStatusChange.objects.create(agency=client.agency, client=client, from_status=previous, to_status=status,
                                          changed_at=at(day))
        previous = status
