"""The portfolio as an investment: the formulas of the portfolio page (`/dashboards/portfolio/`), pure and typed.
The numbers come from `dashboards.portfolio_sql` (one GROUP BY query per source); nothing here touches the database.

- Revenue: paid invoices without VAT (kind "invoice", by the day paid), in the agency's currency only. Invoices in
  other currencies are listed apart per currency, never converted or added to the agency-currency figures.
- Team cost: hours × the cost rate copied onto each time entry, on the client's projects (running timers excluded).
- Hidden costs, by cause:
  * unplanned calls, extra revisions, urgent requests: the flagged interactions' minutes (an interaction without a
    duration counts `DEFAULT_MINUTES`) × the agency's internal hourly cost (settings; empty: the average cost rate of
    the agency's time entries). An interaction with several flags counts once, under its first cause in that order;
  * unpriced extra work: time on out-of-scope tasks that no approved change request prices (the hidden cost of
    `projects.selectors_changes`), at its cost rates. That time is not in the team cost, so no hour counts twice.
- Real profit = revenue − team cost − hidden costs. Below zero: the client costs more than it pays.
- Tenure: from the client's first status change to onboarding/active/paused (else its start date) to today, or to
  its churn; months of 30.4375 days.
- Average monthly margin = real profit to date / tenure (at least one month).
- Expected lifetime from the agency's 12-month retention r (clients active a year ago still active today): monthly
  churn c = 1 − r^(1/12); lifetime = 1 / c months, capped at `LIFETIME_CAP_MONTHS` (no churn: the cap). A churn
  process without memory makes the expected remaining lifetime of a live client the same 1 / c.
- Projected LTV = average monthly margin × expected remaining lifetime (a churned client: none left, 0).
- Concentration: the top 1 / 3 / 5 clients' share of the period's revenue, and the Herfindahl–Hirschman index
  (the sum of the squared shares in %, 0–10 000)."""
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

LIFETIME_CAP_MONTHS = Decimal(60)
DAYS_PER_MONTH = Decimal("30.4375")
DEFAULT_MINUTES = 30
CAUSES = ("unplanned", "revisions", "urgent", "extra_work")
CENT = Decimal("0.01")
ZERO = Decimal("0")


def _money(value: Decimal) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Economics:
    """The money of one client (or a sum of clients) over a span: revenue, team cost and hidden costs by cause."""

    revenue: Decimal = ZERO
    team_cost: Decimal = ZERO
    unplanned: Decimal = ZERO
    revisions: Decimal = ZERO
    urgent: Decimal = ZERO
    extra_work: Decimal = ZERO
    hours: Decimal = ZERO

    @property
    def hidden(self) -> Decimal:
        return self.unplanned + self.revisions + self.urgent + self.extra_work

    @property
    def profit(self) -> Decimal:
        return real_profit(revenue=self.revenue, team_cost=self.team_cost, hidden=self.hidden)

    def __add__(self, other: "Economics") -> "Economics":
        return Economics(*(getattr(self, n) + getattr(other, n) for n in
                           ("revenue", "team_cost", "unplanned", "revisions", "urgent", "extra_work", "hours")))


def real_profit(*, revenue: Decimal, team_cost: Decimal, hidden: Decimal) -> Decimal:
    return _money(revenue - team_cost - hidden)


def minutes_cost(*, minutes: int, hourly_cost: Decimal) -> Decimal:
    """What `minutes` of the team's time cost at `hourly_cost` an hour."""
    return _money(Decimal(minutes) * hourly_cost / 60)


def economics(*, revenue: Decimal, team_cost: Decimal, extra_work: Decimal, hours: Decimal,
              minutes: dict[str, int], hourly_cost: Decimal) -> Economics:
    """A client's figures from the sums of its sources; `minutes` of flagged interactions per cause."""
    return Economics(revenue=_money(revenue), team_cost=_money(team_cost), extra_work=_money(extra_work),
                     hours=Decimal(hours),
                     **{cause: minutes_cost(minutes=minutes.get(cause, 0), hourly_cost=hourly_cost)
                        for cause in ("unplanned", "revisions", "urgent")})


def tenure_months(*, began: date | None, ended: date | None, today: date) -> Decimal | None:
    """Months from `began` to `ended` (churn) or `today`, one decimal; None for a client that never began."""
    if began is None:
        return None
    end = min(ended or today, today)
    days = max((end - began).days, 0)
    return (Decimal(days) / DAYS_PER_MONTH).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def monthly_margin(*, profit: Decimal, tenure: Decimal | None) -> Decimal | None:
    """Real profit to date per month of tenure; a client of less than a month counts one month."""
    if tenure is None:
        return None
    return _money(profit / max(tenure, Decimal(1)))


def expected_lifetime_months(*, retention: Decimal | None, cap: Decimal = LIFETIME_CAP_MONTHS) -> Decimal | None:
    """Expected lifetime in months from the 12-month retention `retention` (0…1): 1 / (1 − retention^(1/12)),
    capped; None without data (nobody was a client a year ago)."""
    if retention is None:
        return None
    retention = min(max(Decimal(retention), ZERO), Decimal(1))
    churn = Decimal(1) - retention ** (Decimal(1) / Decimal(12))
    if churn <= 0:
        return cap
    return min(Decimal(1) / churn, cap).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def projected_ltv(*, margin: Decimal | None, remaining: Decimal | None, churned: bool) -> Decimal | None:
    if churned:
        return ZERO
    if margin is None or remaining is None:
        return None
    return _money(margin * remaining)


@dataclass(frozen=True)
class Concentration:
    top1: Decimal | None  # % of the revenue
    top3: Decimal | None
    top5: Decimal | None
    hhi: int | None  # 0–10 000
    warn_share: Decimal
    warn_hhi: int

    @property
    def warning(self) -> bool:
        return (self.top1 is not None and self.top1 > self.warn_share) or (self.hhi is not None
                                                                           and self.hhi > self.warn_hhi)


def concentration(*, revenues: Sequence[Decimal], warn_share: Decimal, warn_hhi: int) -> Concentration:
    """Shares of the largest clients and the HHI over clients' revenues (negative or zero revenue ignored)."""
    values = sorted((Decimal(v) for v in revenues if v and v > 0), reverse=True)
    total = sum(values, ZERO)
    if not total:
        return Concentration(None, None, None, None, warn_share, warn_hhi)
    pct = Decimal("0.1")

    def top(n: int) -> Decimal:
        return (sum(values[:n], ZERO) * 100 / total).quantize(pct, rounding=ROUND_HALF_UP)

    hhi = sum(((v * 100 / total) ** 2 for v in values), ZERO)
    return Concentration(top(1), top(3), top(5), int(hhi.quantize(Decimal(1), rounding=ROUND_HALF_UP)),
                         warn_share, warn_hhi)


@dataclass
class ClientEconomics:
    """One client's row of the portfolio table."""

    client_id: object
    name: str
    status: str
    owner_id: int | None
    owner_name: str
    period: Economics
    lifetime: Economics
    tenure: Decimal | None
    margin: Decimal | None
    ltv: Decimal | None
    other_currencies: dict[str, Decimal] = field(default_factory=dict)  # paid in the period, by currency

    @property
    def loss_making(self) -> bool:
        return self.period.profit < 0


def client_row(*, client_id, name: str, status: str, owner_id: int | None, owner_name: str, began: date | None,
               churned_on: date | None, period: Economics, lifetime: Economics, lifetime_months: Decimal | None,
               today: date, other_currencies: dict[str, Decimal] | None = None) -> ClientEconomics:
    churned = status == "churned"
    tenure = tenure_months(began=began, ended=churned_on if churned else None, today=today)
    margin = monthly_margin(profit=lifetime.profit, tenure=tenure)
    return ClientEconomics(client_id=client_id, name=name, status=status, owner_id=owner_id, owner_name=owner_name,
                           period=period, lifetime=lifetime, tenure=tenure, margin=margin,
                           ltv=projected_ltv(margin=margin, remaining=lifetime_months, churned=churned),
                           other_currencies=dict(other_currencies or {}))


@dataclass
class Totals:
    clients: int
    period: Economics
    lifetime: Economics
    ltv: Decimal
    loss_making: int
    other_currencies: dict[str, Decimal]


def totals(rows: Sequence[ClientEconomics]) -> Totals:
    other: dict[str, Decimal] = {}
    for row in rows:
        for code, amount in row.other_currencies.items():
            other[code] = other.get(code, ZERO) + amount
    return Totals(clients=len(rows), period=sum((r.period for r in rows), Economics()),
                  lifetime=sum((r.lifetime for r in rows), Economics()),
                  ltv=sum((r.ltv for r in rows if r.ltv is not None), ZERO),
                  loss_making=sum(1 for r in rows if r.loss_making), other_currencies=dict(sorted(other.items())))


@dataclass
class AmLoad:
    am_id: int | None
    name: str
    clients: int
    revenue: Decimal
    hours: Decimal
    profit: Decimal


def workload(rows: Sequence[ClientEconomics]) -> list[AmLoad]:
    """Per current AM: clients, the period's revenue, hours on their clients' projects and real profit."""
    by_am: dict = {}
    for row in rows:
        load = by_am.setdefault(row.owner_id, AmLoad(row.owner_id, row.owner_name, 0, ZERO, ZERO, ZERO))
        load.clients += 1
        load.revenue += row.period.revenue
        load.hours += row.period.hours
        load.profit += row.period.profit
    return sorted(by_am.values(), key=lambda load: (load.am_id is None, load.name))
