"""One error contract in the browser: a refused HTMX submission answers 422 and the form comes back in
place with its message (proposal editor and a CRM block); the generic "reload the page" toast is not shown."""
import re

import pytest
from django_scopes import scope
from playwright.sync_api import Page, expect

from proposals.services import editor
from tests.factories import PASSWORD, ClientFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _login(page: Page, base: str, user) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main button[type=submit]").click()
    expect(page).to_have_url(f"{base}/today/")


def _statuses(page: Page) -> list[int]:
    answers: list[int] = []
    page.on("response", lambda response: answers.append(response.status) if response.request.method == "POST"
            else None)
    return answers


def test_editor_and_crm_validation_messages_appear_in_place(page: Page, live_server, alice_world):
    base, am = live_server.url, alice_world.am.user
    client = ClientFactory(agency=alice_world.agency, owner=am, name="ООО «Ромашка»")
    with scope(agency=alice_world.agency):
        proposal = editor.proposal_create(agency=alice_world.agency, actor=am, client=client, title="КП для Ромашки")
    _login(page, base, am)
    generic = page.locator("body").get_attribute("data-err-other")
    answers = _statuses(page)

    # The proposal editor: valid-until before the proposal's date is refused, the cover shows why.
    page.goto(f"{base}/proposals/{proposal.pk}/")
    cover = page.locator("#cover")
    cover.locator("input[name=cover-valid_until]").fill("2000-01-01")
    cover.locator("button.btn-primary").click()
    expect(cover.locator(".invalid-feedback")).to_be_visible()
    expect(cover.locator("input[name=cover-valid_until]")).to_have_class(re.compile(r"\bis-invalid\b"))
    assert 422 in answers
    expect(page.get_by_text(generic)).to_have_count(0)

    # A CRM block: a contact with a bad e-mail comes back inside the contacts block, input kept.
    answers.clear()
    page.goto(f"{base}/clients/{client.pk}/")
    contacts = page.locator("#section-contacts")
    contacts.locator("a[hx-get$='/contacts/new/']").first.click()
    contacts.locator("input[name=full_name]").fill("Ольга Колосова")
    contacts.locator("input[name=email]").fill("not-an-email")
    contacts.locator("form button[type=submit]").first.click()
    expect(contacts.locator(".invalid-feedback").first).to_be_visible()
    expect(contacts.locator("input[name=full_name]")).to_have_value("Ольга Колосова")
    assert answers == [422]
    expect(page.get_by_text(generic)).to_have_count(0)
