"""Until when a rendered fragment stays true by itself, with no row changing: "5 min ago" turns into "6 min ago"
a minute later, an open task turns overdue at its due time.

Code that shows such a thing calls `changes_at(when)` (the `ago` filter does it for every value it formats); a
fragment cache (`clients.block_cache`) renders inside `watch()` and keeps the fragment no longer than the earliest
moment noted. Outside `watch()` the calls cost a context-variable read and do nothing."""
import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.utils import timezone


class Horizon:
    """The earliest moment noted while it was being watched (None: nothing in the fragment depends on the clock)."""

    def __init__(self) -> None:
        self.at: datetime | None = None

    def note(self, when: datetime) -> None:
        if self.at is None or when < self.at:
            self.at = when

    def seconds_left(self, *, cap: int) -> int:
        """Seconds from now until the fragment changes, at most `cap` (0: it already has)."""
        if self.at is None:
            return cap
        return max(0, min(cap, int((self.at - timezone.now()).total_seconds())))


_current: contextvars.ContextVar[Horizon | None] = contextvars.ContextVar("mrm_freshness", default=None)


@contextmanager
def watch() -> Iterator[Horizon]:
    horizon = Horizon()
    token = _current.set(horizon)
    try:
        yield horizon
    finally:
        _current.reset(token)


def changes_at(when: datetime | None) -> None:
    horizon = _current.get()
    if horizon is not None and when is not None:
        horizon.note(when)


def changes_in(seconds: float) -> None:
    if _current.get() is not None:
        changes_at(timezone.now() + timedelta(seconds=seconds))
