"""Cached CRM figures, per agency version and visibility (`mrm.core.versioned_cache`): the deals kanban's column
totals (count, sum and weighted sum per stage and currency, per pipeline and filters), the KAM portfolio page and
the agency's lookups (custom field definitions, industries, tags).

At 30,000 clients an AM's board sums ten thousand deals (35 ms of SQL on every view) and the portfolio counts and
sorts every client the member sees (45 ms), for figures that change only when a deal, a client (its owner decides
who sees it), a team, a stage (its probability) or an account plan changes. Those rows announce themselves here
(`connect`, from `ClientsConfig.ready`); the import, which writes with `bulk_create`, calls `crm_changed` itself.
The TTL bounds what no write announces: a closed deal leaving the board 90 days after it closed, a renamed user.
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


def cached_portfolio_html(*, membership, parts: tuple, render: Callable[[], str]) -> SafeString:
    """The portfolio page's content as `render()` returns it (the KAM grid and what it counted), until the
    agency's clients, plans or teams change: caching the grid alone still cost 20 ms of rendering its 200 chips
    on every view. `parts`: what the HTML depends on besides those rows (the language, whether the member may
    edit plans). Stored compressed (the cache shares Redis with the broker); a new release starts with new keys
    (`code_version`)."""
    from .block_cache import code_version

    stored = PORTFOLIO.get_or_compute(
        agency_id=membership.agency_id, parts=(visibility_key(membership), "html", *parts, code_version()),
        compute=lambda: zlib.compress(render().encode(), 1))
    return mark_safe(zlib.decompress(stored).decode())  # noqa: S308 (our template's autoescaped output)


def cached_board_sums(*, membership, pipeline_id, filters: dict, user, compute: Callable[[], T]) -> T:
    plain = tuple(sorted((key, str(getattr(value, "pk", value))) for key, value in filters.items()))
    parts = (visibility_key(membership), str(pipeline_id), plain, getattr(user, "pk", None))
    return BOARD_SUMS.get_or_compute(agency_id=membership.agency_id, parts=parts, compute=compute)


def connect() -> None:
    watch_writes(BOARD_SUMS.changed, labels=("clients.Deal", "clients.Client", "clients.PipelineStage",
                                             "clients.Pipeline"), relations=TEAMS, uid="clients-board-sums")
    watch_writes(PORTFOLIO.changed, labels=("clients.Client", "clients.AccountPlan"), relations=TEAMS,
                 uid="clients-portfolio")
    watch_writes(LOOKUPS.changed, labels=("clients.CustomField", "clients.Client", "clients.Tag", "clients.SavedView",
                                          "clients.SavedViewDefault", "tenancy.Membership"), uid="clients-lookups")
    _watch_people()


def _watch_people() -> None:
    """A user's name or photo shows in the agency's lookups (the owner filter, a view's author): a save of the
    user (who belongs to no agency) recomputes them in each agency the user is a member of."""
    from django.contrib.auth import get_user_model
    from django.db.models.signals import post_save
    from django_scopes import scopes_disabled

    from mrm.tenancy.models import Membership

    def on_user_save(sender, instance, created, **kwargs) -> None:
        if created:
            return
        with scopes_disabled():
            agency_ids = list(Membership.objects.filter(user=instance).values_list("agency_id", flat=True))
        for agency_id in agency_ids:
            LOOKUPS.changed(agency_id=agency_id)

    post_save.connect(on_user_save, sender=get_user_model(), weak=False, dispatch_uid="clients-lookups-user")


def cached_staff(*, agency, roles) -> list:
    """`staff_list` of the agency for `roles` (the owner filter of the lists), with their users."""
    from mrm.tenancy.selectors import staff_list

    return cached_lookup(agency_id=agency.pk, name=f"staff:{','.join(sorted(roles))}",
                         compute=lambda: list(staff_list(agency=agency, roles=roles)))
