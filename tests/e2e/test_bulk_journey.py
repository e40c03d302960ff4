"""A bulk reassignment of 50 clients in the browser: a page of 50, "select all on this page", choose the AM,
confirm, see the success message — and 50 clients have the new owner."""
import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from clients.models import Client, ClientOwnerChange
from tests.factories import PASSWORD, ClientFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _login(page: Page, base: str, member) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", member.user.email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main button[type=submit]").click()
    expect(page).to_have_url(f"{base}/today/")


def test_a_bulk_reassignment_of_50_clients(page: Page, live_server, alice_world):
    w = alice_world
    with scopes_disabled():
        ids = {ClientFactory(agency=w.agency, owner=w.am.user, name=f"Клиент {n:02d}").pk for n in range(50)}
    base = live_server.url
    _login(page, base, w.director)

    page.goto(f"{base}/clients/?per=50")
    expect(page.locator("input[name=ids]")).to_have_count(50)
    page.locator("#bulk-select-all").check()
    expect(page.locator("#bulk-count")).to_have_text("50")
    page.locator("#bulk-action").select_option("owner")
    page.locator("#bulk-owner").select_option(str(w.am2.user.pk))
    page.locator("#bulk-apply").click()

    expect(page.locator("#bulk-summary")).to_have_attribute("data-count", "50")
    expect(page.locator("#bulk-summary")).to_contain_text(w.am2.user.full_name)
    page.locator("#bulk-confirm").click()

    expect(page).to_have_url(f"{base}/clients/?per=50")
    expect(page.locator(".alert-success")).to_contain_text("50")
    with scopes_disabled():
        assert Client.objects.filter(pk__in=ids, owner=w.am2.user).count() == 50
        assert ClientOwnerChange.objects.filter(client_id__in=ids, to_owner=w.am2.user).count() == 50
