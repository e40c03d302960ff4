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
