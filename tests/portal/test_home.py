"""The portal's home: the company's projects with progress and the next client-visible milestone, what the
agency waits for from the client, recent activity; only what is shared, only the own company, constant queries."""
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from projects.models import ChangeRequest, Project, ProjectTask
from proposals.models import Proposal
from proposals.public import link_token
from tests import factories as f
from tests.conftest import login

from .helpers import company_of, done_task, project_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    """The assertions read the English texts; the Russian catalogue is compiled."""
    settings.LANGUAGE_CODE = "en"

HOME = "/portal/"


def test_empty_home_explains_each_block(alice_world):
    page = login(alice_world.client_contact).get(HOME)
    body = page.content.decode()
    assert page.status_code == 200
    assert "No projects under way" in body and "Nothing is waiting for you" in body and "No activity yet" in body
    assert company_of(alice_world).name in body


def test_projects_show_status_progress_and_the_next_client_visible_milestone(alice_world):
    project = project_for(alice_world, name="Сайт-визитка", status=Project.Status.ACTIVE)
    for _ in range(3):
        f.ProjectTaskFactory(project=project, client_visible=True)
    done_task(project, client_visible=True)
    done_task(project, client_visible=False, title="Внутренняя вычитка")  # not counted, not shown
    today = timezone.localdate()
    f.MilestoneFactory(project=project, title="Старт", due_date=today - timedelta(days=9), reached_at=timezone.now())
    f.MilestoneFactory(project=project, title="Скрытая веха", due_date=today + timedelta(days=1),
                       client_visible=False)
    f.MilestoneFactory(project=project, title="Прототип", due_date=today + timedelta(days=5))
    f.MilestoneFactory(project=project, title="Запуск", due_date=today + timedelta(days=30))
    finished = project_for(alice_world, name="Прошлый проект", status=Project.Status.DONE)
    project_for(alice_world, name="Отменённый проект", status=Project.Status.CANCELLED)

    body = login(alice_world.client_contact).get(HOME).content.decode()
    assert f'id="portal-project-{project.pk}"' in body
    assert "1 of 4 tasks done" in body and 'aria-valuenow="25"' in body and "mrm-project-status-active" in body
    assert "Прототип" in body and (today + timedelta(days=5)).strftime("%d.%m.%Y") in body
    assert "Скрытая веха" not in body and "Внутренняя вычитка" not in body
    assert "Отменённый проект" not in body
    assert 'id="portal-finished"' in body and reverse("portal:project", args=[finished.pk]) in body


def test_milestone_progress_when_no_task_is_shared(alice_world):
    project = project_for(alice_world)
    f.MilestoneFactory(project=project, reached_at=timezone.now())
    f.MilestoneFactory(project=project)
    f.ProjectTaskFactory(project=project)  # hidden
    body = login(alice_world.client_contact).get(HOME).content.decode()
    assert "1 of 2 milestones reached" in body


def test_waiting_for_you_lists_approvals_change_requests_and_proposals(alice_world):
    client = alice_world.client_contact
    project = project_for(alice_world)
    approval = f.ProjectTaskFactory(project=project, client_visible=True, title="Согласовать макет главной",
                                    status=ProjectTask.Status.CLIENT_APPROVAL, due_date=date(2020, 1, 1))
    f.ProjectTaskFactory(project=project, client_visible=False, title="Скрытое согласование",
                         status=ProjectTask.Status.CLIENT_APPROVAL)
    sent = f.ChangeRequestFactory(project=project, title="Ещё два баннера", status=ChangeRequest.Status.SENT,
                                  sent_at=timezone.now())
    f.ChangeRequestFactory(project=project, title="Черновик доработки")  # a draft: the agency's business
    decided = f.ChangeRequestFactory(project=project, title="Уже решено", status=ChangeRequest.Status.APPROVED,
                                     sent_at=timezone.now(), decided_at=timezone.now())
    mine = f.ProposalFactory(client=company_of(alice_world), title="КП на SEO", status=Proposal.Status.SENT,
                             sent_at=timezone.now())
    recipient = f.RecipientFactory(version=f.ProposalVersionFactory(proposal=mine), contact=client.contact)
    colleagues = f.ProposalFactory(client=company_of(alice_world), title="КП коллеге", status=Proposal.Status.SENT,
                                   sent_at=timezone.now())
    f.RecipientFactory(version=f.ProposalVersionFactory(proposal=colleagues),
                       contact=f.ContactFactory(client=company_of(alice_world)))
    f.ProposalFactory(client=company_of(alice_world), title="Принятое КП", status=Proposal.Status.ACCEPTED,
                      sent_at=timezone.now(), decided_at=timezone.now())
    f.ProposalFactory(client=company_of(alice_world), title="Черновик КП")

    page = login(client).get(HOME).content.decode()
    body = page[page.index('id="portal-waiting"'):page.index('id="portal-projects"')]
    assert 'id="portal-waiting-count">4<' in body
    assert f'id="portal-approval-{approval.pk}"' in body and "Согласовать макет главной" in body
    assert "Скрытое согласование" not in body
    assert reverse("portal:change_detail", args=[sent.pk]) in body and "Черновик доработки" not in body
    assert f'id="portal-pending-change-{decided.pk}"' not in body
    # The КП: the portal's proposal page when it exists, else this contact's personal link, else no link.
    try:
        expected = reverse("portal:proposals")
    except Exception:  # the portal proposals pages are another area's; the personal link stands in
        recipient.agency = alice_world.agency
        expected = reverse("proposals_public:webview", args=[link_token(recipient=recipient)])
    assert expected in body and "КП на SEO" in body and "КП коллеге" in body
    assert "Принятое КП" not in body and "Черновик КП" not in body


def test_recent_activity_shows_shared_events_newest_first(alice_world):
    project = project_for(alice_world, name="Проект активности")
    now = timezone.now()
    f.MilestoneFactory(project=project, title="Веха пройдена", reached_at=now - timedelta(days=3))
    f.MilestoneFactory(project=project, title="Скрытая пройденная", reached_at=now, client_visible=False)
    done_task(project, client_visible=True, title="Баннеры готовы", completed_at=now - timedelta(days=2))
    done_task(project, client_visible=False, title="Внутренняя задача готова")
    f.ChangeRequestFactory(project=project, title="Доработка отправлена", status=ChangeRequest.Status.SENT,
                           sent_at=now - timedelta(days=1))
    f.ProposalFactory(client=company_of(alice_world), title="КП отправлено", status=Proposal.Status.SENT,
                      sent_at=now - timedelta(hours=1))
    body = login(alice_world.client_contact).get(HOME).content.decode()
    activity = body[body.index('id="portal-activity"'):]
    positions = [activity.index(t) for t in ("КП отправлено", "Доработка отправлена", "Баннеры готовы",
                                              "Веха пройдена")]
    assert positions == sorted(positions)
    assert "Скрытая пройденная" not in body and "Внутренняя задача готова" not in body


def test_another_company_and_another_agency_never_show(alice_world, bob_world):
    other = f.ClientFactory(agency=alice_world.agency, name="Чужая компания")
    foreign = f.ProjectFactory(agency=alice_world.agency, client=other, name="Чужой проект")
    f.ProjectTaskFactory(project=foreign, client_visible=True, status=ProjectTask.Status.CLIENT_APPROVAL,
                         title="Чужое согласование")
    f.ChangeRequestFactory(project=foreign, title="Чужая доработка", status=ChangeRequest.Status.SENT,
                           sent_at=timezone.now())
    f.ProposalFactory(client=other, title="Чужое КП", status=Proposal.Status.SENT, sent_at=timezone.now())
    f.MilestoneFactory(project=foreign, title="Чужая веха", reached_at=timezone.now())
    bobs = f.ProjectFactory(agency=bob_world.agency, client=company_of(bob_world), name="Проект Боба")
    f.MilestoneFactory(project=bobs, title="Веха Боба", reached_at=timezone.now())
    body = login(alice_world.client_contact).get(HOME).content.decode()
    for text in ("Чужой проект", "Чужое согласование", "Чужая доработка", "Чужое КП", "Чужая веха", "Проект Боба",
                 "Веха Боба"):
        assert text not in body


def test_staff_are_turned_away_from_the_portal_home(alice_world):
    assert login(alice_world.am).get(HOME).status_code == 403


def _fill(world, projects: int, milestones_each: int):
    for _ in range(projects):
        project = project_for(world)
        f.MilestoneFactory.create_batch(milestones_each, project=project, due_date=timezone.localdate())
        f.ProjectTaskFactory(project=project, client_visible=True, status=ProjectTask.Status.CLIENT_APPROVAL)
        done_task(project, client_visible=True)
        f.ChangeRequestFactory(project=project, status=ChangeRequest.Status.SENT, sent_at=timezone.now())
        proposal = f.ProposalFactory(client=company_of(world), status=Proposal.Status.SENT, sent_at=timezone.now())
        f.RecipientFactory(version=f.ProposalVersionFactory(proposal=proposal), contact=world.client_contact.contact)


def test_home_query_count_is_constant(alice_world, django_assert_max_num_queries):
    http = login(alice_world.client_contact)
    _fill(alice_world, 1, 1)
    http.get(HOME)  # warm the session and caches
    with django_assert_max_num_queries(16) as small:
        assert http.get(HOME).status_code == 200
    _fill(alice_world, 19, 10)  # 20 projects, 200 milestones
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = http.get(HOME)
    assert page.status_code == 200 and page.content.decode().count('class="card h-100" id="portal-project-') == 20
