"""An accepted КП becomes a project through the hand-off outbox, exactly once (projects.services.handoff)."""
from datetime import date
from decimal import Decimal

import pytest
from django_scopes import scope, scopes_disabled

from mrm.jobs.models import OutboxEvent
from mrm.tenancy.models import AuditLog
from projects.calendar import WorkCalendar
from projects.models import BudgetLine, Milestone, Project, ProjectMember, ProjectTask, Workstream
from projects.services import handoff as receiver
from proposals import handoff
from proposals.models import EstimateLine
from proposals.services import editor
from proposals.tasks import handoff_deliver_task
from tests import factories as f
from tests.proposals.conftest import catalog  # noqa: F401 - fixture
from tests.proposals.test_handoff import _accept, _events
from tests.proposals.test_sending import ready  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def accepted(alice_world, ready, catalog, django_capture_on_commit_callbacks):  # noqa: F811
    """The ready КП with a strategy stage, a 10% discount, an optional suggestion and a specialist on the team,
    sent and accepted by the client through the public page (the real outbox path)."""
    agency, am = alice_world.agency, alice_world.am.user
    proposal = ready["proposal"]
    with scope(agency=agency):
        line = editor.line_add(agency=agency, actor=am, proposal=proposal, service=catalog["services"]["strategy"],
                               hours=13)
        EstimateLine.objects.filter(pk=line.pk).update(stage="Стратегия")
        f.EstimateLineFactory(agency=agency, proposal=proposal, is_optional=True, name="Бонус", hours=40,
                              role=catalog["roles"]["smm"], rate=Decimal("2800"), stage="Стратегия")
        editor.team_add(agency=agency, actor=am, proposal=proposal, user=alice_world.specialist.user,
                        role_title="Таргетолог")
        editor.discount_update(agency=agency, actor=am, proposal=proposal, percent=Decimal("10"),
                               reason="Первый проект")
    version = _accept(alice_world, ready, django_capture_on_commit_callbacks)
    return {"version": version, "proposal": proposal, **ready}


def _project():
    with scopes_disabled():
        return Project.objects.select_related("account_manager").get()


def test_accepting_creates_one_project_with_budget_structure_and_team(alice_world, accepted):
    version, proposal = accepted["version"], accepted["proposal"]
    project = _project()
    assert project.handoff_key == f"{proposal.pk}:{version.content_hash}"
    assert (project.client_id, project.deal_id, project.proposal_id, project.proposal_version_id) == (
        accepted["client"].pk, accepted["deal"].pk, proposal.pk, version.pk)
    assert project.status == Project.Status.PLANNING and project.kind == Project.Kind.ONE_OFF
    # Lines as sold: 10 h × 2800 + 1.5 h × 3333.33 + 13 h × 6500 = 117 500; −10% = 105 750 net of VAT.
    totals = version.snapshot["totals"]
    assert Decimal(totals["net"]) == Decimal("105750.00") and Decimal(totals["total"]) > Decimal(totals["net"])
    assert project.budget_amount == Decimal("105750.00")  # VAT stays out of the delivery budget
    assert project.budget_hours == Decimal("24.5")  # the optional 40 h suggestion is not part of it
    assert project.budget_cost == Decimal("10") * 1300 + Decimal("1.5") * 1500 + 13 * 3200
    with scopes_disabled():
        lines = {b.role_name: b for b in BudgetLine.objects.filter(project=project)}
        assert set(lines) == {"SMM-менеджер", "Директолог", "Стратег"}
        assert {b.source for b in lines.values()} == {BudgetLine.Source.PROPOSAL}
        assert sum(b.amount for b in lines.values()) == project.budget_amount
        assert lines["Стратег"].hours == 13 and lines["Стратег"].amount == Decimal("76050.00")  # 84 500 − 10%
        assert lines["Стратег"].cost_rate == Decimal("3200") and lines["Стратег"].role_id is not None
        assert set(Workstream.objects.filter(project=project).values_list("discipline", flat=True)) == {
            "smm", "context", "strategy"}
        milestones = list(Milestone.objects.filter(project=project).order_by("order"))
        tasks = list(ProjectTask.objects.filter(project=project).select_related("workstream", "milestone"))
        estimate = {str(pk) for pk in EstimateLine.objects.filter(proposal=proposal, is_optional=False)
                    .values_list("pk", flat=True)}
        members = {m.user_id: m.title for m in ProjectMember.objects.filter(project=project)}
        audit_codes = set(AuditLog.objects.filter(target_id=str(project.pk)).values_list("action", flat=True))
    # One milestone per estimate stage, in order, each after the previous one.
    assert [m.title for m in milestones] == ["SMM", "Контекстная реклама", "Стратегия"]
    assert milestones[0].due_date < milestones[1].due_date < milestones[2].due_date == project.end_date
    assert all(m.baseline_due_date == m.due_date for m in milestones)
    assert {t.source_key for t in tasks} == estimate and len(tasks) == 3
    strategy = next(t for t in tasks if t.workstream.discipline == "strategy")
    assert strategy.milestone == milestones[2] and strategy.estimate_hours == 13
    assert strategy.start_date > milestones[1].due_date  # the next stage starts after the previous one
    assert project.start_date == min(t.start_date for t in tasks)
    assert project.account_manager_id == alice_world.am.user_id
    assert set(members) == {alice_world.am.user_id, alice_world.specialist.user_id}
    assert members[alice_world.specialist.user_id] == "Таргетолог"
    assert audit_codes == {"project.created_from_proposal"}


def test_running_the_delivery_again_creates_nothing(alice_world, accepted):
    (event,) = _events()
    assert event.processed_at and receiver.__name__ and any(
        name.endswith("project_create_from_proposal") for name in event.delivered_to)
    agency = alice_world.agency
    handoff_deliver_task.delay(agency_id=agency.pk, event_id=str(event.pk))  # processed: left alone
    # A worker that died after the receiver's commit point: the row is offered again, to the same receiver.
    with scopes_disabled():
        OutboxEvent.objects.filter(pk=event.pk).update(processed_at=None, delivered_to=[])
    handoff_deliver_task.delay(agency_id=agency.pk, event_id=str(event.pk))
    with scopes_disabled():
        assert OutboxEvent.objects.get(pk=event.pk).processed_at is not None
    with scope(agency=agency):
        receiver.project_create_from_proposal(handoff.AcceptedProposal.from_payload(event.payload))
    with scopes_disabled():
        assert Project.objects.count() == 1 and ProjectTask.objects.count() == 3 and BudgetLine.objects.count() == 3


def test_a_line_edited_after_sending_falls_back_to_the_frozen_version(alice_world, accepted):
    """The snapshot is what was sold; an estimate line changed since still gives its task and role."""
    version = accepted["version"]
    with scopes_disabled():
        Project.objects.all().delete()
        EstimateLine.objects.filter(proposal=accepted["proposal"], stage="Стратегия").update(hours=99)
    with scope(agency=alice_world.agency):
        receiver.project_create_from_proposal(handoff.AcceptedProposal(
            agency_id=alice_world.agency.pk, proposal_id=accepted["proposal"].pk, version_id=version.pk,
            version_number=version.number, version_hash=version.content_hash, client_id=accepted["client"].pk,
            deal_id=None, owner_id=None, total=version.total, currency="RUB", snapshot=version.snapshot))
        project = Project.objects.get()
        strategy = ProjectTask.objects.get(project=project, estimate_hours=13)
        line = BudgetLine.objects.get(project=project, role_name="Стратег")
    assert strategy.source_key.startswith(f"v{version.number}:") and strategy.role.name == "Стратег"
    assert line.cost_rate == Decimal("3200")  # from the version's internal part
    assert project.budget_hours == Decimal("24.5")


def test_the_budget_split_adds_up_to_the_net_exactly():
    def line(role_name, hours, rate):
        hours, rate = Decimal(hours), Decimal(rate)
        return receiver._Line(key="k", stage="", name="n", note="", role_name=role_name, hours=hours, rate=rate,
                              amount=hours * rate, cost_rate=Decimal("1000"))

    lines = [line("A", "1", "3333.33"), line("B", "1", "3333.33"), line("C", "1", "3333.34")]
    rows = receiver.split_budget(lines=lines, net=Decimal("6666.67"))  # a third off, with rounding
    assert sum(r.amount for r in rows) == Decimal("6666.67") and len(rows) == 3
    assert all(r.cost_amount == Decimal("1000.00") for r in rows)


def test_the_schedule_uses_working_days_and_six_hour_days():
    calendar = WorkCalendar(weekdays=frozenset({1, 2, 3, 4, 5}), holidays=frozenset({date(2026, 1, 7)}))

    def line(stage, role_name, hours):
        return receiver._Line(key="k", stage=stage, name="n", note="", role_name=role_name, hours=Decimal(hours),
                              rate=Decimal("1"), amount=Decimal("1"), cost_rate=Decimal("0"))

    lines = [line("1", "design", "12"), line("1", "design", "3"), line("1", "copy", "30"), line("2", "pm", "1")]
    slots, stages = receiver.schedule(lines=lines, calendar=calendar, start=date(2026, 1, 3))  # a Saturday
    assert slots[0] == receiver.Slot(date(2026, 1, 5), date(2026, 1, 6))  # Mon–Tue: 12 h = 2 days
    assert slots[1] == receiver.Slot(date(2026, 1, 8), date(2026, 1, 8))  # after design's first line; 7th is off
    assert slots[2] == receiver.Slot(date(2026, 1, 5), date(2026, 1, 12))  # copy in parallel: 5 working days
    assert stages["1"].due == date(2026, 1, 12) and slots[3].start == date(2026, 1, 13)
