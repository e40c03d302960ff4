"""Journey (client portal, requests): the client opens an urgent request with a file in the portal → the AM finds it
on Today with its timer → answers from the client page → the client reads the answer in the thread; a bad file
is refused in place (422) without losing the form."""
import os
import re

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from comms.models import ClientRequest
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = os.environ.get("MRM_SCREENSHOTS", "")


def _login(page: Page, base: str, user) -> None:
    # about:blank first: a response still on its way from the previous page would set that session's CSRF
    # cookie again after the login form read a new one (the login then answers 403).
    page.goto("about:blank")
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main button[type=submit]").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


def _shot(page: Page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_client_request_answered_from_the_client_page(page: Page, live_server, alice_world, tmp_path):
    base = live_server.url
    client_user, am = alice_world.client_contact.user, alice_world.am.user

    # 1. The client opens a request; a program renamed .pdf is refused in place and the text stays.
    _login(page, base, client_user)
    page.goto(f"{base}/portal/requests/")
    page.locator("main a[href='/portal/requests/new/']").first.click()
    page.locator("select[name=kind]").select_option("urgent")
    page.fill("input[name=subject]", "Не работает форма заявки")
    page.fill("textarea[name=body]", "С утра форма на лендинге выдаёт ошибку.")
    bad = tmp_path / "report.pdf"
    bad.write_bytes(b"MZ\x90\x00 not a pdf")
    page.set_input_files("input[name=files]", str(bad))
    page.locator("#request-form button[type=submit]").click()
    expect(page.locator("#request-form .invalid-feedback")).to_contain_text("report.pdf")
    expect(page.locator("textarea[name=body]")).to_have_value("С утра форма на лендинге выдаёт ошибку.")
    good = tmp_path / "error.txt"
    good.write_text("500 Internal Server Error")
    page.set_input_files("input[name=files]", str(good))
    page.locator("#request-form button[type=submit]").click()
    expect(page.locator("#request-thread")).to_contain_text("С утра форма на лендинге выдаёт ошибку.")
    expect(page.locator("#request-thread")).to_contain_text("error.txt")
    _shot(page, "portal-request-thread")
    with scopes_disabled():
        thread = ClientRequest.objects.get(agency=alice_world.agency)
    assert thread.kind == "urgent" and thread.status == "open"

    # 2. The AM sees it on Today with the business time waited against the agreement.
    _login(page, base, am)
    page.goto(f"{base}/today/")
    block = page.locator("#today-client-requests")
    expect(block).to_contain_text("Не работает форма заявки")
    expect(block.locator(".mrm-waited")).to_contain_text(re.compile(r"(мин|min).*(из|of)"))
    _shot(page, "today-client-requests")

    # 3. The AM answers from the client page.
    page.goto(f"{base}/clients/{thread.client_id}/")
    section = page.locator("#client-requests")
    expect(section).to_contain_text("Не работает форма заявки")
    section.locator("details summary").first.click()
    section.locator("textarea[name=body]").first.fill("Починили, проверьте, пожалуйста.")
    section.locator("form button[type=submit]").first.click()
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.locator("#client-response-time")).to_contain_text(re.compile("мин|min"))
    _shot(page, "client-page-requests")
    with scopes_disabled():
        thread.refresh_from_db()
    assert thread.status == "answered" and thread.first_reply_at is not None
    page.goto(f"{base}/requests/{thread.pk}/")
    expect(page.locator("#request-timing")).to_contain_text(re.compile("мин|min"))
    _shot(page, "staff-request-thread")

    # 4. The client reads the answer in the thread.
    _login(page, base, client_user)
    page.goto(f"{base}/portal/requests/")
    expect(page.locator("#portal-requests")).to_contain_text("Починили")
    page.locator(f"a[href='/portal/requests/{thread.pk}/']").first.click()
    expect(page.locator("#request-thread")).to_contain_text("Починили, проверьте, пожалуйста.")
    _shot(page, "portal-request-answered")
