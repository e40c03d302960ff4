"""Reads of the project shell: the budget by role, the team, and the projects shown on CRM pages (client,
deal, proposal). Visibility is always `project_list`'s."""
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, Sum

from mrm.tenancy.fences import refuse_client
from mrm.tenancy.models import Agency, Membership

from .models import BudgetLine, Project, ProjectMember, TimeEntry
from .selectors import project_list

ZERO = Decimal("0")
CRM_BLOCK_ROWS = 5


@dataclass
class BudgetRow:
    role_name: str
    hours: Decimal = ZERO
    amount: Decimal = ZERO
    cost_amount: Decimal = ZERO
    spent_hours: Decimal = ZERO

    @property
    def margin(self) -> Decimal:
        return self.amount - self.cost_amount

    @property
    def margin_percent(self) -> Decimal | None:
        return (100 * self.margin / self.amount).quantize(Decimal("0.1")) if self.amount else None


def budget_by_role(*, project: Project) -> tuple[list[BudgetRow], BudgetRow]:
    """Planned hours, sell amount and internal cost per role (all sources added up), with the hours logged
    by role so far; and the total row. Two queries."""
    rows: dict[str, BudgetRow] = {}
    lines = (BudgetLine.objects.filter(agency_id=project.agency_id, project=project)
             .values("role_id", "role_name").annotate(h=Sum("hours"), a=Sum("amount"), c=Sum("cost_amount"))
             .order_by("role_name"))
    key_of_role = {}
    for line in lines:
        key = str(line["role_id"]) if line["role_id"] else f"name:{line['role_name']}"
        row = rows.setdefault(key, BudgetRow(role_name=line["role_name"]))
        row.hours += line["h"] or ZERO
        row.amount += line["a"] or ZERO
        row.cost_amount += line["c"] or ZERO
        if line["role_id"]:
            key_of_role[line["role_id"]] = key
    spent = (TimeEntry.objects.filter(agency_id=project.agency_id, project=project).values("role_id")
             .annotate(h=Sum("hours")).order_by())
    unplanned = ZERO
    for entry in spent:
        key = key_of_role.get(entry["role_id"])
        if key is None:
            unplanned += entry["h"] or ZERO
        else:
            rows[key].spent_hours += entry["h"] or ZERO
    result = list(rows.values())
    if unplanned:
        from django.utils.translation import gettext as _

        result.append(BudgetRow(role_name=_("Other roles"), spent_hours=unplanned))
    total = BudgetRow(role_name="", hours=sum((r.hours for r in result), ZERO),
                      amount=sum((r.amount for r in result), ZERO),
                      cost_amount=sum((r.cost_amount for r in result), ZERO),
                      spent_hours=sum((r.spent_hours for r in result), ZERO))
    return result, total


def project_team(*, project: Project) -> list[ProjectMember]:
    return list(ProjectMember.objects.filter(agency_id=project.agency_id, project=project)
                .select_related("user", "role").order_by("created_at"))


def projects_for(*, agency: Agency, membership: Membership, **filters) -> tuple[list[Project], int]:
    """The visible projects of a client / deal / proposal for a CRM page: the first rows (open first) and
    how many there are (two queries at most)."""
    refuse_client(membership)
    qs = project_list(agency=agency, membership=membership, client=filters.get("client")).filter(**filters)
    rows = list(qs.order_by(F("closed_at").asc(nulls_first=True), "-created_at")[:CRM_BLOCK_ROWS])
    count = len(rows) if len(rows) < CRM_BLOCK_ROWS else qs.order_by().aggregate(n=Count("pk"))["n"]
    return rows, count


def project_for_proposal(*, agency: Agency, membership: Membership, proposal) -> Project | None:
    """The (visible) project made from this proposal, if any."""
    refuse_client(membership)
    return (project_list(agency=agency, membership=membership).filter(proposal=proposal)
            .order_by("-created_at").first())


def deal_projects_context(request, deal) -> dict:
    """What the deal page shows of projects (`deal_projects` None hides the block)."""
    from mrm.tenancy.policy import can

    if not can(request.membership, "project.view"):
        return {"deal_projects": None}
    rows, count = projects_for(agency=request.agency, membership=request.membership, deal=deal)
    return {"deal_projects": rows, "deal_projects_count": count,
            "can_create_project": can(request.membership, "project.create")}
