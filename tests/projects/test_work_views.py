"""The work pages of a project: board, list, task page, milestones, "My tasks" — who may see and do what,
constant queries with hundreds of tasks, validation answers, safe rendering of comments, task files."""
import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from projects.models import Comment, Milestone, ProjectTask, TaskAttachment, TaskDependency
from tests import factories as f
from tests.conftest import login

pytestmark = pytest.mark.django_db
D = datetime.date
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def setup(alice_world):
    """A project the specialist is on the team of (not its PM), one they manage, one they are not on."""
    w = alice_world
    client = f.ClientFactory(agency=w.agency, owner=w.am.user)
    team = f.ProjectFactory(client=client, start_date=D(2026, 12, 1), end_date=D(2026, 12, 31))
    f.ProjectMemberFactory(project=team, user=w.specialist.user)
    managed = f.ProjectFactory(client=client, manager=w.specialist.user)
    outside = f.ProjectFactory(client=client)
    return team, managed, outside


def url(name, *args):
    return reverse(f"projects:{name}", args=args)


def test_board_and_list_keep_a_constant_query_count_with_300_tasks(alice_world, setup,
                                                                    django_assert_max_num_queries):
    team, _, _ = setup
    milestone = f.MilestoneFactory(project=team)
    workstream = f.WorkstreamFactory(project=team)
    statuses = ProjectTask.Status.values
    people = [alice_world.am.user, alice_world.specialist.user, None]
    for i in range(300):
        f.ProjectTaskFactory(project=team, status=statuses[i % 5], assignee=people[i % 3], position=i,
                             milestone=milestone if i % 2 else None, workstream=workstream, due_date=D(2026, 12, 5))
    http = login(alice_world.am)
    with django_assert_max_num_queries(12):
        board = http.get(url("task_board", team.pk))
    assert board.status_code == 200
    body = board.content.decode()
    assert body.count('class="card card-sm mrm-task-card"') == 5 * 20  # each column shows its first 20
    assert 'id="col-count-todo">60<' in body and 'id="col-more-todo"' in body
    with django_assert_max_num_queries(12):
        more = http.get(url("task_board", team.pk) + "?show_todo=40")
    assert more.content.decode().count('class="card card-sm mrm-task-card"') == 4 * 20 + 40
    with django_assert_max_num_queries(14):
        listing = http.get(url("task_list", team.pk) + "?sort=due")
    assert listing.status_code == 200 and listing.content.decode().count('id="row-') == 50
    with django_assert_max_num_queries(12):
        mine = http.get(url("my_tasks"))
    assert mine.content.decode().count('id="mytask-') == 50


def test_work_pages_of_another_agency_or_an_invisible_project_answer_404(alice_world, bob_world, setup):
    _, _, outside = setup
    foreign = f.ProjectFactory(client=f.ClientFactory(agency=bob_world.agency))
    foreign_task = f.ProjectTaskFactory(project=foreign)
    director = login(alice_world.director)
    for name in ("task_board", "task_list", "milestones", "task_create"):
        assert director.get(url(name, foreign.pk)).status_code == 404
    assert director.get(url("task_detail", foreign.pk, foreign_task.pk)).status_code == 404
    # Alice's own project with Bob's task id in the address is not found either.
    own = f.ProjectFactory(client=f.ClientFactory(agency=alice_world.agency))
    assert director.get(url("task_detail", own.pk, foreign_task.pk)).status_code == 404
    specialist = login(alice_world.specialist)
    assert specialist.get(url("task_board", outside.pk)).status_code == 404
    hidden = f.ProjectTaskFactory(project=outside)
    assert specialist.post(url("task_status", outside.pk, hidden.pk), {"status": "done"}).status_code == 404


def test_a_team_specialist_works_on_tasks_but_does_not_manage_them(alice_world, setup):
    team, managed, _ = setup
    task = f.ProjectTaskFactory(project=team)
    http = login(alice_world.specialist)
    assert http.get(url("task_board", team.pk)).status_code == 200
    assert http.get(url("task_create", team.pk)).status_code == 403
    assert http.post(url("task_create", team.pk), {"title": "X", "estimate_hours": "1"}).status_code == 403
    assert http.get(url("task_edit", team.pk, task.pk)).status_code == 403
    assert http.post(url("milestone_create", team.pk), {"title": "M"}).status_code == 403
    moved = http.post(url("task_status", team.pk, task.pk), {"status": "in_progress"})
    assert moved.status_code == 302
    commented = http.post(url("task_comment_add", team.pk, task.pk), {"body": "Начал"})
    assert commented.status_code == 302
    with scopes_disabled():
        task.refresh_from_db()
        assert task.status == "in_progress" and task.status_changed_at is not None
        assert Comment.objects.filter(task=task).count() == 1
    # As the PM of the other project they manage it.
    created = http.post(url("task_create", managed.pk), {"title": "Своя задача", "estimate_hours": "2"})
    assert created.status_code == 302
    with scopes_disabled():
        assert ProjectTask.objects.filter(project=managed, title="Своя задача").exists()


def test_a_client_contact_has_no_work_pages(alice_world, setup):
    team, _, _ = setup
    response = login(alice_world.client_contact).get(url("task_board", team.pk))
    assert response.status_code in (302, 403)


def test_board_move_with_htmx_returns_the_board_and_without_js_redirects(alice_world, setup):
    team, _, _ = setup
    task = f.ProjectTaskFactory(project=team)
    http = login(alice_world.am)
    response = http.post(url("task_status", team.pk, task.pk), {"status": "review", "from": "board"}, **HX)
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="board"') and f'id="ptask-{task.pk}"' in body
    assert 'id="col-count-review">1<' in body
    plain = http.post(url("task_status", team.pk, task.pk), {"status": "done", "from": "board"})
    assert plain.status_code == 302 and plain["Location"].startswith(url("task_board", team.pk))
    with scopes_disabled():
        task.refresh_from_db()
    assert task.status == "done" and task.completed_at is not None
    assert http.post(url("task_status", team.pk, task.pk), {"status": "nope"}).status_code == 422
    refused = http.post(url("task_status", team.pk, task.pk), {"status": "nope", "from": "board"}, **HX)
    assert refused.status_code == 422 and refused.content.decode().lstrip().startswith('<div id="board"')


def test_task_form_refuses_due_before_start_and_negative_estimates(alice_world, setup):
    team, _, _ = setup
    http = login(alice_world.am)
    bad = http.post(url("task_create", team.pk), {"title": "X", "estimate_hours": "-2", "start_date": "2026-12-10",
                                                  "due_date": "2026-12-05"})
    assert bad.status_code == 422
    form = bad.context["form"]
    assert set(form.errors) == {"estimate_hours", "due_date"}
    with scopes_disabled():
        assert not ProjectTask.objects.filter(project=team).exists()


def test_dates_outside_the_project_are_flagged_not_refused(alice_world, setup):
    team, _, _ = setup
    http = login(alice_world.am)
    response = http.post(url("task_create", team.pk), {
        "title": "Поздняя", "estimate_hours": "4", "start_date": "2026-12-20", "due_date": "2027-01-15",
        "assignee": alice_world.specialist.user_id}, follow=True)
    assert response.status_code == 200
    with scopes_disabled():
        task = ProjectTask.objects.get(project=team, title="Поздняя")
    assert task.baseline_due_date == D(2027, 1, 15) and task.assignee == alice_world.specialist.user
    assert 'id="task-date-warning"' in response.content.decode()
    assert [m.level_tag for m in response.context["messages"]].count("warning") == 1


def test_assignee_must_be_active_staff_of_the_agency(alice_world, bob_world, setup):
    team, _, _ = setup
    http = login(alice_world.am)
    for user_id in (bob_world.am.user_id, alice_world.client_contact.user_id):
        response = http.post(url("task_create", team.pk), {"title": "X", "estimate_hours": "1", "assignee": user_id})
        assert response.status_code == 422 and "assignee" in response.context["form"].errors


def test_task_edit_keeps_the_baseline_and_reassigns(alice_world, setup):
    team, _, _ = setup
    task = f.ProjectTaskFactory(project=team, start_date=D(2026, 12, 2), due_date=D(2026, 12, 4),
                                baseline_start_date=D(2026, 12, 2), baseline_due_date=D(2026, 12, 4))
    http = login(alice_world.am)
    assert http.get(url("task_edit", team.pk, task.pk)).status_code == 200
    response = http.post(url("task_edit", team.pk, task.pk), {
        "title": "Перенесли", "estimate_hours": "3", "start_date": "2026-12-03", "due_date": "2026-12-09",
        "assignee": alice_world.am2.user_id})
    assert response.status_code == 302
    with scopes_disabled():
        task.refresh_from_db()
    assert (task.title, task.due_date, task.baseline_due_date) == ("Перенесли", D(2026, 12, 9), D(2026, 12, 4))
    assert task.assignee == alice_world.am2.user


def test_dependencies_on_the_task_page_refuse_loops_and_flag_early_starts(alice_world, setup):
    team, _, _ = setup
    first = f.ProjectTaskFactory(project=team, title="Концепция", due_date=D(2026, 12, 10))
    second = f.ProjectTaskFactory(project=team, title="Макеты", start_date=D(2026, 12, 8))
    http = login(alice_world.am)
    added = http.post(url("task_dependency_add", team.pk, second.pk), {"predecessor": first.pk})
    assert added.status_code == 302
    page = http.get(url("task_detail", team.pk, second.pk)).content.decode()
    assert "dep-conflict" in page and "Концепция" in page
    loop = http.post(url("task_dependency_add", team.pk, first.pk), {"predecessor": second.pk})
    assert loop.status_code == 422
    assert 'id="dependency-error"' in loop.content.decode()
    other_project = f.ProjectTaskFactory(project=f.ProjectFactory(client=team.client))
    foreign = http.post(url("task_dependency_add", team.pk, first.pk), {"predecessor": other_project.pk})
    assert foreign.status_code == 422  # not a choice: only this project's tasks are offered
    with scopes_disabled():
        link = TaskDependency.objects.get(successor=second)
    specialist = login(alice_world.specialist)
    assert specialist.post(url("task_dependency_remove", team.pk, second.pk, link.pk)).status_code == 403
    assert http.post(url("task_dependency_remove", team.pk, second.pk, link.pk)).status_code == 302
    with scopes_disabled():
        assert not TaskDependency.objects.filter(pk=link.pk).exists()


def test_comments_render_mentions_safely(alice_world, setup):
    team, _, _ = setup
    task = f.ProjectTaskFactory(project=team)
    http = login(alice_world.am)
    http.post(url("task_comment_add", team.pk, task.pk), {"body": "@am2 <script>alert(1)</script> посмотри"})
    page = http.get(url("task_detail", team.pk, task.pk)).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert '<span class="mrm-mention fw-medium text-primary">@am2</span>' in page
    with scopes_disabled():
        comment = Comment.objects.get(task=task)
    assert comment.mentioned_user_ids == [alice_world.am2.user_id]
    # Only its author (or a manager of the project) deletes a comment.
    specialist = login(alice_world.specialist)
    assert specialist.post(url("task_comment_delete", team.pk, task.pk, comment.pk)).status_code == 403
    assert http.post(url("task_comment_delete", team.pk, task.pk, comment.pk)).status_code == 302


def test_task_files_are_checked_and_downloaded_only_by_who_sees_the_project(alice_world, bob_world, setup):
    team, _, outside = setup
    task = f.ProjectTaskFactory(project=team)
    specialist = login(alice_world.specialist)
    upload = SimpleUploadedFile("Макет.pdf", b"%PDF-1.4 layout", content_type="application/pdf")
    response = specialist.post(url("task_attachment_upload", team.pk, task.pk), {"file": upload})
    assert response.status_code == 302
    renamed = SimpleUploadedFile("evil.pdf", b"MZ\x90\x00 a program", content_type="application/pdf")
    refused = specialist.post(url("task_attachment_upload", team.pk, task.pk), {"file": renamed})
    assert refused.status_code == 422 and "file" in refused.context["attachment_form"].errors
    with scopes_disabled():
        attachment = TaskAttachment.objects.get(task=task)
    assert attachment.name == "Макет" and attachment.content_type == "application/pdf"
    download_url = url("task_attachment_download", team.pk, task.pk, attachment.pk)
    download = specialist.get(download_url)
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content) == b"%PDF-1.4 layout"
    # A specialist not on the project, and another agency, get 404.
    other = f.MembershipFactory(agency=alice_world.agency, role="specialist")
    assert login(other).get(download_url).status_code == 404
    assert login(bob_world.director).get(download_url).status_code == 404
    # Someone else's upload: the team specialist may not delete it, a manager may.
    by_am = f.TaskAttachmentFactory(task=task, uploaded_by=alice_world.am.user)
    assert specialist.post(url("task_attachment_delete", team.pk, task.pk, by_am.pk)).status_code == 403
    assert login(alice_world.am).post(url("task_attachment_delete", team.pk, task.pk, by_am.pk)).status_code == 302
    with scopes_disabled():
        assert not TaskAttachment.objects.filter(pk=by_am.pk).exists()


def test_list_filters_search_and_sort(alice_world, setup):
    team, _, _ = setup
    ms = f.MilestoneFactory(project=team)
    ws = f.WorkstreamFactory(project=team)
    late = f.ProjectTaskFactory(project=team, title="Просрочена", due_date=timezone.localdate() - datetime.timedelta(days=2),
                                assignee=alice_world.am.user, milestone=ms)
    done = f.ProjectTaskFactory(project=team, title="Готова", status="done", workstream=ws,
                                due_date=timezone.localdate() - datetime.timedelta(days=5))
    future = f.ProjectTaskFactory(project=team, title="Баннеры", due_date=timezone.localdate() + datetime.timedelta(days=3))
    http = login(alice_world.am)

    def ids(query):
        response = http.get(url("task_list", team.pk) + query)
        assert response.status_code == 200
        return [t.pk for t in response.context["page"].object_list]

    assert ids("?overdue=1") == [late.pk]
    assert ids("?status=done") == [done.pk]
    assert set(ids("?status=open")) == {late.pk, future.pk}
    assert ids(f"?assignee={alice_world.am.user_id}") == [late.pk]
    assert set(ids("?assignee=none")) == {done.pk, future.pk}
    assert ids(f"?milestone={ms.pk}") == [late.pk]
    assert ids(f"?workstream={ws.pk}") == [done.pk]
    assert ids("?q=баннер") == [future.pk]
    assert ids("?sort=due") == [done.pk, late.pk, future.pk]
    assert ids("?sort=-due") == [future.pk, late.pk, done.pk]
    assert ids("?milestone=not-a-uuid&sort=bogus") == ids("")
    partial = http.get(url("task_list", team.pk) + "?q=баннер", HTTP_HX_TARGET="task-results", **HX)
    assert partial.content.decode().lstrip().startswith('<div class="card" id="task-results">')


def test_my_tasks_lists_own_tasks_of_visible_projects(alice_world, bob_world, setup):
    team, _, outside = setup
    me = alice_world.specialist.user
    mine = f.ProjectTaskFactory(project=team, assignee=me, title="Моя")
    f.ProjectTaskFactory(project=team, assignee=alice_world.am.user, title="Чужая")
    f.ProjectTaskFactory(project=outside, assignee=me, title="На чужом проекте")  # no longer on that team
    finished = f.ProjectTaskFactory(project=team, assignee=me, status="done", completed_at=timezone.now())
    http = login(alice_world.specialist)
    response = http.get(url("my_tasks"))
    assert [t.pk for t in response.context["page"].object_list] == [mine.pk]
    done = http.get(url("my_tasks") + "?show=done")
    assert [t.pk for t in done.context["page"].object_list] == [finished.pk]
    assert 'id="nav-my-tasks"' in response.content.decode()


def test_milestones_create_edit_reach_delete(alice_world, setup):
    team, _, _ = setup
    http = login(alice_world.am)
    page = http.get(url("milestones", team.pk))
    assert page.status_code == 200 and 'id="milestone-add"' in page.content.decode()
    bad = http.post(url("milestone_create", team.pk), {"title": ""})
    assert bad.status_code == 422
    created = http.post(url("milestone_create", team.pk), {"title": "Запуск", "due_date": "2027-02-01",
                                                           "client_visible": "on"}, follow=True)
    assert created.status_code == 200
    assert [m.level_tag for m in created.context["messages"]].count("warning") == 1  # past the planned end
    with scopes_disabled():
        milestone = Milestone.objects.get(project=team)
    assert milestone.baseline_due_date == D(2027, 2, 1) and milestone.client_visible
    assert http.post(url("milestone_edit", team.pk, milestone.pk),
                     {"title": "Запуск", "due_date": "2026-12-20"}).status_code == 302
    assert http.post(url("milestone_reached", team.pk, milestone.pk), {"reached": "1"}).status_code == 302
    with scopes_disabled():
        milestone.refresh_from_db()
    assert milestone.reached_at is not None and milestone.baseline_due_date == D(2027, 2, 1)
    assert not milestone.client_visible  # the unchecked box on edit
    page = http.get(url("milestones", team.pk)).content.decode()
    assert f'id="milestone-slip-{milestone.pk}"' in page
    specialist = login(alice_world.specialist)
    assert specialist.get(url("milestones", team.pk)).status_code == 200
    assert specialist.post(url("milestone_delete", team.pk, milestone.pk)).status_code == 403
    assert http.post(url("milestone_delete", team.pk, milestone.pk)).status_code == 302
    with scope(agency=alice_world.agency):
        assert not Milestone.objects.filter(pk=milestone.pk).exists()


def test_the_project_page_has_the_tasks_tab(alice_world, setup):
    team, _, _ = setup
    page = login(alice_world.am).get(url("detail", team.pk)).content.decode()
    assert f'href="{url("task_board", team.pk)}" id="tab-tasks"' in page
