"""What the portfolio page, its exports and the API read: one `portfolio_page` call, answered from the rollup
(`ClientEconomics`, in SQL: the page's rows sorted and cut in PostgreSQL, totals, workload and concentration grouped
by AM, the quadrant's largest bubbles — four queries over ~40,000 narrow rows at 10,000 clients) when it was built
and the period is whole months, else live (`portfolio_sql`, merged in Python). Both paths answer the same objects
with the same figures (tests/dashboards/test_portfolio_rollup.py); the SQL below repeats the formulas of
`dashboards.portfolio` and that test holds them equal."""
import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from math import ceil
from uuid import UUID

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from clients.models import AccountPlan, Client
from mrm.tenancy.models import Agency, Membership

from . import portfolio as pf
from . import portfolio_board as board
from .figures_cache import cached_figures
from .models import ClientEconomics
from .periods import Period
from .portfolio_chart import MAX_BUBBLES, Bubble
from .portfolio_rollup import built_at
from .portfolio_sql import agency_retention, hourly_cost, portfolio_data
from .retention import _table
from .selectors import clients_q

ORDER_SQL = {"name": "lower(name)", "revenue": "rev_p", "profit": "profit_p", "hidden": "hidden_p", "ltv": "ltv",
             "tenure": "tenure", "revenue_to_date": "rev_a"}
SPANS = ("a", "p")  # lifetime, period
CAUSES = ("unpl", "revi", "urge")
MAX_PAGE = 100_000


@dataclass
class PortfolioPage:
    rows: list[pf.ClientEconomics]
    count: int
    page: int
    pages: int
    totals: pf.Totals
    concentration: pf.Concentration
    workload: list[pf.AmLoad]
    quadrant: board.Quadrant
    hourly_cost: Decimal
    hourly_from_setting: bool
    retention: Decimal | None
    lifetime_months: Decimal | None
    built_at: datetime | None  # None: computed live


def _whole_months(period: Period) -> bool:
    return period.start.day == 1 and period.end.day == 1


def portfolio_page(*, agency: Agency, membership: Membership, period: Period, today: date | None = None,
                   search: str = "", loss_only: bool = False, sort: str = "revenue", descending: bool = True,
                   page: int = 1, per_page: int = 50, everything: bool = False) -> PortfolioPage:
    """The page's figures; `everything`: every matching row on one page (the exports). Through the figures cache
    (dashboards.figures_cache), except the exports, which are rare and may be large."""
    today = today or timezone.localdate()
    search = search.replace("\x00", "")[:100]  # PostgreSQL refuses NUL in a string parameter
    page = min(max(page, 1), MAX_PAGE)
    args = {"agency": agency, "membership": membership, "period": period, "today": today, "search": search,
            "loss_only": loss_only, "sort": sort, "descending": descending, "page": page, "per_page": per_page}
    if everything:
        return _portfolio_now(**args, everything=True)
    question = ("portfolio", period.kind, period.start, period.end, today, search, loss_only, sort, descending, page,
                per_page)
    return cached_figures(agency_id=agency.pk, membership=membership, question=question,
                          compute=lambda: _portfolio_now(**args, everything=False))


def _portfolio_now(*, agency: Agency, membership: Membership, period: Period, today: date, search: str,
                   loss_only: bool, sort: str, descending: bool, page: int, per_page: int, everything: bool
                   ) -> PortfolioPage:
    built = built_at(agency=agency) if _whole_months(period) else None
    if built is None:
        return _live(agency=agency, membership=membership, period=period, today=today, search=search,
                     loss_only=loss_only, sort=sort, descending=descending, page=page, per_page=per_page,
                     everything=everything)
    cost, from_setting = hourly_cost(agency=agency, rollup=True)
    retention = agency_retention(agency=agency, today=today)
    lifetime = pf.expected_lifetime_months(retention=retention)
    common = {"hourly_cost": cost, "hourly_from_setting": from_setting, "retention": retention,
              "lifetime_months": lifetime}
    return _Rollup(agency=agency, membership=membership, period=period, today=today, hourly=cost,
                   lifetime=lifetime).page(search=search, loss_only=loss_only, sort=sort, descending=descending,
                                           page=page, per_page=per_page, everything=everything, common=common,
                                           built=built)


def _concentration(agency: Agency, revenues) -> pf.Concentration:
    return pf.concentration(revenues=revenues, warn_share=agency.concentration_warning_share,
                            warn_hhi=agency.concentration_warning_hhi)


def _live(*, agency, membership, period, today, search, loss_only, sort, descending, page, per_page, everything
          ) -> PortfolioPage:
    data = portfolio_data(agency=agency, membership=membership, period=period, today=today)
    common = {"hourly_cost": data.hourly_cost, "hourly_from_setting": data.hourly_from_setting,
              "retention": data.retention, "lifetime_months": data.lifetime_months}
    rows = board.client_table(data.rows, search=search, loss_only=loss_only, sort=sort, descending=descending)
    size = max(len(rows), 1) if everything else per_page
    pages = max(ceil(len(rows) / size), 1)
    page = min(max(page, 1), pages)
    return PortfolioPage(rows=rows[(page - 1) * size:page * size], count=len(rows), page=page, pages=pages,
                         totals=pf.totals(data.rows),
                         concentration=_concentration(agency, [r.period.revenue for r in data.rows]),
                         workload=pf.workload(data.rows), quadrant=board.quadrant(data), built_at=None, **common)


class _Rollup:
    def __init__(self, *, agency: Agency, membership: Membership, period: Period, today: date, hourly: Decimal,
                 lifetime: Decimal | None) -> None:
        self.agency = agency
        vis_sql, vis_params = (Client.objects.filter(agency=agency).filter(clients_q(membership=membership))
                               .exclude(status=Client.Status.LEAD).order_by()
                               .values("id", "name", "status", "owner_id").query.sql_with_params())
        rollup, user, plan = _table(ClientEconomics), _table(get_user_model()), _table(AccountPlan)
        hidden = {s: " + ".join(f"{c}_{s}" for c in (*CAUSES, "extra")) for s in SPANS}
        money = {s: ", ".join(f"ROUND(COALESCE({src}.{m}_minutes, 0) * %s / 60.0, 2) AS {c}_{s}"
                              for c, m in zip(CAUSES, ("unplanned", "revisions", "urgent"), strict=True))
                 for s, src in (("a", "l"), ("p", "m"))}
        sums = {s: ", ".join(f"ROUND(COALESCE({src}.{col}, 0), 2) AS {alias}_{s}" for col, alias in (
            ("revenue", "rev"), ("team_cost", "team"), ("extra_work", "extra"))) + f", COALESCE({src}.hours, 0) AS hrs_{s}"
            for s, src in (("a", "l"), ("p", "m"))}
        self.cte = (
            f"WITH vis AS ({vis_sql}), "
            f"m AS (SELECT client_id, SUM(revenue) AS revenue, SUM(team_cost) AS team_cost, "
            f"SUM(extra_work) AS extra_work, SUM(hours) AS hours, SUM(unplanned_minutes) AS unplanned_minutes, "
            f"SUM(revisions_minutes) AS revisions_minutes, SUM(urgent_minutes) AS urgent_minutes FROM {rollup} "
            f"WHERE agency_id = %s AND currency = %s AND month >= %s AND month < %s GROUP BY client_id), "
            f"f AS (SELECT v.id, v.name, v.status, v.owner_id, COALESCE(NULLIF(u.full_name, ''), u.email, '') AS "
            f"owner_name, pl.attractiveness, pl.relationship_strength, COALESCE(pl.quadrant, '') AS quadrant, "
            f"l.began, CASE WHEN v.status = 'churned' THEN l.churned_on END AS ended, {sums['a']}, {sums['p']}, "
            f"{money['a']}, {money['p']} FROM vis v "
            f"LEFT JOIN {rollup} l ON l.agency_id = %s AND l.client_id = v.id AND l.month IS NULL "
            f"LEFT JOIN m ON m.client_id = v.id LEFT JOIN {user} u ON u.id = v.owner_id "
            f"LEFT JOIN {plan} pl ON pl.client_id = v.id), "
            f"t AS (SELECT f.*, {hidden['a']} AS hidden_a, {hidden['p']} AS hidden_p, "
            f"rev_a - team_a - ({hidden['a']}) AS profit_a, rev_p - team_p - ({hidden['p']}) AS profit_p, "
            f"CASE WHEN began IS NULL THEN NULL ELSE ROUND(GREATEST(LEAST(COALESCE(ended, %s), %s) - began, 0) "
            f"/ 30.4375, 1) END AS tenure FROM f), "
            f"x AS (SELECT t.*, CASE WHEN tenure IS NULL THEN NULL ELSE ROUND(profit_a / GREATEST(tenure, 1), 2) END "
            f"AS margin FROM t), "
            f"y AS (SELECT x.*, CASE WHEN status = 'churned' THEN 0 WHEN margin IS NULL OR %s::numeric IS NULL "
            f"THEN NULL ELSE ROUND(margin * %s::numeric, 2) END AS ltv FROM x) ")
        self.params = [*vis_params, agency.pk, agency.currency, period.start, period.end, *[hourly] * 6, agency.pk,
                       today, today, lifetime, lifetime]
        self.other_sql = (f"WITH vis AS ({vis_sql}) SELECT client_id, currency, SUM(revenue) FROM {rollup} WHERE "
                          f"agency_id = %s AND month >= %s AND month < %s AND currency <> %s AND client_id IN "
                          f"(SELECT id FROM vis) GROUP BY 1, 2 ORDER BY 2")
        self.other_params = [*vis_params, agency.pk, period.start, period.end, agency.currency]

    def _parts(self, *, match: str, params: list, order: str, size: int, offset: int) -> tuple[list, list, list]:
        """(per-AM groups, the page's rows, the quadrant's bubbles) in one statement, so PostgreSQL computes `y`
        once (a CTE referenced three times is materialised once). Numbers travel as JSON text parsed to Decimal."""
        groups = ("SELECT owner_id, MAX(owner_name) AS owner_name, COUNT(*) AS clients, "
                  + ", ".join(f"SUM({c}) AS {c}" for c in (
                      "rev_p", "team_p", "unpl_p", "revi_p", "urge_p", "extra_p", "hrs_p", "rev_a", "team_a",
                      "unpl_a", "revi_a", "urge_a", "extra_a", "hrs_a", "profit_p"))
                  + ", COALESCE(SUM(ltv), 0) AS ltv, COUNT(*) FILTER (WHERE profit_p < 0) AS losses, "
                  f"COUNT(*) FILTER (WHERE {match}) AS matched, COUNT(*) FILTER (WHERE status <> 'churned') AS live, "
                  "COUNT(*) FILTER (WHERE status <> 'churned' AND quadrant <> '') AS scored, "
                  "array_agg(rev_p) FILTER (WHERE rev_p > 0) AS revenues FROM y GROUP BY owner_id")
        rows = f"SELECT * FROM y WHERE {match} ORDER BY {order}, lower(name), id LIMIT %s OFFSET %s"
        quadrant = ("SELECT name, attractiveness, relationship_strength, quadrant, rev_p, profit_p < 0 AS loss FROM y "
                    "WHERE status <> 'churned' AND quadrant <> '' ORDER BY rev_p DESC, name LIMIT %s")
        sql = (f"SELECT (SELECT json_agg(g)::text FROM ({groups}) g), "
               f"(SELECT json_agg(r ORDER BY {order}, lower(name), id)::text FROM ({rows}) r), "
               f"(SELECT json_agg(q ORDER BY rev_p DESC, name)::text FROM ({quadrant}) q)")
        with connection.cursor() as cursor:
            cursor.execute(self.cte + sql, [*self.params, *params, *params, size, offset, MAX_BUBBLES])
            texts = cursor.fetchone()
        return tuple(json.loads(text, parse_float=Decimal) if text else [] for text in texts)

    def page(self, *, search, loss_only, sort, descending, page, per_page, everything, common, built):
        where, params = ["TRUE"], []
        if search.strip():
            where.append("strpos(lower(name), %s) > 0")
            params.append(search.strip().lower())
        if loss_only:
            where.append("profit_p < 0")
        match = " AND ".join(where)
        order = f"{ORDER_SQL.get(sort, 'rev_p')} {'DESC' if descending else 'ASC'} NULLS LAST"
        size = 1_000_000 if everything else per_page
        page = max(page, 1)
        groups, rows, bubbles = self._parts(match=match, params=params, order=order, size=size,
                                            offset=(page - 1) * size)
        count = sum(g["matched"] for g in groups)
        size = max(count, 1) if everything else per_page
        pages = max(ceil(count / size), 1)
        if page > pages:  # past the end: the last page, as Paginator.get_page answers
            page = pages
            groups, rows, bubbles = self._parts(match=match, params=params, order=order, size=size,
                                                offset=(page - 1) * size)
        other = self._other()
        return PortfolioPage(
            rows=[self._row(r, other.get(UUID(r["id"]))) for r in rows], count=count, page=page, pages=pages,
            totals=self._totals(groups, other), workload=[self._load(g) for g in groups],
            concentration=_concentration(self.agency, [v for g in groups for v in (g["revenues"] or [])]),
            quadrant=self._quadrant(groups, bubbles), built_at=built, **common)

    def _other(self) -> dict:
        result: dict = {}
        with connection.cursor() as cursor:
            cursor.execute(self.other_sql, self.other_params)
            for client_id, currency, amount in cursor.fetchall():
                result.setdefault(client_id, {})[currency] = amount
        return result

    @staticmethod
    def _economics(r: dict, s: str) -> pf.Economics:
        return pf.Economics(revenue=r[f"rev_{s}"], team_cost=r[f"team_{s}"], unplanned=r[f"unpl_{s}"],
                            revisions=r[f"revi_{s}"], urgent=r[f"urge_{s}"], extra_work=r[f"extra_{s}"],
                            hours=r[f"hrs_{s}"])

    def _row(self, r: dict, other: dict | None) -> pf.ClientEconomics:
        return pf.ClientEconomics(client_id=UUID(r["id"]), name=r["name"], status=r["status"], owner_id=r["owner_id"],
                                  owner_name=r["owner_name"], period=self._economics(r, "p"),
                                  lifetime=self._economics(r, "a"), tenure=r["tenure"], margin=r["margin"],
                                  ltv=r["ltv"], other_currencies=other or {})

    def _load(self, g: dict) -> pf.AmLoad:
        return pf.AmLoad(g["owner_id"], g["owner_name"], g["clients"], g["rev_p"], g["hrs_p"], g["profit_p"])

    def _totals(self, groups: list[dict], other: dict) -> pf.Totals:
        currencies: dict = {}
        for amounts in other.values():
            for code, amount in amounts.items():
                currencies[code] = currencies.get(code, Decimal(0)) + amount
        return pf.Totals(clients=sum(g["clients"] for g in groups),
                         period=sum((self._economics(g, "p") for g in groups), pf.Economics()),
                         lifetime=sum((self._economics(g, "a") for g in groups), pf.Economics()),
                         ltv=sum((g["ltv"] for g in groups), Decimal(0)), loss_making=sum(g["losses"] for g in groups),
                         other_currencies=dict(sorted(currencies.items())))

    def _quadrant(self, groups: list[dict], rows: list[dict]) -> board.Quadrant:
        labels = dict(AccountPlan.Quadrant.choices)
        scored = sum(g["scored"] for g in groups)
        return board.Quadrant(
            bubbles=[Bubble(r["name"], r["attractiveness"], r["relationship_strength"], r["quadrant"],
                            str(labels.get(r["quadrant"], "")), r["rev_p"], r["loss"]) for r in rows],
            left_out=max(scored - len(rows), 0), unscored=sum(g["live"] for g in groups) - scored)
