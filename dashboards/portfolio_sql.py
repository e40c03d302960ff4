"""The SQL of the portfolio page: one GROUP BY query per source over the clients the member sees (invoices, time
entries, flagged interactions; the clients with their status history and account plan; the agency's 12-month
retention), each answering lifetime and period sums at once (conditional aggregation). Rows are merged per client
and turned into figures by the pure functions of `dashboards.portfolio`; no query runs per client.

An AM's client shows the same figures a director sees for it: the hourly cost and the retention behind the LTV are
the agency's, not the AM's book's."""
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import (
    CharField,
    DecimalField,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    Min,
    Q,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone

from clients.models import Client, Interaction, Invoice
from mrm.core.business_hours import zone
from mrm.tenancy.models import Agency, Membership
from projects.models import TimeEntry
from projects.selectors_changes import unpriced_extra_work_q

from . import portfolio as pf
from .periods import Period, moment, shift_year
from .selectors import ACTIVE, clients_q, retention_counts

MONEY = DecimalField(max_digits=18, decimal_places=4)
ZERO = Decimal("0")


@dataclass
class Plan:
    attractiveness: Decimal
    strength: Decimal
    quadrant: str


@dataclass
class PortfolioData:
    rows: list[pf.ClientEconomics]
    plans: dict  # client id → Plan (scored clients only)
    hourly_cost: Decimal
    hourly_from_setting: bool
    retention: Decimal | None  # 0…1
    lifetime_months: Decimal | None


def _sum(expression, condition: Q | None = None):
    return Coalesce(Sum(expression, filter=condition, output_field=MONEY), Value(ZERO), output_field=MONEY)


def _cost():
    return ExpressionWrapper(F("hours") * F("cost_rate"), output_field=MONEY)


def _clients(*, agency: Agency, q: Q) -> list[dict]:
    """Every client of the portfolio (leads are not yet clients) with its first active status change and its last
    churn (the history rows joined and grouped once), its AM's name and its account plan."""
    return list(
        Client.objects.filter(agency=agency).filter(q).exclude(status=Client.Status.LEAD).order_by()
        .values("id", "name", "status", "start_date", "owner_id", "account_plan__attractiveness",
                "account_plan__relationship_strength", "account_plan__quadrant")
        .annotate(owner_name=Coalesce(NullIf(F("owner__full_name"), Value("")), F("owner__email"), Value(""),
                                      output_field=CharField()),
                  began=Min("status_changes__changed_at", filter=Q(status_changes__to_status__in=ACTIVE)),
                  churned_at=Max("status_changes__changed_at",
                                 filter=Q(status_changes__to_status=Client.Status.CHURNED))))


def _invoices(*, agency: Agency, q: Q, period: Period) -> list[dict]:
    in_period = Q(paid_on__gte=period.start, paid_on__lt=period.end)
    return list(Invoice.objects.filter(agency=agency, status=Invoice.Status.PAID, kind=Invoice.Kind.INVOICE,
                                       paid_on__isnull=False).filter(q).order_by()
                .values("client_id", "currency").annotate(total=_sum("amount"), period=_sum("amount", in_period)))


def _time(*, agency: Agency, q: Q, period: Period) -> list[dict]:
    extra = unpriced_extra_work_q(agency=agency)
    in_period = Q(date__gte=period.start, date__lt=period.end)
    return list(TimeEntry.objects.filter(agency=agency, started_at__isnull=True).filter(q).order_by()
                .values(client_id=F("project__client_id"))
                .annotate(team=_sum(_cost(), ~extra), extra=_sum(_cost(), extra), logged=_sum("hours"),
                          team_p=_sum(_cost(), ~extra & in_period), extra_p=_sum(_cost(), extra & in_period),
                          logged_p=_sum("hours", in_period)))


CAUSE_Q = {"unplanned": Q(is_unplanned=True), "revisions": Q(is_unplanned=False, is_extra_revision=True),
           "urgent": Q(is_unplanned=False, is_extra_revision=False, is_urgent=True)}


def _interactions(*, agency: Agency, q: Q, period: Period) -> list[dict]:
    tz = agency.timezone
    in_period = Q(occurred_at__gte=moment(period.start, tz), occurred_at__lt=moment(period.end, tz))
    minutes = Coalesce("duration_minutes", Value(pf.DEFAULT_MINUTES), output_field=IntegerField())
    aggregates = {}
    for cause, condition in CAUSE_Q.items():
        aggregates[cause] = Coalesce(Sum(minutes, filter=condition), 0)
        aggregates[f"{cause}_p"] = Coalesce(Sum(minutes, filter=condition & in_period), 0)
    return list(Interaction.objects.filter(agency=agency).filter(Q(is_unplanned=True) | Q(is_extra_revision=True)
                                                                 | Q(is_urgent=True)).filter(q).order_by()
                .values("client_id").annotate(**aggregates))


def hourly_cost(*, agency: Agency, rollup: bool = False) -> tuple[Decimal, bool]:
    """(the internal cost of an hour, whether it is the agency's setting): the setting, else the average cost rate
    of the agency's time entries (0 with no time logged) — from the rollup's monthly sums when `rollup`."""
    if agency.internal_hourly_cost is not None:
        return agency.internal_hourly_cost, True
    if rollup:
        from .models import ClientEconomics

        sums = ClientEconomics.objects.filter(agency=agency, month__isnull=False).aggregate(
            cost_sum=_sum(F("team_cost") + F("extra_work")), hours_sum=_sum("hours"))
    else:
        sums = TimeEntry.objects.filter(agency=agency, started_at__isnull=True).aggregate(
            cost_sum=_sum(_cost()), hours_sum=_sum("hours"))
    return (pf._money(sums["cost_sum"] / sums["hours_sum"]) if sums["hours_sum"] else ZERO), False


def agency_retention(*, agency: Agency, today: date) -> Decimal | None:
    """Share (0…1) of the agency's clients active a year ago that are still clients today; None without any."""
    window = Period("custom", shift_year(today, -1), today + timedelta(days=1))
    row = retention_counts(agency=agency, q=Q(), windows=[window])[0]
    if not row["start_0"]:
        return None
    return Decimal(row["kept_0"]) / Decimal(row["start_0"])


def _day(value, tz: str) -> date | None:
    return value.astimezone(zone(tz)).date() if value else None


def portfolio_data(*, agency: Agency, membership: Membership, period: Period, today: date | None = None
                   ) -> PortfolioData:
    """Every visible client's economics for `period` and to date: six queries at most, whatever the size."""
    today = today or timezone.localdate()
    tz = agency.timezone
    cost, from_setting = hourly_cost(agency=agency)
    retention = agency_retention(agency=agency, today=today)
    lifetime_months = pf.expected_lifetime_months(retention=retention)
    clients = _clients(agency=agency, q=clients_q(membership=membership))
    nested = clients_q(membership=membership, prefix="client__")
    revenue: dict = {}
    other: dict = {}
    for row in _invoices(agency=agency, q=nested, period=period):
        if row["currency"] == agency.currency:
            revenue[row["client_id"]] = (row["total"], row["period"])
        elif row["period"]:
            other.setdefault(row["client_id"], {})[row["currency"]] = row["period"]
    time = {r["client_id"]: r for r in _time(agency=agency, q=clients_q(membership=membership,
                                                                           prefix="project__client__"), period=period)}
    flagged = {r["client_id"]: r for r in _interactions(agency=agency, q=nested, period=period)}
    rows, plans = [], {}
    empty_time = {"team": ZERO, "extra": ZERO, "logged": ZERO, "team_p": ZERO, "extra_p": ZERO, "logged_p": ZERO}
    for c in clients:
        paid_all, paid_p = revenue.get(c["id"], (ZERO, ZERO))
        t = time.get(c["id"], empty_time)
        i = flagged.get(c["id"], {})
        lifetime = pf.economics(revenue=paid_all, team_cost=t["team"], extra_work=t["extra"], hours=t["logged"],
                                minutes={k: i.get(k, 0) for k in CAUSE_Q}, hourly_cost=cost)
        in_period = pf.economics(revenue=paid_p, team_cost=t["team_p"], extra_work=t["extra_p"], hours=t["logged_p"],
                                 minutes={k: i.get(f"{k}_p", 0) for k in CAUSE_Q}, hourly_cost=cost)
        rows.append(pf.client_row(client_id=c["id"], name=c["name"], status=c["status"], owner_id=c["owner_id"],
                                  owner_name=c["owner_name"], began=_day(c["began"], tz) or c["start_date"],
                                  churned_on=_day(c["churned_at"], tz), period=in_period, lifetime=lifetime,
                                  lifetime_months=lifetime_months, today=today, other_currencies=other.get(c["id"])))
        if c["account_plan__quadrant"]:
            plans[c["id"]] = Plan(c["account_plan__attractiveness"], c["account_plan__relationship_strength"],
                                  c["account_plan__quadrant"])
    return PortfolioData(rows=rows, plans=plans, hourly_cost=cost, hourly_from_setting=from_setting,
                         retention=retention, lifetime_months=lifetime_months)
