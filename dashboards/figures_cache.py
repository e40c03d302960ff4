"""The assembled figures of the KPI board and the portfolio page, cached per agency, visibility and question.

At 10,000 clients a board costs 100–650 ms of SQL and a portfolio page 200 ms; ten directors opening them at
once would queue behind each other. The figures are cached under the agency's figures version
(`mrm.core.versioned_cache`), which every write that can move a figure replaces: the receivers in
`dashboards.signals` (clients, deals, invoices, NPS answers, client requests, report ratings, targets, account
plans, members and teams, the agency's settings), the status, owner and stage history (bulk writers included)
and the end of every rollup rebuild. So a reader never sees figures older than the last such write; the TTL
only bounds what a raw SQL update outside the services could leave behind.
"""
from collections.abc import Callable
from typing import TypeVar

from django.utils import translation

from mrm.core.versioned_cache import VersionedCache, visibility_key
from mrm.tenancy.models import Membership

T = TypeVar("T")
FIGURES = VersionedCache(namespace="dashboards:figures", ttl=300)


def figures_changed(*, agency_id: int) -> None:
    """Something the dashboards count changed in the agency: every cached board and portfolio is recomputed."""
    FIGURES.changed(agency_id=agency_id)


def cached_figures(*, agency_id: int, membership: Membership, question: tuple, compute: Callable[[], T]) -> T:
    """`compute()` for `question` as `membership` sees it (in the active language: labels are computed too)."""
    parts = (visibility_key(membership), translation.get_language(), *question)
    return FIGURES.get_or_compute(agency_id=agency_id, parts=parts, compute=compute)
