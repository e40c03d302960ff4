"""The portfolio page's tables, shared by the HTML view, the exports and the API: search, the loss-making filter,
sorting, the export rows and the quadrant's points, all over the rows `portfolio_sql.portfolio_data` answers."""
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from clients.models import AccountPlan, Client

from . import portfolio as pf
from .portfolio_chart import Bubble, bubbles_to_draw
from .portfolio_sql import PortfolioData

CLIENT_SORTS = {
    "name": lambda r: r.name.casefold(),
    "revenue": lambda r: r.period.revenue,
    "profit": lambda r: r.period.profit,
    "hidden": lambda r: r.period.hidden,
    "ltv": lambda r: r.ltv,
    "tenure": lambda r: r.tenure,
    "revenue_to_date": lambda r: r.lifetime.revenue,
}
WORKLOAD_SORTS = {
    "name": lambda r: r.name.casefold(),
    "clients": lambda r: r.clients,
    "revenue": lambda r: r.revenue,
    "hours": lambda r: r.hours,
    "profit": lambda r: r.profit,
}


def _sorted(rows: Sequence, key, *, descending: bool) -> list:
    """Sorted by `key`, rows without a value (None) last in either direction; name breaks ties."""
    present = [r for r in rows if key(r) is not None]
    missing = [r for r in rows if key(r) is None]
    present.sort(key=lambda r: r.name.casefold())
    present.sort(key=key, reverse=descending)
    return present + missing


def client_table(rows: Sequence[pf.ClientEconomics], *, search: str = "", loss_only: bool = False,
                 sort: str = "revenue", descending: bool = True) -> list[pf.ClientEconomics]:
    """The rows shown: names containing `search` (any case), loss-making ones only if asked, sorted."""
    needle = search.strip().casefold()
    shown = [r for r in rows if (not needle or needle in r.name.casefold()) and (not loss_only or r.loss_making)]
    return _sorted(shown, CLIENT_SORTS.get(sort, CLIENT_SORTS["revenue"]), descending=descending)


def workload_table(loads: Sequence[pf.AmLoad], *, sort: str = "name", descending: bool = False) -> list[pf.AmLoad]:
    return _sorted(loads, WORKLOAD_SORTS.get(sort, WORKLOAD_SORTS["name"]), descending=descending)


def _plain(value):
    return float(value) if isinstance(value, Decimal) else value


def client_header(currency: str) -> list[str]:
    return [_("Client"), _("Status"), _("Account manager"), _("Revenue, %(c)s") % {"c": currency},
            _("Team cost, %(c)s") % {"c": currency}, _("Unplanned calls, %(c)s") % {"c": currency},
            _("Extra revisions, %(c)s") % {"c": currency}, _("Urgent requests, %(c)s") % {"c": currency},
            _("Unpriced extra work, %(c)s") % {"c": currency}, _("Hidden costs, %(c)s") % {"c": currency},
            _("Real profit, %(c)s") % {"c": currency}, _("Costs more than it pays"),
            _("Revenue to date, %(c)s") % {"c": currency}, _("Real profit to date, %(c)s") % {"c": currency},
            _("Tenure, months"), _("Average monthly margin, %(c)s") % {"c": currency},
            _("Projected LTV, %(c)s") % {"c": currency}, _("Paid in other currencies (period)")]


def client_export_row(row: pf.ClientEconomics) -> list:
    p = row.period
    status = dict(Client.Status.choices).get(row.status, row.status)
    other = "; ".join(f"{amount} {code}" for code, amount in sorted(row.other_currencies.items()))
    return [row.name, str(status), row.owner_name, *(_plain(v) for v in (
        p.revenue, p.team_cost, p.unplanned, p.revisions, p.urgent, p.extra_work, p.hidden, p.profit)),
        _("yes") if row.loss_making else _("no"), _plain(row.lifetime.revenue), _plain(row.lifetime.profit),
        _plain(row.tenure), _plain(row.margin), _plain(row.ltv), other]


def workload_header(currency: str) -> list[str]:
    return [_("Account manager"), _("Clients"), _("Revenue, %(c)s") % {"c": currency}, _("Hours on their clients"),
            _("Real profit, %(c)s") % {"c": currency}]


def workload_export_row(load: pf.AmLoad) -> list:
    return [load.name or _("No account manager"), load.clients, _plain(load.revenue), _plain(load.hours),
            _plain(load.profit)]


@dataclass
class Quadrant:
    bubbles: list[Bubble]
    left_out: int
    unscored: int


def quadrant(data: PortfolioData) -> Quadrant:
    """The scored clients of the portfolio as bubbles (capped), and how many have no account-plan scores."""
    labels = dict(AccountPlan.Quadrant.choices)
    points = [Bubble(name=r.name, attractiveness=data.plans[r.client_id].attractiveness,
                     strength=data.plans[r.client_id].strength, quadrant=data.plans[r.client_id].quadrant,
                     quadrant_label=str(labels.get(data.plans[r.client_id].quadrant, "")),
                     revenue=r.period.revenue, loss_making=r.loss_making)
              for r in data.rows if r.client_id in data.plans and r.status != Client.Status.CHURNED]
    drawn, left_out = bubbles_to_draw(points)
    live = sum(1 for r in data.rows if r.status != Client.Status.CHURNED)
    return Quadrant(bubbles=drawn, left_out=left_out, unscored=live - len(points))
