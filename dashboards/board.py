"""The tiles of the KPI dashboard, the per-AM table and a client's figures, assembled from `selectors` (SQL
counts and sums) and `kpis` (the definitions). A board costs one query per KPI plus one for the targets."""
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from clients.models import Client
from mrm.tenancy.models import Agency, KpiMetric, Membership

from . import kpis, rollups, selectors
from .figures_cache import cached_figures
from .periods import Period, shift_year

RETENTION, NPS, REVENUE, UPSELL, RESPONSE, REPORTS = "retention", "nps", "revenue", "upsell", "response", "reports"
METRICS = (RETENTION, NPS, REVENUE, UPSELL, RESPONSE, REPORTS)
TITLES = {RETENTION: _("Client retention"), NPS: _("NPS"), REVENUE: _("Revenue per client"),
          UPSELL: _("Upsell rate"), RESPONSE: _("Response time"), REPORTS: _("Report quality")}
TARGET_METRIC = {RETENTION: KpiMetric.RETENTION, NPS: KpiMetric.NPS, REVENUE: KpiMetric.REVENUE_GROWTH,
                 UPSELL: KpiMetric.UPSELL, RESPONSE: KpiMetric.RESPONSE_HOURS, REPORTS: KpiMetric.REPORT_QUALITY}


@dataclass
class Tile:
    metric: str
    title: str
    unit: str  # "%", "pts", "h", "1–5" or a currency code
    value: Decimal | None
    previous: Decimal | None
    target: Decimal | None
    status: str
    higher_is_better: bool = True
    # What the status compares with the target when it is not `value` (revenue: the growth year over year).
    judged: Decimal | None = None
    trend: list[tuple[str, Decimal | None]] = field(default_factory=list)
    facts: dict = field(default_factory=dict)

    @property
    def delta(self) -> Decimal | None:
        return kpis.delta(current=self.value, previous=self.previous)

    @property
    def improved(self) -> bool | None:
        change = self.delta
        if not change:
            return None
        return (change > 0) == self.higher_is_better


def _row(rows: list[dict] | None, key=None) -> dict:
    for row in rows or []:
        if row.get("am", None) == key:
            return row
    return {}


def _revenue_rows(rows: list[dict], am=None) -> list[dict]:
    return [row for row in rows if row.get("am", None) == am]


def _currency_totals(rows: list[dict], i: int) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = {}
    for row in rows:
        if row.get(f"paid_{i}"):
            totals[row["currency"]] = totals.get(row["currency"], Decimal(0)) + row[f"paid_{i}"]
    return totals


@dataclass
class Figures:
    """All KPI values of one set of clients for windows 0…n-1 (and, at index `ago`, a year before window `current`)."""

    retention: dict
    nps: dict
    revenue: list[dict]
    upsell: dict
    response: dict
    reports: dict


def _values(f: Figures, i: int, *, currency: str) -> dict:
    r, n, u, s = f.retention, f.nps, f.upsell, f.response
    active = r.get(f"active_{i}") or 0
    revenue = kpis.revenue_per_client(totals=_currency_totals(f.revenue, i), active_clients=active, currency=currency)
    rating = kpis.report_rating(total=f.reports.get(f"rating_sum_{i}"), count=f.reports.get(f"rating_count_{i}") or 0)
    return {
        RETENTION: kpis.retention_rate(active_at_start=r.get(f"start_{i}") or 0, retained=r.get(f"kept_{i}") or 0),
        NPS: kpis.nps_score(promoters=n.get(f"promoters_{i}") or 0, passives=n.get(f"passives_{i}") or 0,
                            detractors=n.get(f"detractors_{i}") or 0),
        REVENUE: revenue.per_client, "revenue_obj": revenue,
        UPSELL: kpis.upsell_rate(upsold_clients=u.get(f"upsold_{i}") or 0, active_clients=active),
        RESPONSE: kpis.minutes_to_hours(s.get(f"median_{i}")),
        REPORTS: rating,
        "active": active,
    }


def _tiles(f: Figures, windows: list[Period], *, ago: int, currency: str, target) -> list[Tile]:
    cur, prev = len(windows) - 1, len(windows) - 2
    now = _values(f, cur, currency=currency)
    before = _values(f, prev, currency=currency) if prev >= 0 else {}
    year_ago = _values(f, ago, currency=currency)
    r, n, s = f.retention, f.nps, f.response
    trend = {m: [(w.short_label, _values(f, i, currency=currency)[m]) for i, w in enumerate(windows)]
             for m in METRICS} if len(windows) > 2 else {m: [] for m in METRICS}
    revenue_growth = kpis.growth(current=now[REVENUE], previous=year_ago[REVENUE])
    tiles = [
        Tile(RETENTION, TITLES[RETENTION], "%", now[RETENTION], before.get(RETENTION), target(RETENTION), "",
             facts={"active_at_start": r.get(f"start_{cur}") or 0, "retained": r.get(f"kept_{cur}") or 0,
                    "churned": r.get(f"churned_{cur}") or 0}),
        Tile(NPS, TITLES[NPS], "pts", now[NPS], before.get(NPS), target(NPS), "",
             facts={"promoters": n.get(f"promoters_{cur}") or 0, "passives": n.get(f"passives_{cur}") or 0,
                    "detractors": n.get(f"detractors_{cur}") or 0}),
        Tile(REVENUE, TITLES[REVENUE], currency, now[REVENUE], before.get(REVENUE), target(REVENUE), "",
             judged=revenue_growth,
             facts={"growth": revenue_growth, "total": now["revenue_obj"].total, "other": now["revenue_obj"].other,
                    "active": now["active"], "year_ago": year_ago[REVENUE]}),
        Tile(UPSELL, TITLES[UPSELL], "%", now[UPSELL], before.get(UPSELL), target(UPSELL), "",
             facts={"upsold": f.upsell.get(f"upsold_{cur}") or 0, "active": now["active"]}),
        Tile(RESPONSE, TITLES[RESPONSE], "h", now[RESPONSE], before.get(RESPONSE), target(RESPONSE), "",
             higher_is_better=False,
             facts={"answered": s.get(f"answered_{cur}") or 0, "p90": kpis.minutes_to_hours(s.get(f"p90_{cur}")),
                    "within": kpis.share_within(within=s.get(f"within_{cur}") or 0,
                                                measured=s.get(f"measured_{cur}") or 0)}),
        Tile(REPORTS, TITLES[REPORTS], "1–5", now[REPORTS], before.get(REPORTS), target(REPORTS), "",
             facts={"count": f.reports.get(f"rating_count_{cur}") or 0}),
    ]
    for tile in tiles:
        tile.trend = trend[tile.metric]
        judged = tile.judged if tile.metric == REVENUE else tile.value
        tile.status = kpis.status(value=judged, target=tile.target, higher_is_better=tile.higher_is_better)
    return tiles


def _figures(*, agency: Agency, membership: Membership, windows: list[Period], client: Client | None = None,
             by_am_on=None) -> tuple[list, ...]:
    """The six selectors' rows for `windows`, through the figures cache (dashboards.figures_cache)."""
    question = ("board", tuple((w.kind, w.start, w.end) for w in windows), client.pk if client else None, by_am_on)
    return cached_figures(agency_id=agency.pk, membership=membership, question=question,
                          compute=lambda: _figures_now(agency=agency, membership=membership, windows=windows,
                                                       client=client, by_am_on=by_am_on))


def _targets(*, agency: Agency, membership: Membership, client: Client | None = None) -> list:
    """The targets that could apply, cached beside the figures (a saved or deleted target replaces the version)."""
    return cached_figures(agency_id=agency.pk, membership=membership, question=("targets", client.pk if client else None),
                          compute=lambda: selectors.kpi_targets(agency=agency, client=client))


def _figures_now(*, agency: Agency, membership: Membership, windows: list[Period], client: Client | None,
                 by_am_on) -> tuple[list, ...]:
    plain = selectors.clients_q(membership=membership, client=client)
    nested = selectors.clients_q(membership=membership, client=client, prefix="client__")
    args = {"agency": agency, "windows": windows, "by_am_on": by_am_on}
    if membership.is_director and client is None and by_am_on is None and rollups.rollup_ready(agency=agency):
        nps, revenue = rollups.rollup_counts(agency=agency, windows=windows)  # the daily rollup (dashboards.rollups)
    else:
        nps, revenue = selectors.nps_counts(q=nested, **args), selectors.revenue_sums(q=nested, **args)
    return (selectors.retention_counts(q=plain, **args), nps, revenue, selectors.upsell_counts(q=nested, **args),
            selectors.response_stats(q=nested, **args),
            selectors.report_rating_sums(q=selectors.clients_q(membership=membership, client=client,
                                                               prefix=selectors.RATED_CLIENT), **args))


def _windows(period: Period, *, trend: bool) -> tuple[list[Period], int]:
    """The shown windows (oldest first, `period` last) and, at the returned index, the year-ago window. While
    `period` is still running, the year-ago window stops at the same date, so growth compares like with like."""
    from django.utils import timezone

    windows = period.trend() if trend else [period.previous(), period]
    ago = period.year_ago()
    tomorrow = timezone.localdate() + timedelta(days=1)
    if period.start < tomorrow < period.end:
        ago = Period(ago.kind, ago.start, max(ago.start + timedelta(days=1), shift_year(tomorrow, -1)))
    return [*windows, ago], len(windows)


def kpi_board(*, agency: Agency, membership: Membership, period: Period, client: Client | None = None,
              trend: bool = True) -> list[Tile]:
    """The six tiles for `period`: value, previous period, target and status, trend, the counts behind them."""
    windows, ago = _windows(period, trend=trend)
    rows = _figures(agency=agency, membership=membership, windows=windows, client=client)
    figures = _pick(rows, None)
    targets = _targets(agency=agency, membership=membership, client=client)
    on = period.last_day
    am_id = client.owner_id if client else (membership.user_id if not membership.is_director else None)

    def target(metric: str):
        return selectors.pick_target(targets, metric=TARGET_METRIC[metric], on=on, am_id=am_id,
                                     client_id=client.pk if client else None)

    return _tiles(figures, windows[:ago], ago=ago, currency=agency.currency, target=target)


def _pick(rows: tuple[list, ...], am) -> Figures:
    """One AM's (or, with am=None ungrouped, everyone's) rows of the six selectors."""
    return Figures(_row(rows[0], am), _row(rows[1], am), _revenue_rows(rows[2], am), _row(rows[3], am),
                   _row(rows[4], am), _row(rows[5], am))


@dataclass
class TeamRow:
    am_id: object
    name: str
    tiles: dict[str, Tile]

    def sort_value(self, metric: str):
        tile = self.tiles[metric]
        return tile.value


def kpi_team(*, agency: Agency, membership: Membership, period: Period) -> list[TeamRow]:
    """The KPIs per AM (the owner at the period's end) for `period`, against the previous period and targets."""
    windows, ago = _windows(period, trend=False)
    rows = _figures(agency=agency, membership=membership, windows=windows, by_am_on=period.end)
    am_ids = {row.get("am") for group in rows if group for row in group}
    if not membership.is_director:
        am_ids &= {membership.user_id}
    names = {row["am"]: row["am_name"] for row in rows[0] if row.get("am")}
    targets = _targets(agency=agency, membership=membership)
    on = period.last_day
    team = []
    for am in am_ids:
        figures = _pick(rows, am)

        def target(metric: str, am=am):
            return selectors.pick_target(targets, metric=TARGET_METRIC[metric], on=on, am_id=am)

        tiles = _tiles(figures, windows[:ago], ago=ago, currency=agency.currency, target=target)
        team.append(TeamRow(am, names.get(am, str(_("No account manager"))) if am else str(_("No account manager")),
                            {t.metric: t for t in tiles}))
    return sorted(team, key=lambda row: row.name.lower())
