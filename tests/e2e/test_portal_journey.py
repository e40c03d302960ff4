"""Journey of the issue «Client portal», in the browser with two contexts (the AM and the client contact): the AM
invites a contact from the client page; the contact accepts the e-mailed link and is logged in to the portal,
sees the project's timeline, approves a change request, rates a published report 4 of 5, opens an urgent
request; the AM answers it from the client page and the first-reply time appears there; the contact answers
an NPS survey. Every user action goes through the browser; the data the agency prepared beforehand (a project
with client-visible milestones and tasks, a sent change request, a published report, an NPS survey) is built
with factories/services."""
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from playwright.sync_api import Page, expect

from comms.models import ClientRequest
from portal.models import NpsResponse
from projects.models import ChangeRequest, ProjectTask
from projects.services import changes as change_services
from reporting.models import ReportRating
from tests import factories as f
from tests.reporting.reports_helpers import built_report

pytestmark = pytest.mark.django_db(transaction=True)
WAIT = 10000  # ms: a swap or a redirect on a busy 2-core machine


def _login_am(page: Page, base: str, member) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", member.user.email)
    page.fill("input[name=password]", f.PASSWORD)
    page.locator("main button[type=submit]").click()
    expect(page).to_have_url(f"{base}/today/", timeout=WAIT)


def _link_path(body: str, marker: str) -> str:
    link = next(line for line in body.splitlines() if marker in line).strip()
    path = link.split("://", 1)[-1]
    return path[path.index("/"):]


def _agency_prepares(world, person):
    """What the agency set up before the contact's first visit: a project whose plan is shared with the client,
    a change request sent to the contact, an NPS survey waiting for the contact."""
    agency, company, am = world.agency, world.client_contact.contact.client, world.am.user
    today = timezone.localdate()
    project = f.ProjectFactory(agency=agency, client=company, name="Запуск интернет-магазина",
                               start_date=today - timedelta(days=14), end_date=today + timedelta(days=45))
    design = f.MilestoneFactory(project=project, title="Дизайн каталога", due_date=today + timedelta(days=7))
    f.MilestoneFactory(project=project, title="Запуск магазина", due_date=today + timedelta(days=40))
    f.ProjectTaskFactory(project=project, milestone=design, client_visible=True, title="Прототип каталога",
                         status=ProjectTask.Status.DONE, completed_at=timezone.now(),
                         start_date=today - timedelta(days=14), due_date=today - timedelta(days=5))
    f.ProjectTaskFactory(project=project, milestone=design, client_visible=True, title="Макет карточки товара",
                         status=ProjectTask.Status.IN_PROGRESS, start_date=today - timedelta(days=4),
                         due_date=today + timedelta(days=6))
    f.ProjectTaskFactory(project=project, client_visible=False, title="Внутренняя оценка рисков",
                         start_date=today, due_date=today + timedelta(days=3))
    role = f.RateRoleFactory(agency=agency, name="Дизайнер интерфейсов", hourly_rate=4000)
    with scope(agency=agency):
        change = change_services.change_request_create(agency=agency, actor=am, project=project,
                                                       title="Фильтры в каталоге")
        change_services.line_add(agency=agency, actor=am, change_request=change, role=role,
                                 description="Макеты фильтров по цене и бренду", hours=6)
        change_services.change_request_send(agency=agency, actor=am, change_request=change, contacts=[person])
    survey = f.NpsSurveyFactory(agency=agency, contact=person, client=company)
    report = built_report(world, client=company, publish=True)  # built in a job, published to the portal
    return project, change, survey, report


def test_client_portal_journey(page: Page, live_server, alice_world, browser):
    base = live_server.url
    world = alice_world
    company = world.client_contact.contact.client
    person = f.ContactFactory(client=company, agency=world.agency, full_name="Вера Заказчикова",
                              email="vera@portal.example")
    project, change, survey, report = _agency_prepares(world, person)

    # 1. The AM invites the contact from the client page (the HTMX block swaps to «invited»).
    _login_am(page, base, world.am)
    page.goto(f"{base}/clients/{company.pk}/")
    row = page.locator(f"#portal-access-{person.pk}")
    row.locator("button.btn-primary").click()
    expect(row.locator("form[action$='/revoke/']")).to_be_visible(timeout=WAIT)
    invite_path = _link_path(mail.outbox[-1].body, "/accounts/invite/")

    # 2. The contact accepts the e-mailed link with a password and is logged in to the portal.
    contact_context = browser.new_context(locale="ru-RU", viewport={"width": 1280, "height": 900})
    client = contact_context.new_page()
    client.goto(f"{base}{invite_path}")
    client.fill("input[name=full_name]", "Вера З.")
    client.locator("input[name=login_method][value=password]").check()
    client.fill("input[name=password]", "client-pass-2026")
    client.locator("main button[type=submit]").click()
    expect(client).to_have_url(f"{base}/portal/", timeout=WAIT)
    expect(client.locator("h1.page-title")).to_contain_text(company.name)

    # 3. The contact sees the timeline: client-visible work only.
    client.locator(f"#portal-project-{project.pk} a").click()
    expect(client).to_have_url(f"{base}/portal/projects/{project.pk}/", timeout=WAIT)
    timeline = client.locator("#timeline")
    expect(timeline).to_contain_text("Макет карточки товара")
    expect(timeline).to_contain_text("Дизайн каталога")
    expect(timeline).not_to_contain_text("Внутренняя оценка рисков")

    # 4. The contact approves the change request (ticks the confirmation first).
    client.locator("nav.mrm-portal-nav a[href='/portal/changes/']").click()
    expect(client).to_have_url(f"{base}/portal/changes/", timeout=WAIT)
    client.locator(f"main a[href='/portal/changes/{change.pk}/']").first.click()
    expect(client).to_have_url(f"{base}/portal/changes/{change.pk}/", timeout=WAIT)
    expect(client.locator("#portal-change")).to_contain_text("Макеты фильтров по цене и бренду")
    client.locator("#portal-decision input[name=confirm]").check()
    client.locator("#portal-approve").click()
    expect(client.locator(".alert-success")).to_be_visible(timeout=WAIT)
    expect(client.locator("#portal-approve")).to_have_count(0)
    with scopes_disabled():
        change.refresh_from_db()
    assert change.status == ChangeRequest.Status.APPROVED and change.decided_at is not None

    # 5. The contact reads the published report and rates it 4 of 5 (the report-quality KPI).
    client.locator("nav.mrm-portal-nav a[href='/portal/reports/']").click()
    expect(client).to_have_url(f"{base}/portal/reports/", timeout=WAIT)
    client.locator(f"main a[href='/portal/reports/{report.pk}/']").first.click()
    expect(client).to_have_url(f"{base}/portal/reports/{report.pk}/", timeout=WAIT)
    expect(client.locator("#report-document")).to_be_visible()
    four = client.locator("#report-rate input[name=score][value='4']")
    client.locator(f"#report-rate label[for={four.get_attribute('id')}]").click()  # the radio is styled as a button
    expect(four).to_be_checked()
    client.locator("#report-rate textarea[name=comment]").fill("Понятно, но хочется больше про конверсии")
    client.locator("#report-rate button[type=submit]").click()
    expect(client.locator(".alert-success")).to_be_visible(timeout=WAIT)
    with scopes_disabled():
        rating = ReportRating.objects.get(report=report)
    assert rating.score == 4 and rating.contact == person

    # 6. The contact opens an urgent request.
    client.locator("nav.mrm-portal-nav a[href='/portal/requests/']").click()
    expect(client).to_have_url(f"{base}/portal/requests/", timeout=WAIT)
    client.locator("main a[href='/portal/requests/new/']").first.click()
    expect(client).to_have_url(f"{base}/portal/requests/new/", timeout=WAIT)
    client.locator("select[name=kind]").select_option("urgent")
    client.fill("input[name=subject]", "Оплата картой не проходит")
    client.fill("textarea[name=body]", "На тестовом заказе платёж висит и отменяется.")
    client.locator("#request-form button[type=submit]").click()
    expect(client.locator("#request-thread")).to_contain_text("На тестовом заказе платёж висит", timeout=WAIT)
    with scopes_disabled():
        thread = ClientRequest.objects.get(agency=world.agency, subject="Оплата картой не проходит")
    assert thread.kind == "urgent" and thread.status == "open"

    # 7. The AM answers from the client page; the first-reply time appears on that page.
    page.goto(f"{base}/clients/{company.pk}/")
    section = page.locator("#client-requests")
    expect(section).to_contain_text("Оплата картой не проходит")
    expect(page.locator("#client-response-time strong")).to_have_count(0)  # nothing answered yet
    section.locator("details summary").first.click()
    section.locator("textarea[name=body]").first.fill("Переключили шлюз, попробуйте ещё раз.")
    section.locator("form button[type=submit]").first.click()
    expect(page.locator(".alert-success")).to_be_visible(timeout=WAIT)
    response_time = page.locator("#client-response-time")
    expect(response_time.locator("strong").first).to_contain_text(re.compile(r"\d"))
    expect(response_time).to_contain_text(re.compile("мин|min|ч|h"))
    with scopes_disabled():
        thread.refresh_from_db()
    assert thread.status == "answered" and thread.first_reply_at is not None

    # The contact reads the answer in the thread.
    client.reload()
    expect(client.locator("#request-thread")).to_contain_text("Переключили шлюз, попробуйте ещё раз.")

    # 8. The contact answers the NPS survey.
    client.locator("nav.mrm-portal-nav a[href='/portal/nps/']").click()
    expect(client).to_have_url(f"{base}/portal/nps/", timeout=WAIT)
    client.locator(f"#portal-nps-open a[href='/portal/nps/{survey.pk}/']").click()
    expect(client).to_have_url(f"{base}/portal/nps/{survey.pk}/", timeout=WAIT)
    client.locator("#nps-form label", has_text=re.compile(r"^9$")).click()
    client.fill("#nps-form textarea[name=comment]", "Быстро отвечаете на срочные вопросы.")
    client.locator("#nps-form button[type=submit]").click()
    expect(client).to_have_url(f"{base}/portal/nps/", timeout=WAIT)
    expect(client.locator("#portal-nps-answers")).to_contain_text("Быстро отвечаете на срочные вопросы.")
    with scopes_disabled():
        answer = NpsResponse.objects.get(survey=survey)
    assert answer.score == 9 and answer.contact_id == person.pk and answer.channel == "portal"
    contact_context.close()
