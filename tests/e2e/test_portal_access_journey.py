"""access: in the browser, the AM invites a client contact from the client page (HTMX block), the contact accepts
the e-mailed link, sets a password and lands in the portal in the agency's colours; the AM revokes access and the
contact's open portal tab is logged out on its next click."""
import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from mrm.tenancy.models import Agency
from tests.factories import PASSWORD, ContactFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _login(page: Page, base: str, member) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", member.user.email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main button[type=submit]").click()
    expect(page).to_have_url(f"{base}/today/")


def test_invite_accept_and_revoke_in_the_browser(page: Page, live_server, alice_world, browser):
    base = live_server.url
    Agency.objects.filter(pk=alice_world.agency.pk).update(brand_color="#7A5AF8")
    company = alice_world.client_contact.contact.client
    person = ContactFactory(client=company, full_name="Анна Портальная", email="anna@portal.example")
    _login(page, base, alice_world.am)
    page.goto(f"{base}/clients/{company.pk}/")
    row = page.locator(f"#portal-access-{person.pk}")
    row.locator("button.btn-primary").click()
    expect(row.locator("form[action$='/revoke/']")).to_be_visible(timeout=10000)  # invited: withdraw offered
    expect(page.locator("#portal-access .alert-success")).to_be_visible()
    link = next(line for line in mail.outbox[-1].body.splitlines() if "/accounts/invite/" in line).strip()
    path = link.split("testserver")[-1].split("://", 1)[-1]
    path = path[path.index("/"):]

    contact_context = browser.new_context(locale="ru-RU")
    client_page = contact_context.new_page()
    client_page.goto(f"{base}{path}")
    client_page.fill("input[name=full_name]", "Анна П.")
    client_page.locator("input[name=login_method][value=password]").check()
    client_page.fill("input[name=password]", "fresh-pass-2026")
    client_page.locator("main button[type=submit]").click()
    expect(client_page).to_have_url(f"{base}/portal/")
    expect(client_page.locator("h1.page-title")).to_contain_text(company.name)
    brand = client_page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--mrm-brand')")
    assert brand.strip().upper() == "#7A5AF8"

    page.reload()
    row = page.locator(f"#portal-access-{person.pk}")
    page.once("dialog", lambda dialog: dialog.accept())
    row.locator("button.btn-outline-danger").click()
    expect(row.locator("form[action$='/invite/']")).to_be_visible(timeout=10000)  # access ended: invite again

    client_page.locator("#portal-profile-link").click()
    assert "/accounts/login/" in client_page.url
    contact_context.close()
