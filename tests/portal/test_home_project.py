"""The portal's project page (client timeline, milestones, deliverables) and the deliverable download: only what
is shared, only the own company's projects (another company of the same agency and another agency answer 404)."""
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from projects.models import Project, ProjectTask
from tests import factories as f
from tests.conftest import login

from .helpers import company_of, done_task, project_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    """The assertions read the English texts; the Russian catalogue is compiled."""
    settings.LANGUAGE_CODE = "en"


def _page(project):
    return reverse("portal:project", args=[project.pk])


def _file_url(project, attachment):
    return reverse("portal:project_file", args=[project.pk, attachment.pk])


@pytest.fixture
def shared(alice_world):
    """A project with shared and hidden tasks, milestones and files."""
    project = project_for(alice_world, name="Редизайн", start_date=timezone.localdate() - timedelta(days=10),
                          end_date=timezone.localdate() + timedelta(days=40))
    milestone = f.MilestoneFactory(project=project, title="Дизайн-концепция",
                                   due_date=timezone.localdate() + timedelta(days=7))
    hidden_milestone = f.MilestoneFactory(project=project, title="Внутренний ревью", client_visible=False,
                                          due_date=timezone.localdate() + timedelta(days=3))
    task = f.ProjectTaskFactory(project=project, milestone=milestone, client_visible=True, title="Макет главной",
                                start_date=timezone.localdate(), due_date=timezone.localdate() + timedelta(days=5),
                                status=ProjectTask.Status.CLIENT_APPROVAL)
    hidden_task = f.ProjectTaskFactory(project=project, title="Оценка трудозатрат", client_visible=False,
                                       start_date=timezone.localdate(), due_date=timezone.localdate())
    done_task(project, milestone=milestone, client_visible=True)
    deliverable = f.TaskAttachmentFactory(task=task, name="Макет v2", client_visible=True)
    draft = f.TaskAttachmentFactory(task=task, name="Черновик", client_visible=False)
    on_hidden_task = f.TaskAttachmentFactory(task=hidden_task, name="Смета", client_visible=True)
    return {"project": project, "milestone": milestone, "hidden_milestone": hidden_milestone, "task": task,
            "hidden_task": hidden_task, "deliverable": deliverable, "draft": draft,
            "on_hidden_task": on_hidden_task}


def test_project_page_shows_only_shared_items(alice_world, shared):
    page = login(alice_world.client_contact).get(_page(shared["project"]))
    body = page.content.decode()
    assert page.status_code == 200 and "data-client-view" in body
    assert f'id="tl-task-{shared["task"].pk}"' in body and f'id="tl-task-{shared["hidden_task"].pk}"' not in body
    assert f'id="portal-milestone-{shared["milestone"].pk}"' in body
    assert "Внутренний ревью" not in body and "Оценка трудозатрат" not in body
    assert f'id="portal-approval-{shared["task"].pk}"' in body
    assert _file_url(shared["project"], shared["deliverable"]) in body
    assert "Черновик" not in body and "Смета" not in body
    assert "1 of 2 tasks done" in body and 'aria-valuenow="50"' in body
    assert login(alice_world.client_contact).get(_page(shared["project"]) + "?zoom=month").status_code == 200


def test_empty_project_page_explains(alice_world):
    project = project_for(alice_world)
    body = login(alice_world.client_contact).get(_page(project)).content.decode()
    assert 'id="tl-empty"' in body and "No milestones shared yet" in body and "No files yet" in body


def test_deliverable_downloads_as_an_attachment(alice_world, shared):
    response = login(alice_world.client_contact).get(_file_url(shared["project"], shared["deliverable"]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;") and "pdf" in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content) == b"%PDF-1.4 test"


def test_unshared_files_answer_404(alice_world, shared):
    http = login(alice_world.client_contact)
    for key in ("draft", "on_hidden_task"):
        assert http.get(_file_url(shared["project"], shared[key])).status_code == 404
    # A shared file asked for under another project of the same company.
    other = project_for(alice_world)
    assert http.get(_file_url(other, shared["deliverable"])).status_code == 404


def test_another_companys_project_and_file_answer_404(alice_world, shared):
    other_company = f.ClientFactory(agency=alice_world.agency)
    project = f.ProjectFactory(agency=alice_world.agency, client=other_company)
    task = f.ProjectTaskFactory(project=project, client_visible=True)
    attachment = f.TaskAttachmentFactory(task=task, client_visible=True)
    http = login(alice_world.client_contact)
    assert http.get(_page(project)).status_code == 404
    assert http.get(_file_url(project, attachment)).status_code == 404
    # …and the other company's contact cannot open ours.
    contact = f.ContactFactory(client=other_company)
    member = f.MembershipFactory(agency=alice_world.agency, role="client", contact=contact)
    other_http = login(member)
    assert other_http.get(_page(shared["project"])).status_code == 404
    assert other_http.get(_file_url(shared["project"], shared["deliverable"])).status_code == 404


def test_another_agencys_project_and_file_answer_404(alice_world, bob_world):
    project = f.ProjectFactory(agency=bob_world.agency, client=company_of(bob_world))
    task = f.ProjectTaskFactory(project=project, client_visible=True)
    attachment = f.TaskAttachmentFactory(task=task, client_visible=True)
    http = login(alice_world.client_contact)
    assert http.get(_page(project)).status_code == 404
    assert http.get(_file_url(project, attachment)).status_code == 404


def test_cancelled_project_answers_404(alice_world, shared):
    with scopes_disabled():
        Project.objects.filter(pk=shared["project"].pk).update(status=Project.Status.CANCELLED)
    http = login(alice_world.client_contact)
    assert http.get(_page(shared["project"])).status_code == 404
    assert http.get(_file_url(shared["project"], shared["deliverable"])).status_code == 404


def test_staff_are_turned_away(alice_world, shared):
    for member in (alice_world.director, alice_world.am):
        http = login(member)
        assert http.get(_page(shared["project"])).status_code == 403
        assert http.get(_file_url(shared["project"], shared["deliverable"])).status_code == 403


def test_project_page_query_count_is_constant(alice_world, django_assert_max_num_queries):
    project = project_for(alice_world)
    http = login(alice_world.client_contact)

    def add(n):
        for _ in range(n):
            milestone = f.MilestoneFactory(project=project, due_date=timezone.localdate())
            task = f.ProjectTaskFactory(project=project, milestone=milestone, client_visible=True,
                                        status=ProjectTask.Status.CLIENT_APPROVAL)
            f.TaskAttachmentFactory(task=task, client_visible=True)

    add(1)
    http.get(_page(project))
    with django_assert_max_num_queries(20) as small:
        assert http.get(_page(project)).status_code == 200
    add(30)
    with django_assert_max_num_queries(len(small.captured_queries)):
        body = http.get(_page(project)).content.decode()
    assert body.count('id="portal-deliverable-') == 31


def test_client_notifications_link_to_the_portal_project(alice_world, django_capture_on_commit_callbacks):
    from django_scopes import scope

    from mrm.notifications.models import Notification
    from projects.services import work

    project = project_for(alice_world)
    milestone = f.MilestoneFactory(project=project)
    task = f.ProjectTaskFactory(project=project, client_visible=True)
    with scope(agency=alice_world.agency), django_capture_on_commit_callbacks(execute=True):
        work.milestone_set_reached(agency=alice_world.agency, actor=alice_world.am.user, milestone=milestone,
                                   reached=True)
        work.task_set_status(agency=alice_world.agency, actor=alice_world.am.user, task=task,
                             status=ProjectTask.Status.CLIENT_APPROVAL)
    with scopes_disabled():
        urls = set(Notification.objects.filter(recipient=alice_world.client_contact.user).values_list("url", flat=True))
    assert urls == {_page(project)}
    assert login(alice_world.client_contact).get(_page(project)).status_code == 200
