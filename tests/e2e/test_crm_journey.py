"""Journey: an AM creates a client and a contact, logs an unplanned call, wins a deal, completes an
onboarding step and imports a CSV of 200 contacts — all through the browser."""
import re

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from clients.models import Client, Contact, Deal, Interaction, OnboardingStep
from tests.factories import PASSWORD, ClientFactory, DealFactory, default_stage

pytestmark = pytest.mark.django_db(transaction=True)


def test_account_manager_daily_journey(page: Page, live_server, alice_world, tmp_path):
    base = live_server.url
    am = alice_world.am
    other = ClientFactory(agency=alice_world.agency, owner=am.user, name="Старый клиент")
    deal = DealFactory(agency=alice_world.agency, client=other, title="Апсейл SEO", stage=Deal.Stage.NEGOTIATION,
                       owner=am.user)

    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", am.user.email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main button[type=submit]").click()
    expect(page).to_have_url(f"{base}/today/")

    # A new client, active from today: onboarding starts by itself.
    page.goto(f"{base}/clients/new/")
    page.fill("input[name=name]", "Пекарня «Колос»")
    page.locator("select[name=status]").select_option("active")
    page.locator("main form button[type=submit]").first.click()
    expect(page.locator("h1.page-title")).to_contain_text("Пекарня «Колос»")
    with scopes_disabled():
        client = Client.objects.get(name="Пекарня «Колос»")
    client_url = f"{base}/clients/{client.pk}/"

    # A contact.
    page.goto(f"{client_url}contacts/new/")
    page.fill("input[name=full_name]", "Ольга Колосова")
    page.fill("input[name=email]", "olga@kolos.example")
    page.fill("input[name=phone]", "+7 912 345-67-89")
    page.locator("main form button[type=submit]").first.click()
    page.goto(client_url)
    expect(page.locator("#section-contacts")).to_contain_text("Ольга Колосова")

    # Log a call flagged "unplanned" without a page reload.
    log = page.locator("form.mrm-log")
    log.locator("label", has_text=re.compile("Call|Звонок")).first.click()
    log.locator("textarea[name=summary]").fill("Клиент позвонил без предупреждения: срочно нужен баннер")
    log.locator("label[for=log-unplanned]").click()
    log.locator("button[type=submit]").click()
    expect(page.locator("#timeline-items")).to_contain_text("срочно нужен баннер")
    with scopes_disabled():
        call = Interaction.objects.get(client=client)
    assert call.kind == Interaction.Kind.CALL and call.is_unplanned

    # Complete the first onboarding step.
    page.locator("#section-onboarding .mrm-check").first.click()
    expect(page.locator("#section-onboarding .mrm-checklist-item.is-done")).to_have_count(1)
    with scopes_disabled():
        assert OnboardingStep.objects.filter(plan__client=client, done_at__isnull=False).count() == 1

    # Move the deal to "won" on the kanban with the card's "Move" link: one move dialog serves every card.
    page.goto(f"{base}/clients/deals/")
    page.locator(f"#deal-{deal.pk} [data-move]").click()
    dialog = page.locator("#move-dialog")
    expect(dialog).to_be_visible()
    dialog.locator("select[name=stage]").select_option(str(default_stage(alice_world.agency, "won").pk))
    dialog.locator("button[type=submit]").click()
    expect(page.locator(f".mrm-col-won #deal-{deal.pk}")).to_be_visible()
    with scopes_disabled():
        deal.refresh_from_db()
    assert deal.stage == Deal.Stage.WON and deal.closed_at is not None

    # Import 200 contacts from a CSV (cp1251, semicolons — as amoCRM exports them).
    rows = ["Полное имя;Компания;Email"] + [
        f"Контакт {i};Пекарня «Колос»;contact{i}@kolos.example" for i in range(200)]
    csv_path = tmp_path / "contacts.csv"
    csv_path.write_bytes("\r\n".join(rows).encode("cp1251"))
    page.goto(f"{base}/clients/import/")
    page.locator("input[name=entity][value=contacts]").check(force=True)
    page.locator("input[name=file]").set_input_files(str(csv_path))
    page.locator("main form button[type=submit]").first.click()
    page.locator("button[name=action][value=start]").click()
    expect(page.locator("body")).to_contain_text(re.compile("200"), timeout=30000)
    with scopes_disabled():
        assert Contact.objects.filter(client=client, email__endswith="@kolos.example").count() == 201
