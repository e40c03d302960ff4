"""The work area's rules (projects.services.work): baselines, status times and events, finish-to-start
dependencies without loops, @mentions."""
import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django_scopes import scope

from mrm.core.errors import ServiceError
from projects import events
from projects.models import Comment, Milestone, ProjectTask, TaskDependency
from projects.services import work as services
from tests import factories as f

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def seen():
    caught = []
    events.subscribe(caught.append)
    yield caught
    events.unsubscribe(caught.append)


@pytest.fixture
def project(alice_world):
    return f.ProjectFactory(client=f.ClientFactory(agency=alice_world.agency), manager=alice_world.specialist.user,
                            start_date=D(2026, 12, 1), end_date=D(2026, 12, 31))


def test_milestone_baseline_is_the_first_agreed_date(alice_world, project):
    agency, actor = alice_world.agency, alice_world.director.user
    with scope(agency=agency):
        m = services.milestone_create(agency=agency, actor=actor, project=project,
                                      data={"title": "Концепция", "due_date": D(2026, 12, 10)})
        assert m.baseline_due_date == D(2026, 12, 10)
        m = services.milestone_update(agency=agency, actor=actor, milestone=m, data={"due_date": D(2026, 12, 15)})
        assert (m.due_date, m.baseline_due_date) == (D(2026, 12, 15), D(2026, 12, 10))
        undated = services.milestone_create(agency=agency, actor=actor, project=project, data={"title": "Б"})
        undated = services.milestone_update(agency=agency, actor=actor, milestone=undated,
                                            data={"due_date": D(2026, 12, 20)})
        assert undated.baseline_due_date == D(2026, 12, 20)


def test_reaching_a_milestone_emits_once_to_client_contacts_when_visible(alice_world, project, seen,
                                                                          django_capture_on_commit_callbacks):
    agency, actor = alice_world.agency, alice_world.director.user
    project.client = alice_world.client_contact.contact.client
    project.save()
    visible = f.MilestoneFactory(project=project, client_visible=True)
    internal = f.MilestoneFactory(project=project, client_visible=False)
    with scope(agency=agency), django_capture_on_commit_callbacks(execute=True):
        m = services.milestone_set_reached(agency=agency, actor=actor, milestone=visible, reached=True)
        services.milestone_set_reached(agency=agency, actor=actor, milestone=m, reached=True)  # again: no event
        services.milestone_set_reached(agency=agency, actor=actor, milestone=internal, reached=True)
    assert m.reached_at is not None
    reached = [e for e in seen if e.kind == "milestone.reached"]
    assert [e.object_id for e in reached] == [str(visible.pk), str(internal.pk)]
    assert list(reached[0].recipient_ids) == [alice_world.client_contact.user_id]
    assert list(reached[1].recipient_ids) == []
    with scope(agency=agency):
        m = services.milestone_set_reached(agency=agency, actor=actor, milestone=m, reached=False)
    assert m.reached_at is None


def test_task_baselines_are_set_when_dates_are_first_given(alice_world, project):
    agency, actor = alice_world.agency, alice_world.director.user
    with scope(agency=agency):
        task = services.task_create(agency=agency, actor=actor, project=project, data={"title": "Баннеры"})
        assert task.baseline_start_date is None
        task = services.task_update(agency=agency, actor=actor, task=task,
                                    data={"start_date": D(2026, 12, 2), "due_date": D(2026, 12, 4)})
        task = services.task_update(agency=agency, actor=actor, task=task, data={"due_date": D(2026, 12, 8)})
    assert (task.baseline_start_date, task.baseline_due_date) == (D(2026, 12, 2), D(2026, 12, 4))
    assert task.due_date == D(2026, 12, 8)


def test_due_before_start_and_a_negative_estimate_are_refused(alice_world, project):
    agency, actor = alice_world.agency, alice_world.director.user
    with scope(agency=agency):
        with pytest.raises(ServiceError) as error:
            services.task_create(agency=agency, actor=actor, project=project,
                                 data={"title": "X", "start_date": D(2026, 12, 5), "due_date": D(2026, 12, 4)})
        assert error.value.field == "due_date"
        with pytest.raises(ServiceError) as error:
            services.task_create(agency=agency, actor=actor, project=project,
                                 data={"title": "X", "estimate_hours": -1})
        assert error.value.field == "estimate_hours"
        assert not ProjectTask.objects.filter(project=project).exists()


def test_a_milestone_of_another_project_is_refused(alice_world, project):
    agency, actor = alice_world.agency, alice_world.director.user
    other = f.MilestoneFactory(project=f.ProjectFactory(client=project.client))
    with scope(agency=agency), pytest.raises(ServiceError) as error:
        services.task_create(agency=agency, actor=actor, project=project, data={"title": "X", "milestone": other})
    assert error.value.field == "milestone"


def test_status_moves_record_times_and_emit_events(alice_world, project, seen, django_capture_on_commit_callbacks):
    agency, actor = alice_world.agency, alice_world.director.user
    project.client = alice_world.client_contact.contact.client
    project.save()
    with scope(agency=agency), django_capture_on_commit_callbacks(execute=True):
        task = services.task_create(agency=agency, actor=actor, project=project,
                                    data={"title": "Лендинг", "assignee": alice_world.am.user,
                                          "client_visible": True})
        internal = services.task_create(agency=agency, actor=actor, project=project, data={"title": "Внутренняя"})
        services.task_set_status(agency=agency, actor=actor, task=internal, status=ProjectTask.Status.CLIENT_APPROVAL)
        task = services.task_set_status(agency=agency, actor=actor, task=task,
                                        status=ProjectTask.Status.CLIENT_APPROVAL)
        approval_at = task.status_changed_at
        assert task.completed_at is None
        task = services.task_set_status(agency=agency, actor=actor, task=task, status=ProjectTask.Status.DONE)
        assert task.completed_at is not None and task.status_changed_at >= approval_at
        task = services.task_set_status(agency=agency, actor=actor, task=task, status=ProjectTask.Status.REVIEW)
        assert task.completed_at is None
    kinds = [e.kind for e in seen]
    assert kinds == ["task.assigned", "task.status_changed", "approval.needed", "task.status_changed",
                     "approval.needed", "task.status_changed", "task.status_changed"]
    assert list(seen[0].recipient_ids) == [alice_world.am.user_id]
    assert list(seen[1].recipient_ids) == [alice_world.specialist.user_id]  # the PM
    assert seen[1].context["new_status"] == "client_approval"
    # The internal task: the wait is recorded, the client is not asked about what they cannot see.
    assert seen[2].object_id != str(task.pk) and list(seen[2].recipient_ids) == []
    assert seen[4].object_id == str(task.pk)
    assert list(seen[4].recipient_ids) == [alice_world.client_contact.user_id]


def test_reassigning_emits_task_assigned_for_the_new_assignee_only(alice_world, project, seen,
                                                                   django_capture_on_commit_callbacks):
    agency, actor = alice_world.agency, alice_world.director.user
    task = f.ProjectTaskFactory(project=project, assignee=alice_world.am.user)
    with scope(agency=agency), django_capture_on_commit_callbacks(execute=True):
        services.task_update(agency=agency, actor=actor, task=task, data={"title": "Новое имя"})
        services.task_update(agency=agency, actor=actor, task=task, data={"assignee": alice_world.am2.user})
    assert [(e.kind, list(e.recipient_ids)) for e in seen] == [("task.assigned", [alice_world.am2.user_id])]


def test_dependencies_refuse_loops_direct_and_through_other_tasks(alice_world, project):
    agency, actor = alice_world.agency, alice_world.director.user
    a, b, c, d = (f.ProjectTaskFactory(project=project, title=t) for t in "abcd")
    with scope(agency=agency):
        services.dependency_add(agency=agency, actor=actor, predecessor=a, successor=b)
        services.dependency_add(agency=agency, actor=actor, predecessor=b, successor=c)
        services.dependency_add(agency=agency, actor=actor, predecessor=a, successor=d)  # a diamond is fine
        with translation.override("en"):
            with pytest.raises(ServiceError) as error:
                services.dependency_add(agency=agency, actor=actor, predecessor=c, successor=a)
            assert error.value.code == "cycle" and "loop" in error.value.message
            with pytest.raises(ServiceError) as error:
                services.dependency_add(agency=agency, actor=actor, predecessor=b, successor=a)
            assert error.value.code == "cycle"
            with pytest.raises(ServiceError) as error:
                services.dependency_add(agency=agency, actor=actor, predecessor=a, successor=b)
            assert error.value.code == "duplicate"
        # The graph check reads the project's dependencies in one query (plus the lock), whatever their number.
        with CaptureQueriesContext(connection) as queries, pytest.raises(ServiceError):
            services.dependency_add(agency=agency, actor=actor, predecessor=c, successor=a)
        assert len([q for q in queries.captured_queries if q["sql"].startswith("SELECT")]) == 2
        assert TaskDependency.objects.filter(successor__project=project).count() == 3


def test_a_dependency_across_projects_is_refused(alice_world, project):
    agency, actor = alice_world.agency, alice_world.director.user
    a = f.ProjectTaskFactory(project=project)
    b = f.ProjectTaskFactory(project=f.ProjectFactory(client=project.client))
    with scope(agency=agency), pytest.raises(ServiceError) as error:
        services.dependency_add(agency=agency, actor=actor, predecessor=b, successor=a)
    assert error.value.code == "other_project"


@pytest.mark.parametrize(("body", "expected"), [
    ("@anna.petrova глянь макет", ["anna"]),
    ("Коллеги, @Анна Петрова и @ivan, посмотрите", ["anna", "ivan"]),
    ("@Иван, срочно", ["ivan"]),
    ("пишите на team@anna.petrova.ru", []),
    ("@anna.petrovaX не она", []),
    ("@client — клиент не упоминается", []),
    ("@ghost нет такого", []),
])
def test_mentions_resolve_to_active_staff_by_name_or_email_prefix(alice_world, body, expected):
    agency = alice_world.agency
    anna = f.MembershipFactory(agency=agency, role="specialist",
                               user=f.UserFactory(email="anna.petrova@alice.test", full_name="Анна Петрова"))
    ivan = f.MembershipFactory(agency=agency, role="am", user=f.UserFactory(email="ivan@alice.test",
                                                                            full_name="Иван Сидоров"))
    f.MembershipFactory(agency=agency, role="specialist", is_active=False,
                        user=f.UserFactory(email="ghost@alice.test", full_name="Призрак"))
    ids = {"anna": anna.user_id, "ivan": ivan.user_id}
    with scope(agency=agency):
        found = services.mentions_find(body, services.mention_candidates(agency=agency))
    assert [uid for _s, _e, uid in found] == [ids[name] for name in expected]
    for start, end, _uid in found:
        assert body[start] == "@" and end <= len(body)


def test_a_comment_tells_the_mentioned_people_but_not_its_author(alice_world, project, seen,
                                                                django_capture_on_commit_callbacks):
    agency = alice_world.agency
    task = f.ProjectTaskFactory(project=project)
    with scope(agency=agency), django_capture_on_commit_callbacks(execute=True):
        comment = services.comment_add(agency=agency, actor=alice_world.am.user, task=task,
                                       body="@am2 и @am — гляньте <b>это</b>")
    assert comment.mentioned_user_ids == sorted([alice_world.am2.user_id, alice_world.am.user_id])
    assert [(e.kind, list(e.recipient_ids)) for e in seen] == [("comment.mention", [alice_world.am2.user_id])]
    assert comment.segments()[0] == ("@am2", True)
    with scope(agency=agency), pytest.raises(ServiceError):
        services.comment_add(agency=agency, actor=alice_world.am.user, task=task, body="   ")
    with scope(agency=agency):
        assert Comment.objects.filter(task=task).count() == 1


def test_deleting_a_milestone_keeps_its_tasks(alice_world, project):
    m = f.MilestoneFactory(project=project)
    task = f.ProjectTaskFactory(project=project, milestone=m)
    with scope(agency=alice_world.agency):
        services.milestone_delete(agency=alice_world.agency, actor=alice_world.director.user, milestone=m)
        task.refresh_from_db()
        assert task.milestone_id is None and not Milestone.objects.filter(pk=m.pk).exists()
