"""Change requests: priced like a КП, sent once, decided on the exact text, and an approval applied once."""
from decimal import Decimal

import pytest
from django.core import mail
from django_scopes import scope

from clients.models import Contact
from mrm.core.errors import ServiceError
from mrm.tenancy.models import AuditLog
from projects import events
from projects import selectors_changes as selectors
from projects.models import BudgetLine, ChangeRequest, ChangeRequestRecipient, Project, ProjectTask
from projects.services import changes as services
from projects.tasks import change_request_send_task
from proposals.services import pricing
from tests import factories as f

from .changes_helpers import draft_with_lines, project_of, rate_card, send

pytestmark = pytest.mark.django_db


@pytest.fixture
def received():
    got = []
    events.subscribe(got.append)
    yield got
    events.unsubscribe(got.append)


def test_change_request_totals_are_the_proposal_arithmetic(alice_world):
    cr = draft_with_lines(alice_world)
    expected = pricing.compute(lines=[("", Decimal("10"), Decimal("3000")), ("", Decimal("3.5"), Decimal("2500"))],
                               discount_percent=Decimal("10"), vat_rate=alice_world.agency.vat_rate)
    assert (cr.subtotal, cr.discount_amount, cr.vat_amount, cr.total) == (
        expected.subtotal, expected.discount_amount, expected.vat_amount, expected.total)
    assert cr.subtotal == Decimal("38750.00") and cr.hours == Decimal("13.5")
    assert cr.cost_amount == Decimal("12000.00") + Decimal("3500.00")
    assert cr.number == 1


def test_change_request_numbers_count_per_project(alice_world):
    project = project_of(alice_world)
    other = project_of(alice_world)
    with scope(agency=alice_world.agency):
        numbers = [services.change_request_create(agency=alice_world.agency, actor=alice_world.am.user, project=p,
                                                  title="x").number for p in (project, project, other)]
    assert numbers == [1, 2, 1]


def test_line_rate_comes_from_the_rate_card_and_other_agencys_role_is_refused(alice_world, bob_world):
    cr = draft_with_lines(alice_world)
    foreign = f.RateRoleFactory(agency=bob_world.agency, name="Чужой", hourly_rate=1)
    with scope(agency=alice_world.agency):
        with pytest.raises(ServiceError):
            services.line_add(agency=alice_world.agency, actor=alice_world.am.user, change_request=cr, role=foreign,
                              description="x", hours=1)
        line = cr.lines.first()
        assert line.rate == Decimal("3000") and line.internal_cost_rate == Decimal("1200")


def test_send_freezes_the_text_and_mails_each_contact_once(alice_world, django_capture_on_commit_callbacks, received):
    cr = send(alice_world, draft_with_lines(alice_world), django_capture_on_commit_callbacks)
    assert cr.status == ChangeRequest.Status.SENT and len(cr.content_hash) == 64
    assert "cost" not in str(cr.snapshot) and cr.snapshot["totals"]["total"] == str(cr.total)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["client@alice.test"]
    assert "/portal/changes/" in mail.outbox[0].body
    # A redelivered task sends nothing more.
    change_request_send_task.delay(agency_id=alice_world.agency.pk, change_request_id=str(cr.pk))
    assert len(mail.outbox) == 1
    sent = [e for e in received if e.kind == "change_request.sent"]
    assert sent and sent[0].recipient_ids == [alice_world.client_contact.user_id]
    with scope(agency=alice_world.agency):
        assert ChangeRequestRecipient.objects.filter(change_request=cr, emailed_at__isnull=False).count() == 1
        # Lines of a sent request cannot change any more.
        with pytest.raises(ServiceError):
            services.line_add(agency=alice_world.agency, actor=alice_world.am.user, change_request=cr,
                              role=cr.lines.first().role, description="x", hours=1)


def test_send_refuses_a_contact_of_another_client(alice_world, django_capture_on_commit_callbacks):
    cr = draft_with_lines(alice_world)
    stranger = f.ContactFactory(agency=alice_world.agency, email="x@other.test")
    with scope(agency=alice_world.agency), pytest.raises(ServiceError):
        services.change_request_send(agency=alice_world.agency, actor=alice_world.am.user, change_request=cr,
                                     contacts=[stranger])


def test_approval_adds_budget_lines_budget_and_tasks_exactly_once(alice_world, django_capture_on_commit_callbacks,
                                                                   received):
    project = project_of(alice_world, budget_amount=Decimal("100000"), budget_hours=Decimal("40"),
                         budget_cost=Decimal("50000"))
    cr = send(alice_world, draft_with_lines(alice_world, project), django_capture_on_commit_callbacks)
    with scope(agency=alice_world.agency):
        contact = Contact.objects.get(pk=alice_world.client_contact.contact_id)
        with django_capture_on_commit_callbacks(execute=True):
            services.change_request_decide(agency=alice_world.agency, actor=alice_world.client_contact.user,
                                           change_request=cr, approve=True, content_hash=cr.content_hash,
                                           contact=contact, ip="10.0.0.7")
        with pytest.raises(ServiceError):  # a replayed approval
            services.change_request_decide(agency=alice_world.agency, actor=alice_world.client_contact.user,
                                           change_request=cr, approve=True, content_hash=cr.content_hash,
                                           contact=contact)
        cr.refresh_from_db()
        project.refresh_from_db()
        lines = list(BudgetLine.objects.filter(project=project, source=BudgetLine.Source.CHANGE))
        tasks = list(ProjectTask.objects.filter(project=project).order_by("position"))
        assert cr.status == ChangeRequest.Status.APPROVED and cr.applied_at and cr.decision_ip == "10.0.0.7"
        assert cr.decided_by == alice_world.client_contact.user and cr.decided_via == "portal"
        assert len(lines) == 2 and {ln.change_request_id for ln in lines} == {cr.pk}
        assert sum(ln.amount for ln in lines) == cr.subtotal - cr.discount_amount
        assert project.budget_amount == Decimal("100000") + cr.subtotal - cr.discount_amount
        assert project.budget_hours == Decimal("53.5")
        assert project.budget_cost == Decimal("50000") + cr.cost_amount
        assert [t.title for t in tasks] == ["Три баннера", "Тексты"]
        assert cr.milestone_id and all(t.milestone_id == cr.milestone_id for t in tasks)
        assert "№1" in cr.milestone.title and cr.title in cr.milestone.title
        assert [t.estimate_hours for t in tasks] == [Decimal("10"), Decimal("3.5")]
        assert AuditLog.objects.filter(agency=alice_world.agency, action="change_request.approved").count() == 1
    decided = [e for e in received if e.kind == "change_request.decided"]
    assert len(decided) == 1 and set(decided[0].recipient_ids) == {alice_world.am.user_id,
                                                                   alice_world.specialist.user_id}


def test_decision_on_a_changed_text_is_refused(alice_world, django_capture_on_commit_callbacks):
    cr = send(alice_world, draft_with_lines(alice_world), django_capture_on_commit_callbacks)
    with scope(agency=alice_world.agency), pytest.raises(ServiceError) as error:
        services.change_request_decide(agency=alice_world.agency, actor=alice_world.client_contact.user,
                                       change_request=cr, approve=True, content_hash="0" * 64)
    assert error.value.code == "hash"


def test_phone_decision_names_the_client_contact_and_decline_changes_no_budget(
        alice_world, django_capture_on_commit_callbacks):
    project = project_of(alice_world)
    cr = send(alice_world, draft_with_lines(alice_world, project), django_capture_on_commit_callbacks)
    with scope(agency=alice_world.agency):
        with pytest.raises(ServiceError):  # staff must say who answered
            services.change_request_decide(agency=alice_world.agency, actor=alice_world.am.user, change_request=cr,
                                           approve=False, content_hash=cr.content_hash, via="phone")
        contact = Contact.objects.get(pk=alice_world.client_contact.contact_id)
        services.change_request_decide(agency=alice_world.agency, actor=alice_world.am.user, change_request=cr,
                                       approve=False, content_hash=cr.content_hash, via="phone", contact=contact,
                                       note="Дорого", ip="10.1.1.1")
        cr.refresh_from_db()
        project.refresh_from_db()
        assert cr.status == ChangeRequest.Status.DECLINED and cr.decided_contact == contact
        assert cr.decided_by == alice_world.am.user and cr.decision_ip is None and cr.applied_at is None
        assert project.budget_amount == 0 and not BudgetLine.objects.filter(project=project).exists()


def test_withdrawn_request_cannot_be_decided_and_its_mail_is_not_sent(alice_world):
    cr = draft_with_lines(alice_world)
    with scope(agency=alice_world.agency):
        contact = Contact.objects.get(pk=alice_world.client_contact.contact_id)
        services.change_request_send(agency=alice_world.agency, actor=alice_world.am.user, change_request=cr,
                                     contacts=[contact])  # no commit: the task has not run
        services.change_request_withdraw(agency=alice_world.agency, actor=alice_world.am.user, change_request=cr)
        cr.refresh_from_db()
        with pytest.raises(ServiceError):
            services.change_request_decide(agency=alice_world.agency, actor=alice_world.client_contact.user,
                                           change_request=cr, approve=True, content_hash=cr.content_hash)
    change_request_send_task.delay(agency_id=alice_world.agency.pk, change_request_id=str(cr.pk))
    assert mail.outbox == []


def _extra_work(world, project, designer):
    with scope(agency=world.agency):
        task = f.ProjectTaskFactory(agency=world.agency, project=project, title="Лендинг сверх ТЗ",
                                    out_of_scope=True)
        inside = f.ProjectTaskFactory(agency=world.agency, project=project, title="По ТЗ")
    f.TimeEntryFactory(agency=world.agency, project=project, task=task, user=world.specialist.user, hours=3,
                       role=designer, sell_rate=3000, cost_rate=1200)
    f.TimeEntryFactory(agency=world.agency, project=project, task=task, user=world.specialist.user, hours="2.5",
                       role=designer, sell_rate=3000, cost_rate=1200)
    f.TimeEntryFactory(agency=world.agency, project=project, task=inside, user=world.specialist.user, hours=8,
                       sell_rate=3000, cost_rate=1200)
    return task


def test_hidden_cost_sums_time_on_out_of_scope_tasks_until_an_approved_change_prices_it(
        alice_world, django_capture_on_commit_callbacks):
    project = project_of(alice_world)
    designer, _copywriter = rate_card(alice_world.agency)
    task = _extra_work(alice_world, project, designer)
    with scope(agency=alice_world.agency):
        hidden = selectors.hidden_cost(agency=alice_world.agency, project=project)
        assert (hidden.hours, hidden.cost, hidden.value) == (Decimal("5.5"), Decimal("6600.00"), Decimal("16500.00"))
        cr = services.change_request_from_extra_work(agency=alice_world.agency, actor=alice_world.am.user,
                                                     project=project)
        line = cr.lines.get()
        assert (line.source_task, line.hours, line.role, line.rate) == (task, Decimal("5.5"), designer,
                                                                        Decimal("3000"))
        # A draft does not price it yet, but it is not pre-filled twice.
        assert selectors.hidden_cost(agency=alice_world.agency, project=project).hours == Decimal("5.5")
        with pytest.raises(ServiceError):
            services.change_request_from_extra_work(agency=alice_world.agency, actor=alice_world.am.user,
                                                    project=project)
    cr = send(alice_world, cr, django_capture_on_commit_callbacks)
    with scope(agency=alice_world.agency):
        services.change_request_decide(agency=alice_world.agency, actor=alice_world.client_contact.user,
                                       change_request=cr, approve=True, content_hash=cr.content_hash)
        assert selectors.hidden_cost(agency=alice_world.agency, project=project).hours == 0
        # The line priced an existing task: no new task, no milestone.
        cr.refresh_from_db()
        assert cr.milestone_id is None and ProjectTask.objects.filter(project=project).count() == 2
        assert Project.objects.get(pk=project.pk).budget_hours == Decimal("5.5")
