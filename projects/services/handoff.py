"""The receiver of the proposal → delivery hand-off (`proposals.handoff`): an accepted КП becomes a project.

What the project takes from the acceptance, and from where:
- The accepted version's `snapshot` is what the client agreed to (stages, lines, hours, rates, totals); it is
  the source of truth. The proposal's estimate lines (which carry service → discipline, role, internal cost
  rate, and an id) are matched to the snapshot's lines to enrich them; a line edited after sending simply
  falls back to the version's staff-only `internal` part and the rate card. Optional suggestions the client
  did not see are not in the snapshot, so they are not part of the budget.
- Only the optional items the client switched on (recorded on the Decision) join the lines; a time line gives
  hours of its role, a package / pieces / media budget give money only, a monthly line counts for every month.
- The budget is the price as sold, net of VAT: `budget_amount` = the accepted net (subtotal − discount,
  before VAT; minus the VAT when prices included it). VAT is the state's, not the delivery team's money, so it stays out of the delivery budget.
  Budget lines (one per role) split that net in proportion to each role's list amount, so they add up to
  it exactly; `sell_rate` is the effective (discounted) rate per hour. Internal cost = hours × internal cost
  rate at the time of sending.
- Workstreams: one per discipline of the lines' services, in the estimate's order (lines without a
  service go to a "General" workstream). Milestones: one per estimate stage, in order, scheduled from the
  first working day from today: a line takes ⌈hours / 6⌉ working days, lines of the same role within a stage
  run one after another, different roles in parallel, and the next stage starts when the stage ends.
  Tasks: one per line, with its estimate, role, workstream, milestone and dates (also as the baseline).
- Team: the КП's team and its owner, who becomes the project's AM. No PM is chosen: the AM assigns one when
  reviewing the project (status "planning").

Idempotent on (proposal id, version hash) = `Project.handoff_key` (unique per agency): a second run creates
nothing, also when two runs race (the unique constraint answers the loser, which then returns).
"""
import logging
import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mrm.tenancy.models import Agency, Membership
from mrm.tenancy.services import audit
from proposals.handoff import AcceptedProposal
from proposals.models import EstimateLine, Proposal, ProposalTeamMember, ProposalVersion, RateRole
from proposals.models.catalog import Discipline

from .. import events
from ..calendar import work_calendar
from ..models import BudgetLine, Milestone, Project, ProjectMember, ProjectTask, Workstream

logger = logging.getLogger(__name__)

HOURS_PER_DAY = Decimal("6")
CENT = Decimal("0.01")


def handoff_key(*, proposal_id, version_hash: str) -> str:
    return f"{proposal_id}:{version_hash}"[:120]


@dataclass
class _Line:
    """One accepted estimate line, enriched from the proposal's estimate line when it still matches."""

    key: str
    stage: str
    name: str
    note: str
    role_name: str
    hours: Decimal
    rate: Decimal
    amount: Decimal
    cost_rate: Decimal
    role: RateRole | None = None
    discipline: str = ""
    kind: str = "time"
    fixed_cost: Decimal = Decimal("0")  # a media budget passed through: money the agency spends, not hours


def _dec(value, default: str = "0") -> Decimal:
    try:
        return Decimal(str(value if value not in (None, "") else default))
    except ArithmeticError:
        return Decimal(default)


def _match_key(stage, name, role_name, hours, rate) -> tuple:
    return (stage or "", name or "", role_name or "", _dec(hours).normalize(), _dec(rate).normalize())


def accepted_snapshot(*, agency: Agency, proposal: Proposal, version: ProposalVersion) -> dict:
    """The version as the client accepted it: only the optional items they switched on join its lines."""
    from proposals.models import Decision
    from proposals.services.documents import accepted_snapshot as merge

    decision = Decision.objects.filter(agency=agency, proposal=proposal, version=version).first()
    chosen = [o.get("key") for o in (decision.options if decision else []) or []]
    return merge(snapshot=version.snapshot, chosen=chosen)


def accepted_lines(*, agency: Agency, proposal: Proposal, version: ProposalVersion,
                   snapshot: dict | None = None) -> list[_Line]:
    """The accepted lines in the estimate's order (3 queries). A time line gives hours of its role; a package,
    pieces or a media budget give money only (no hours); a monthly line counts for every month of its term."""
    snapshot = snapshot if snapshot is not None else version.snapshot
    estimate: dict[tuple, list[EstimateLine]] = defaultdict(list)
    for line in (EstimateLine.objects.filter(agency=agency, proposal=proposal)
                 .select_related("service", "role").order_by("order", "created_at")):
        estimate[_match_key(line.stage, line.name, line.role_name, line.hours, line.rate)].append(line)
    internal: dict[tuple, list[Decimal]] = defaultdict(list)
    for row in (version.internal or {}).get("lines", []):
        internal[_match_key(row.get("stage"), row.get("name"), row.get("role"), row.get("hours"),
                            row.get("rate"))].append(_dec(row.get("internal_cost_rate")))
    roles_by_name = {r.name: r for r in RateRole.objects.filter(agency=agency).order_by("-is_active", "order")}
    lines: list[_Line] = []
    for stage in snapshot.get("stages", []):
        for i, row in enumerate(stage.get("lines", [])):
            key = _match_key(stage.get("stage"), row.get("name"), row.get("role"), row.get("hours"), row.get("rate"))
            kind = row.get("kind") or "time"
            months = int(row.get("months") or 1) if row.get("billing") == "monthly" else 1
            hours = _dec(row.get("hours")) * months if kind == "time" else Decimal("0")
            rate = _dec(row.get("rate"))
            amount = _dec(row.get("term_amount"), row.get("amount") or str((hours * rate).quantize(CENT)))
            line = _Line(key=f"v{version.number}:{stage.get('stage', '')}:{i}"[:80], stage=stage.get("stage") or "",
                         name=(row.get("name") or "")[:300], note=row.get("note") or "",
                         role_name=(row.get("role") or "")[:120] if kind == "time" else "", hours=hours, rate=rate,
                         amount=amount, cost_rate=Decimal("0"), kind=kind,
                         fixed_cost=_dec(row.get("budget")) * months if kind == "media" else Decimal("0"))
            match = estimate[key].pop(0) if estimate.get(key) else None
            cost_rates = internal.get(key)
            if match is not None:
                line.key, line.role, line.cost_rate = str(match.pk), match.role, match.internal_cost_rate
                line.discipline = match.service.discipline if match.service else ""
                if kind != "time":
                    line.role = None
            else:
                line.role = roles_by_name.get(line.role_name) if kind == "time" else None
                line.cost_rate = line.role.cost_rate if line.role else Decimal("0")
            if cost_rates:  # the rate frozen with the version wins over today's
                line.cost_rate = cost_rates.pop(0)
            lines.append(line)
    return lines


@dataclass
class _Budget:
    role: RateRole | None
    role_name: str
    hours: Decimal
    list_amount: Decimal
    cost_amount: Decimal
    amount: Decimal = Decimal("0")


def split_budget(*, lines: list[_Line], net: Decimal) -> list[_Budget]:
    """One budget row per role; the accepted net split in proportion to the list amounts (exact sum)."""
    by_role: dict[str, _Budget] = {}
    for line in lines:
        ident = str(line.role.pk) if line.role else f"name:{line.role_name}"
        row = by_role.setdefault(ident, _Budget(role=line.role, role_name=line.role_name or _("No role"),
                                                hours=Decimal("0"), list_amount=Decimal("0"),
                                                cost_amount=Decimal("0")))
        row.hours += line.hours
        row.list_amount += line.amount
        row.cost_amount += (line.hours * line.cost_rate).quantize(CENT, ROUND_HALF_UP) + line.fixed_cost
    rows = list(by_role.values())
    subtotal = sum((r.list_amount for r in rows), Decimal("0"))
    if not rows:
        return rows
    if subtotal <= 0:
        for r in rows:
            r.amount = r.list_amount
        return rows
    for r in rows:
        r.amount = (r.list_amount * net / subtotal).quantize(CENT, ROUND_HALF_UP)
    biggest = max(rows, key=lambda r: r.list_amount)
    biggest.amount += net - sum((r.amount for r in rows), Decimal("0"))  # rounding remainder
    return rows


@dataclass(frozen=True)
class Slot:
    start: date
    due: date


def schedule(*, lines: list[_Line], calendar, start: date) -> tuple[list[Slot], dict[str, Slot]]:
    """Dates for each line (same order) and each stage (by name): see the module docstring."""
    slots: list[Slot] = []
    stages: dict[str, Slot] = {}
    stage_start = calendar.add_working_days(start, 0)
    order = list(dict.fromkeys(line.stage for line in lines))
    by_stage = {s: [i for i, line in enumerate(lines) if line.stage == s] for s in order}
    found: dict[int, Slot] = {}
    for stage in order:
        offsets: dict[str, int] = defaultdict(int)  # working days used by each role within the stage
        stage_due = stage_start
        for i in by_stage[stage]:
            line = lines[i]
            days = max(1, math.ceil(line.hours / HOURS_PER_DAY))
            who = line.role_name
            first = calendar.add_working_days(stage_start, offsets[who])
            last = calendar.add_working_days(first, days - 1)
            offsets[who] += days
            found[i] = Slot(first, last)
            stage_due = max(stage_due, last)
        stages[stage] = Slot(stage_start, stage_due)
        stage_start = calendar.add_working_days(stage_due, 1)
    slots = [found[i] for i in range(len(lines))]
    return slots, stages


def _active_users(*, agency: Agency, user_ids) -> set[int]:
    return set(Membership.objects.filter(agency=agency, user_id__in=[u for u in user_ids if u], is_active=True)
               .values_list("user_id", flat=True))


def project_create_from_proposal(handoff: AcceptedProposal) -> None:
    """The hand-off receiver (registered in ProjectsConfig.ready): see the module docstring."""
    agency = Agency.objects.get(pk=handoff.agency_id)
    key = handoff_key(proposal_id=handoff.proposal_id, version_hash=handoff.version_hash)
    if Project.objects.filter(agency=agency, handoff_key=key).exists():
        return
    proposal = (Proposal.objects.select_related("client", "deal", "owner")
                .filter(agency=agency, pk=handoff.proposal_id).first())
    version = ProposalVersion.objects.filter(agency=agency, pk=handoff.version_id, proposal_id=handoff.proposal_id
                                             ).first()
    if proposal is None or version is None:
        # Deleted since the acceptance: there is nothing left to plan from. Not an error to retry forever.
        logger.warning("hand-off %s: the proposal or its version no longer exists; no project", key)
        return
    try:
        with transaction.atomic():
            project_from_version(agency=agency, proposal=proposal, version=version, key=key)
    except IntegrityError:
        if Project.objects.filter(agency=agency, handoff_key=key).exists():
            return  # another run made it first
        raise


def project_from_version(*, agency: Agency, proposal: Proposal, version: ProposalVersion, key: str) -> Project:
    snapshot = accepted_snapshot(agency=agency, proposal=proposal, version=version)
    lines = accepted_lines(agency=agency, proposal=proposal, version=version, snapshot=snapshot)
    totals = snapshot.get("totals") or {}
    net = _dec(totals.get("net"), str(sum((ln.amount for ln in lines), Decimal("0")))).quantize(CENT)
    if totals.get("vat_mode") == "incl":  # prices included VAT: the delivery budget is net of it all the same
        net -= _dec(totals.get("vat_amount"))
    budget = split_budget(lines=lines, net=net)
    today = timezone.localdate()
    calendar = work_calendar(agency=agency, start=today)
    slots, stage_slots = schedule(lines=lines, calendar=calendar, start=today)
    team = list(ProposalTeamMember.objects.filter(agency=agency, proposal=proposal).order_by("order", "created_at"))
    active = _active_users(agency=agency, user_ids=[proposal.owner_id, *(m.user_id for m in team)])
    owner_id = proposal.owner_id if proposal.owner_id in active else None
    project = Project.objects.create(
        agency=agency, client=proposal.client, deal=proposal.deal, proposal=proposal, proposal_version=version,
        handoff_key=key, name=(version.snapshot.get("title") or proposal.title)[:200],
        kind=Project.Kind.RETAINER if totals.get("has_monthly") else Project.Kind.ONE_OFF, status=Project.Status.PLANNING, currency=proposal.currency,
        start_date=min((s.start for s in slots), default=calendar.add_working_days(today, 0)),
        end_date=max((s.due for s in slots), default=None), account_manager_id=owner_id,
        budget_amount=net, budget_hours=sum((ln.hours for ln in lines), Decimal("0")),
        budget_cost=sum((b.cost_amount for b in budget), Decimal("0")))
    BudgetLine.objects.bulk_create([BudgetLine(
        agency=agency, project=project, role=b.role, role_name=b.role_name[:120], hours=b.hours,
        sell_rate=(b.amount / b.hours).quantize(CENT) if b.hours else Decimal("0"),
        cost_rate=(b.cost_amount / b.hours).quantize(CENT) if b.hours else Decimal("0"),
        amount=b.amount, cost_amount=b.cost_amount, source=BudgetLine.Source.PROPOSAL) for b in budget])
    labels = dict(Discipline.choices)
    disciplines = list(dict.fromkeys(ln.discipline for ln in lines))
    streams = {d: Workstream(agency=agency, project=project, discipline=d, order=i,
                             name=str(labels.get(d, "")) or _("General")) for i, d in enumerate(disciplines)}
    Workstream.objects.bulk_create(streams.values())
    milestones = {}
    for i, (stage, slot) in enumerate(stage_slots.items()):
        stage_lines = [ln for ln in lines if ln.stage == stage]
        stream_of_stage = {ln.discipline for ln in stage_lines}
        milestones[stage] = Milestone(
            agency=agency, project=project, title=(stage or _("Work"))[:200], due_date=slot.due,
            baseline_due_date=slot.due, order=i, client_visible=True,
            workstream=streams[stage_lines[0].discipline] if len(stream_of_stage) == 1 else None)
    Milestone.objects.bulk_create(milestones.values())
    ProjectTask.objects.bulk_create([ProjectTask(
        agency=agency, project=project, workstream=streams[ln.discipline], milestone=milestones[ln.stage],
        title=ln.name or ln.role_name or _("Task"), description=ln.note, role=ln.role, estimate_hours=ln.hours,
        start_date=slot.start, due_date=slot.due, baseline_start_date=slot.start, baseline_due_date=slot.due,
        position=i, source_key=ln.key[:80]) for i, (ln, slot) in enumerate(zip(lines, slots, strict=True))])
    members = [ProjectMember(agency=agency, project=project, user_id=m.user_id, title=m.role_title[:120])
               for m in team if m.user_id in active]
    if owner_id and owner_id not in {m.user_id for m in members}:
        members.insert(0, ProjectMember(agency=agency, project=project, user_id=owner_id,
                                        title=_("Account manager")))
    ProjectMember.objects.bulk_create(members)
    audit(agency=agency, actor=None, action="project.created_from_proposal", target=project,
          changes={"proposal": (None, proposal.title), "version": (None, version.number),
                   "budget_amount": (None, str(net))})
    events.emit(events.Event(kind="project.created", agency_id=agency.pk, project_id=project.pk,
                             object_id=str(project.pk), recipient_ids=[owner_id] if owner_id else [],
                             context={"project": project.name, "from_proposal": proposal.title}))
    return project
