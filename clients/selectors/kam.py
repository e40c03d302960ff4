"""Reads of key-account management: one client's account plan and the portfolio grid (KAM quadrants)."""
from dataclasses import dataclass, field

from django.db.models import Count, F, Q

from mrm.tenancy.fences import refuse_client
from mrm.tenancy.models import Agency, Membership

from ..models import AccountObjective, AccountPlan, Client
from .deals import first_per_group, visible_to

# Clients that are accounts to manage (leads are not yet, churned ones no longer).
PORTFOLIO_STATUSES = (Client.Status.ONBOARDING, Client.Status.ACTIVE, Client.Status.PAUSED)
CELL_LIMIT = 40


def account_plan_for(*, agency: Agency, client: Client) -> AccountPlan | None:
    """The plan with its objectives loaded (two queries), or None before anyone scored the client."""
    plan = AccountPlan.objects.filter(agency=agency, client=client).first()
    if plan is not None:
        plan.objective_list = list(AccountObjective.objects.filter(agency=agency, plan=plan)
                                   .order_by("status", "due_on", "created_at"))
    return plan


@dataclass
class Cell:
    quadrant: str
    label: str
    plans: list = field(default_factory=list)
    count: int = 0

    @property
    def more(self) -> int:
        return max(self.count - len(self.plans), 0)


@dataclass
class Portfolio:
    cells: dict
    unscored: list
    unscored_count: int
    total: int


def _strongest(plans, *, quadrants: list[str]) -> list[list[AccountPlan]]:
    """The CELL_LIMIT strongest plans of each quadrant in one query (`first_per_group`: a UNION ALL of per-quadrant
    `ORDER BY score DESC LIMIT n` on PostgreSQL, served by the (agency, quadrant, score DESC) index) instead of a
    window function numbering every plan of the agency."""
    score = (F("attractiveness") + F("relationship_strength")).desc()
    return first_per_group(plans.select_related("client", "client__owner"), field_name="quadrant", values=quadrants,
                           order=(score, "client__name", "pk"), limit=CELL_LIMIT,
                           key=lambda p: (-(p.attractiveness + p.relationship_strength), p.client.name, str(p.pk)))


def portfolio_grid(*, agency: Agency, membership: Membership) -> Portfolio:
    """The 2×2 KAM grid of the clients the member sees: counts per quadrant, the clients in each cell
    (strongest first) and the clients nobody has scored yet. A constant number of queries whatever the size; the
    page caches what it renders from it (`clients.caches.cached_portfolio_html`)."""
    refuse_client(membership)
    clients = visible_to(Client.objects.filter(agency=agency, status__in=PORTFOLIO_STATUSES), agency=agency,
                         membership=membership, field_name="pk")
    plans = visible_to(AccountPlan.objects.filter(agency=agency, client__status__in=PORTFOLIO_STATUSES),
                       agency=agency, membership=membership).exclude(quadrant="")
    cells = {value: Cell(quadrant=value, label=label) for value, label in AccountPlan.Quadrant.choices}
    for row in plans.order_by().values("quadrant").annotate(n=Count("pk")):
        if row["quadrant"] in cells:
            cells[row["quadrant"]].count = row["n"]
    filled = [cell for cell in cells.values() if cell.count]
    for cell, cell_plans in zip(filled, _strongest(plans, quadrants=[c.quadrant for c in filled]), strict=True):
        cell.plans = cell_plans
    unscored_qs = clients.filter(Q(account_plan__isnull=True) | Q(account_plan__quadrant="")).select_related(
        "owner").order_by("name")
    unscored = list(unscored_qs[:CELL_LIMIT])
    unscored_count = len(unscored) if len(unscored) < CELL_LIMIT else unscored_qs.order_by().aggregate(
        n=Count("pk"))["n"]
    return Portfolio(cells=cells, unscored=unscored, unscored_count=unscored_count,
                     total=sum(c.count for c in cells.values()) + unscored_count)
