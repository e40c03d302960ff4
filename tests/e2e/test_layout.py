"""Layout defects an AM saw at 1280 px (issue 13), measured in the browser: a long client name pushed the
status badge off the page header, «+ Добавить роль» overflowed the rate card, the PDF job's «Готово» badge
was clipped in the proposal sidebar, and the КП web page's title lines overlapped."""
import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from mrm.jobs.models import Job
from tests import factories as f

pytestmark = pytest.mark.django_db(transaction=True)

LONG_NAME = ("Общество с ограниченной ответственностью «Торгово-производственная компания "
             "Северо-Западный Агропромышленный Холдинг»")

BOX = """el => { const r = el.getBoundingClientRect();
  return {left: r.left, right: r.right, top: r.top, bottom: r.bottom, scroll: el.scrollWidth, client: el.clientWidth}; }"""


def _login(page: Page, base: str, member) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", member.user.email)
    page.fill("input[name=password]", f.PASSWORD)
    page.locator("form[novalidate] button[type=submit]").click()
    expect(page).to_have_url(f"{base}/today/")


def _box(page: Page, selector: str) -> dict:
    locator = page.locator(selector).first
    expect(locator).to_be_visible()
    return locator.evaluate(BOX)


def _assert_inside(inner: dict, outer: dict, what: str) -> None:
    assert inner["scroll"] <= inner["client"] + 1, f"{what} is clipped: {inner}"
    assert outer["left"] - 1 <= inner["left"] and inner["right"] <= outer["right"] + 1, f"{what} sticks out: {inner} / {outer}"


def test_long_names_and_labels_stay_inside_their_boxes(page: Page, live_server, alice_world):
    agency, director = alice_world.agency, alice_world.director
    client = f.ClientFactory(agency=agency, owner=alice_world.am.user, name=LONG_NAME)
    f.RateRoleFactory(agency=agency, name="Специалист по контекстной рекламе")
    proposal = f.ProposalFactory(agency=agency, client=client, owner=alice_world.am.user,
                                 title=f"Коммерческое предложение для {LONG_NAME}")
    f.EstimateLineFactory(proposal=proposal)
    with scopes_disabled():
        Job.objects.create(agency=agency, kind="proposal.pdf", params={"proposal_id": str(proposal.pk)},
                           title=f"PDF «{proposal.title}»", status=Job.Status.SUCCEEDED, progress=100,
                           message="PDF готов")
    base = live_server.url
    _login(page, base, director)

    # The client's page header: the name wraps, the status badge stays whole and on the page.
    page.goto(f"{base}/clients/{client.pk}/")
    badge = _box(page, ".mrm-head .page-title > .badge")
    _assert_inside(badge, {"left": 0, "right": page.viewport_size["width"]}, "the client status badge")
    _assert_inside(badge, _box(page, ".mrm-head"), "the client status badge")

    # The rate card: «+ Добавить роль» fits its button and the card.
    page.goto(f"{base}/proposals/catalog/")
    button = _box(page, "#rate-card form[action$='/roles/new/'] button")
    _assert_inside(button, _box(page, "#rate-card"), "the add-role button")
    for edit in page.locator("#rate-card a[href*='/roles/']").all():  # no pencil hidden behind a scroll bar
        _assert_inside(edit.evaluate(BOX), _box(page, "#rate-card"), "a role's edit link")

    # The proposal sidebar: the finished PDF job's status badge is not clipped by its long title.
    page.goto(f"{base}/proposals/{proposal.pk}/")
    status = _box(page, "#pdf-job .mrm-job .badge")
    _assert_inside(status, _box(page, "#pdf-job .mrm-job"), "the PDF job badge")

    # The client's web page (the AM's preview renders the same page): the title's lines don't overlap.
    page.goto(f"{base}/proposals/{proposal.pk}/preview/")
    title = page.locator("h1.mrm-wv-title")
    expect(title).to_be_visible()
    metrics = title.evaluate("""el => { const s = getComputedStyle(el);
      return {font: parseFloat(s.fontSize), line: parseFloat(s.lineHeight), height: el.getBoundingClientRect().height}; }""")
    assert metrics["line"] >= 1.1 * metrics["font"], metrics
    assert metrics["height"] >= 2 * metrics["line"] - 1, metrics  # the long title really wraps onto 2+ lines


# --- journey: the client portal's pages fit a phone and a desktop ---------------------------------------------
PORTAL_WIDTHS = (1280, 390)
STICKING_OUT = """[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right
    > window.innerWidth + 0.5).slice(0, 6).map(e => e.tagName + '.' + e.className + '#' + e.id)"""


def _portal_pages(world, capture) -> dict[str, str]:
    """One of everything a client contact reads in the portal, with long Russian names (the worst case)."""
    from datetime import timedelta

    from django.utils import timezone
    from django_scopes import scope

    from mrm.tenancy.models import Agency, Membership
    from projects.services import changes as change_services
    from tests.portal.proposals_helpers import draft, send
    from tests.portal.requests_helpers import open_request, reply

    agency, am = world.agency, world.am.user
    with scopes_disabled():
        company = world.client_contact.contact.client
        person = world.client_contact.contact
        type(company).objects.filter(pk=company.pk).update(name=LONG_NAME)
        Agency.objects.filter(pk=agency.pk).update(name="Агентство интернет-маркетинга «Северо-Западный Диджитал»",
                                                   portal_client_invites=True)
        Membership.objects.filter(pk=world.client_contact.pk).update(is_portal_admin=True)
    today = timezone.localdate()
    project = f.ProjectFactory(agency=agency, client=company, name=f"Редизайн сайта для {LONG_NAME}",
                               start_date=today - timedelta(days=20), end_date=today + timedelta(days=60))
    milestone = f.MilestoneFactory(project=project, title="Дизайн-концепция всех ключевых страниц",
                                   due_date=today + timedelta(days=6))
    task = f.ProjectTaskFactory(project=project, milestone=milestone, client_visible=True,
                                title="Макет главной страницы с каталогом и фильтрами",
                                start_date=today - timedelta(days=5), due_date=today + timedelta(days=4))
    f.TaskAttachmentFactory(task=task, name="Макет главной страницы, вторая версия после правок", client_visible=True)
    role = f.RateRoleFactory(agency=agency, name="Специалист по контекстной рекламе")
    with scope(agency=agency):
        change = change_services.change_request_create(agency=agency, actor=am, project=project,
                                                       title="Дополнительная страница «Доставка и оплата»")
        change_services.line_add(agency=agency, actor=am, change_request=change, role=role, hours=12,
                                 description="Макет и вёрстка страницы с картой зон и калькулятором доставки")
        change_services.change_request_send(agency=agency, actor=am, change_request=change, contacts=[person])
    proposal = draft(world, title=f"Коммерческое предложение для {LONG_NAME}")
    send(world, proposal, capture)
    thread = open_request(world, subject="Срочно: на лендинге не работает форма заявки у части посетителей")
    reply(world, thread, body="Посмотрели: форма падала из-за обновления виджета, откатили, проверьте.")
    survey = f.NpsSurveyFactory(agency=agency, contact=person, client=company)
    return {"home": "/portal/", "project": f"/portal/projects/{project.pk}/", "proposals": "/portal/proposals/",
            "proposal": f"/portal/proposals/{proposal.pk}/", "changes": "/portal/changes/",
            "change": f"/portal/changes/{change.pk}/", "requests": "/portal/requests/",
            "request new": "/portal/requests/new/", "request": f"/portal/requests/{thread.pk}/",
            "feedback": "/portal/nps/", "feedback answer": f"/portal/nps/{survey.pk}/",
            "brief": "/portal/briefs/new/", "profile": "/portal/me/", "colleagues": "/portal/team/"}


def test_the_portal_pages_never_scroll_sideways_on_a_phone_or_a_desktop(page: Page, live_server, alice_world,
                                                                         django_capture_on_commit_callbacks):
    from tests.conftest import login

    pages = _portal_pages(alice_world, django_capture_on_commit_callbacks)
    cookie = login(alice_world.client_contact).cookies["sessionid"].value
    page.context.add_cookies([{"name": "sessionid", "value": cookie, "url": live_server.url}])
    for width in PORTAL_WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        for name, path in pages.items():
            response = page.goto(f"{live_server.url}{path}")
            assert response.status == 200, f"{name}: {response.status}"
            expect(page.locator("nav.mrm-portal-nav")).to_be_visible()
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"the portal's {name} page scrolls sideways at {width}px: {page.evaluate(STICKING_OUT)}"
            # The agency's name is readable in the bar (it was white on white) and the nav is one row.
            brand = page.locator(".mrm-portal-topbar .mrm-brand")
            assert brand.evaluate("e => getComputedStyle(e).color") != "rgb(255, 255, 255)", name
            links = page.locator("nav.mrm-portal-nav .nav-link").evaluate_all(
                "els => new Set(els.map(e => Math.round(e.getBoundingClientRect().top))).size")
            assert links == 1, f"the portal nav wraps onto {links} rows on the {name} page at {width}px"


def test_the_deals_board_starts_at_its_left_edge(page: Page, live_server, alice_world):
    # The full-width forecast line once took the grid's first row by columns, and every stage was placed after the
    # explicit columns: at 1280 px the board showed an empty screen with the first stage at its right edge.
    client = f.ClientFactory(agency=alice_world.agency, owner=alice_world.am.user)
    f.DealFactory(client=client, owner=alice_world.am.user, title="Сделка на первой колонке")
    base = live_server.url
    _login(page, base, alice_world.am)
    page.goto(f"{base}/clients/deals/")
    board, first = _box(page, "#board"), _box(page, "#board .mrm-col")
    assert first["left"] - board["left"] < 20, (first, board)
    assert first["top"] > _box(page, "#board-forecast")["bottom"] - 1  # the stages sit under the forecast line
