"""The alert engine over the database: raise, update, stay quiet once acknowledged, raise again when worse,
resolve; constant queries; the hourly sweep and the debounced on-change run."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scope

from projects import events
from projects.alerts import engine, signals, tasks
from projects.models import Alert, Project
from projects.services.alerts import alert_acknowledge
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def raised():
    seen = []

    def listener(event):
        if event.kind == "alert.raised":
            seen.append(event)

    events.subscribe(listener)
    yield seen
    events.unsubscribe(listener)


def _late_project(world, **kw):
    """An active project whose task on client approval has waited 10 working days (the agreement: 3)."""
    kw.setdefault("manager", world.specialist.user)
    kw.setdefault("account_manager", world.am.user)
    project = f.ProjectFactory(client=f.ClientFactory(agency=world.agency, owner=world.am.user), approval_days=3,
                               **kw)
    f.InteractionFactory(client=project.client, occurred_at=timezone.now())
    task = f.ProjectTaskFactory(project=project, status="client_approval", title="Макет",
                                status_changed_at=timezone.now() - timedelta(days=14))
    return project, task


def _evaluate(world, project, **kw):
    with scope(agency=world.agency):
        return engine.evaluate_project(project=project, **kw)


def _open(world, project):
    with scope(agency=world.agency):
        return list(Alert.objects.filter(agency=world.agency, project=project, resolved_at__isnull=True))


def test_a_new_finding_raises_an_alert_and_emits_once(alice_world, raised, django_capture_on_commit_callbacks):
    project, task = _late_project(alice_world)
    with django_capture_on_commit_callbacks(execute=True):
        result = _evaluate(alice_world, project)
    assert result.raised == 1
    [alert] = _open(alice_world, project)
    assert (alert.kind, alert.subject_key, alert.subject_label) == ("waiting_on_client", f"task:{task.pk}", "Макет")
    assert alert.value >= 9 and alert.severity == "critical" and alert.reason
    assert alert.url.startswith(f"/projects/{project.pk}/")
    [event] = raised
    assert event.object_id == str(alert.pk) and set(event.recipient_ids) == {alice_world.specialist.user_id,
                                                                             alice_world.am.user_id}
    assert event.context["kind"] == "waiting_on_client"
    with django_capture_on_commit_callbacks(execute=True):
        again = _evaluate(alice_world, project)
    assert (again.raised, again.updated) == (0, 1) and len(raised) == 1
    assert len(_open(alice_world, project)) == 1


def test_acknowledged_stays_quiet_until_it_gets_worse(alice_world, raised, django_capture_on_commit_callbacks):
    project, task = _late_project(alice_world)
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        _evaluate(alice_world, project, today=today)
    [alert] = _open(alice_world, project)
    with scope(agency=alice_world.agency):
        alert_acknowledge(agency=alice_world.agency, actor=alice_world.am.user, alert=alert)
    # The next working day: one more day of waiting is below the margin.
    with django_capture_on_commit_callbacks(execute=True):
        _evaluate(alice_world, project, today=today + timedelta(days=1))
    [alert] = _open(alice_world, project)
    assert alert.acknowledged_at is not None and len(raised) == 1
    # Two weeks later it is much worse: raised again, the acknowledgement cleared.
    with django_capture_on_commit_callbacks(execute=True):
        result = _evaluate(alice_world, project, today=today + timedelta(days=14))
    [alert] = _open(alice_world, project)
    assert result.raised == 1 and alert.acknowledged_at is None and alert.acknowledged_value is None
    assert len(raised) == 2 and raised[1].object_id == str(alert.pk)


def test_a_finding_that_is_gone_resolves_its_alert(alice_world, django_capture_on_commit_callbacks):
    project, task = _late_project(alice_world)
    _evaluate(alice_world, project)
    with scope(agency=alice_world.agency):
        type(task).objects.filter(pk=task.pk).update(status="done")
    result = _evaluate(alice_world, project)
    assert result.resolved == 1 and _open(alice_world, project) == []
    # It comes back as a new alert if the task goes back to the client.
    with scope(agency=alice_world.agency):
        type(task).objects.filter(pk=task.pk).update(status="client_approval")
    assert _evaluate(alice_world, project).raised == 1
    with scope(agency=alice_world.agency):
        assert Alert.objects.filter(agency=alice_world.agency, project=project).count() == 2


def test_pausing_a_project_resolves_its_alerts(alice_world):
    project, _ = _late_project(alice_world)
    _evaluate(alice_world, project)
    with scope(agency=alice_world.agency):
        Project.objects.filter(pk=project.pk).update(status=Project.Status.PAUSED)
    assert _evaluate(alice_world, project).resolved == 1


def test_evaluation_reads_a_project_in_constant_queries(alice_world):
    small, _ = _late_project(alice_world)
    big, _ = _late_project(alice_world)
    milestone = f.MilestoneFactory(project=big, due_date=timezone.localdate() + timedelta(days=3))
    previous = None
    for _ in range(15):
        task = f.ProjectTaskFactory(project=big, milestone=milestone, estimate_hours=10,
                                    due_date=timezone.localdate() - timedelta(days=5))
        f.TimeEntryFactory(project=big, task=task, hours=1, date=timezone.localdate() - timedelta(days=2))
        if previous is not None:
            from projects.models import TaskDependency

            TaskDependency.objects.create(agency=alice_world.agency, predecessor=previous, successor=task)
        previous = task
    f.ProjectTaskFactory(project=big, status="client_approval", status_changed_at=timezone.now() - timedelta(days=20))
    _evaluate(alice_world, small)
    _evaluate(alice_world, big)  # the first run creates; compare the steady state
    with CaptureQueriesContext(connection) as few:
        _evaluate(alice_world, small)
    with CaptureQueriesContext(connection) as many:
        _evaluate(alice_world, big)
    kinds = {a.kind for a in _open(alice_world, big)}
    assert {"milestone_at_risk", "critical_overdue", "waiting_on_client"} <= kinds
    assert len(many.captured_queries) == len(few.captured_queries) <= 12


def test_budget_burn_and_client_silence_from_the_database(alice_world):
    project, _ = _late_project(alice_world, budget_hours=Decimal("10"), budget_amount=Decimal("1000"))
    f.ProjectTaskFactory(project=project, estimate_hours=20, status="in_progress")
    f.TimeEntryFactory(project=project, hours=8, sell_rate=200, date=timezone.localdate() - timedelta(days=1))
    with scope(agency=alice_world.agency):
        from clients.models import Interaction, InteractionAgreement

        Interaction.objects.filter(agency=alice_world.agency, client=project.client).update(
            occurred_at=timezone.now() - timedelta(days=30))
        f.InteractionFactory(client=project.client, direction=Interaction.Direction.INTERNAL,
                             occurred_at=timezone.now())  # an internal note is no contact
        InteractionAgreement.objects.create(agency=alice_world.agency, client=project.client, contact_every_days=7)
    _evaluate(alice_world, project)
    alerts = {a.kind: a for a in _open(alice_world, project)}
    assert alerts["budget_burn"].params["basis"] == "money" and alerts["budget_burn"].value == 160.0
    assert alerts["client_silent"].params["allowed"] == 7 and alerts["client_silent"].value == 30.0
    assert alerts["client_silent"].url == f"/clients/{project.client_id}/"


def test_sweep_evaluates_every_agency_once_an_hour(alice_world, bob_world, raised,
                                                   django_capture_on_commit_callbacks):
    mine, _ = _late_project(alice_world)
    theirs, _ = _late_project(bob_world)
    done, _ = _late_project(alice_world, status=Project.Status.DONE)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.alerts_sweep_task.delay().get() >= 2
    assert len(_open(alice_world, mine)) == 1 and len(_open(bob_world, theirs)) == 1
    assert _open(alice_world, done) == []
    assert len(raised) == 2
    # A second delivery in the same hour finds the hour claimed and raises nothing twice.
    with scope(agency=alice_world.agency):
        Alert.objects.filter(agency=alice_world.agency).delete()
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.alerts_evaluate_agency_task.delay(agency_id=alice_world.agency.pk).get() is None
    assert _open(alice_world, mine) == []


def test_sweep_resolves_alerts_of_a_project_that_was_closed(alice_world):
    project, _ = _late_project(alice_world)
    _evaluate(alice_world, project)
    with scope(agency=alice_world.agency):
        Project.objects.filter(pk=project.pk).update(status=Project.Status.DONE)
        result = engine.evaluate_agency(agency=alice_world.agency, batch_size=1)
    assert result.resolved == 1 and _open(alice_world, project) == []


def test_a_change_queues_one_debounced_evaluation(alice_world, django_capture_on_commit_callbacks, monkeypatch):
    project, task = _late_project(alice_world)
    from django.core.cache import cache

    cache.delete(signals.debounce_key(project.pk))  # the factory's own saves queued one already
    queued = []
    original = tasks.alerts_evaluate_project_task.apply_async_on_commit
    monkeypatch.setattr(tasks.alerts_evaluate_project_task, "apply_async_on_commit",
                        lambda *a, **kw: queued.append(kw) or original(*a, **kw))
    with django_capture_on_commit_callbacks(execute=True):
        with scope(agency=alice_world.agency):
            task.title = "Макет v2"
            task.save()
            f.TimeEntryFactory(project=project, hours=1)
            f.MilestoneFactory(project=project)
    assert len(queued) == 1 and queued[0]["countdown"] == signals.DEBOUNCE_SECONDS  # three changes, one run
    assert queued[0]["kwargs"] == {"agency_id": alice_world.agency.pk, "project_id": str(project.pk)}
    assert len(_open(alice_world, project)) == 1  # the eager task ran it
    assert not signals.schedule_evaluation(agency_id=alice_world.agency.pk, project_id=project.pk)
    # Pausing the project (after the window) evaluates it again: its alerts are resolved.
    cache.delete(signals.debounce_key(project.pk))
    with django_capture_on_commit_callbacks(execute=True):
        with scope(agency=alice_world.agency):
            project.status = Project.Status.PAUSED
            project.save()
    assert len(queued) == 2 and _open(alice_world, project) == []
