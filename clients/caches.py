"""Cached CRM figures, per agency version and visibility (`mrm.core.versioned_cache`): the deals kanban's column
totals (count, sum and weighted sum per stage and currency, per pipeline and filters) and its rendered columns, the
KAM portfolio page and the agency's lookups (custom field definitions, industries, tags).

At 30,000 clients an AM's board sums ten thousand deals (35 ms of SQL on every view) and the portfolio counts and
sorts every client the member sees (45 ms), for figures that change only when a deal, a client (its owner decides
who sees it), a team, a stage (its probability) or an account plan changes. Those rows announce themselves here
(`connect`, from `ClientsConfig.ready`); the import, which writes with `bulk_create`, calls `crm_changed` itself.
The TTL bounds what no write announces: a closed deal leaving the board 90 days after it closed.
"""
import zlib
from collections.abc import Callable
from typing import TypeVar

from django.utils.safestring import SafeString, mark_safe

from mrm.core.versioned_cache import VersionedCache, visibility_key, watch_writes

T = TypeVar("T")
BOARD_SUMS = VersionedCache(namespace="clients:board-sums", ttl=300)
PORTFOLIO = VersionedCache(namespace="clients:portfolio", ttl=300)
# The agency's short lists that every list page and client page reads (custom field definitions, industries in
# use, tags): a query each on every request, for rows that change a few times a day.
LOOKUPS = VersionedCache(namespace="clients:lookups", ttl=3600)
TEAMS = ("clients.Client.team",)  # who sees a client's deals and plan


def crm_changed(*, agency_id: int) -> None:
    """A bulk write (the import): every cached CRM figure of the agency is computed again."""
    BOARD_SUMS.changed(agency_id=agency_id)
    PORTFOLIO.changed(agency_id=agency_id)
    LOOKUPS.changed(agency_id=agency_id)


def cached_lookup(*, agency_id: int, name: str, compute: Callable[[], T]) -> T:
    return LOOKUPS.get_or_compute(agency_id=agency_id, parts=(name,), compute=compute)


def _cached_html(box: VersionedCache, *, agency_id: int, parts: tuple,
                 render: Callable[[], tuple[str, T]]) -> tuple[SafeString, T]:
    """The HTML `render()` returns, and what it returns beside it, from `box` under `parts`: stored compressed (the
    cache shares Redis with the broker) and keyed by the release's code too (`code_version`: a deploy never serves
    the previous release's HTML)."""
    from .block_cache import code_version

    def compute() -> tuple[bytes, T]:
        html, beside = render()
        return zlib.compress(html.encode(), 1), beside

    stored, beside = box.get_or_compute(agency_id=agency_id, parts=(*parts, "html", code_version()), compute=compute)
    return mark_safe(zlib.decompress(stored).decode()), beside  # noqa: S308 (our templates' autoescaped output)


def cached_portfolio_html(*, membership, parts: tuple, render: Callable[[], str]) -> SafeString:
    """The portfolio page's content as `render()` returns it (the KAM grid and what it counted), until the
    agency's clients, plans or teams change: caching the grid alone still cost 20 ms of rendering its 200 chips
    on every view. `parts`: what the HTML depends on besides those rows (the language, whether the member may
    edit plans)."""
    html, _nothing = _cached_html(PORTFOLIO, agency_id=membership.agency_id,
                                  parts=(visibility_key(membership), *parts), render=lambda: (render(), None))
    return html


def _board_parts(*, membership, pipeline_id, filters: dict, user) -> tuple:
    plain = tuple(sorted((key, str(getattr(value, "pk", value))) for key, value in filters.items()))
    return visibility_key(membership), str(pipeline_id), plain, getattr(user, "pk", None)


def cached_board_sums(*, membership, pipeline_id, filters: dict, user, compute: Callable[[], T]) -> T:
    parts = _board_parts(membership=membership, pipeline_id=pipeline_id, filters=filters, user=user)
    return BOARD_SUMS.get_or_compute(agency_id=membership.agency_id, parts=parts, compute=compute)


def cached_board_html(*, membership, pipeline_id, filters: dict, user, parts: tuple,
                      render: Callable[[], tuple[str, T]]) -> tuple[SafeString, T]:
    """The deals board's columns and first cards as `render()` returns them, with what the page needs beside
    them (the stages a card can move to), until the writes that change the sums change them too (deals, clients,
    stages, pipelines, teams; a user's name or photo, `_watch_people`): the cards' template was two thirds of the
    board's time. `parts`: what else the HTML depends on (the language, the member's day, the board's URL,
    whether the member may move cards)."""
    key = (*_board_parts(membership=membership, pipeline_id=pipeline_id, filters=filters, user=user), *parts)
    return _cached_html(BOARD_SUMS, agency_id=membership.agency_id, parts=key, render=render)


def connect() -> None:
    watch_writes(BOARD_SUMS.changed, labels=("clients.Deal", "clients.Client", "clients.PipelineStage",
                                             "clients.Pipeline"), relations=TEAMS, uid="clients-board-sums")
    watch_writes(PORTFOLIO.changed, labels=("clients.Client", "clients.AccountPlan"), relations=TEAMS,
                 uid="clients-portfolio")
    watch_writes(LOOKUPS.changed, labels=("clients.CustomField", "clients.Client", "clients.Tag", "clients.SavedView",
                                          "clients.SavedViewDefault", "tenancy.Membership"), uid="clients-lookups")
    _watch_people()


def _watch_people() -> None:
    """A user's name or photo shows in the agency's lookups (the owner filter, a view's author) and on the board's
    cards: a save of the user (who belongs to no agency) recomputes them in each agency the user is a member of."""
    from django.contrib.auth import get_user_model
    from django.db.models.signals import post_save
    from django_scopes import scopes_disabled

    from mrm.tenancy.models import Membership

    def on_user_save(sender, instance, created, update_fields=None, **kwargs) -> None:
        if created or (update_fields and set(update_fields) <= {"last_login"}):
            return  # a new user is in no agency yet; a login changes nothing shown
        with scopes_disabled():
            agency_ids = list(Membership.objects.filter(user=instance).values_list("agency_id", flat=True))
        for agency_id in agency_ids:
            LOOKUPS.changed(agency_id=agency_id)
            BOARD_SUMS.changed(agency_id=agency_id)  # the board's cards show their owners

    post_save.connect(on_user_save, sender=get_user_model(), weak=False, dispatch_uid="clients-lookups-user")


def cached_staff(*, agency, roles) -> list:
    """`staff_list` of the agency for `roles` (the owner filter of the lists), with their users."""
    from mrm.tenancy.selectors import staff_list

    return cached_lookup(agency_id=agency.pk, name=f"staff:{','.join(sorted(roles))}",
                         compute=lambda: list(staff_list(agency=agency, roles=roles)))
