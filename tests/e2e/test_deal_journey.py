"""Journeys of issue 13 in the browser: the AM opens a deal from the board and finds its КП with versions, its
tasks and the stage history on the deal page (and adds a task there); the deal and task forms pick the
client by search-as-you-type instead of a select of every client."""
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from clients.models import Deal, DealStageChange, Task
from tests.factories import (
    PASSWORD,
    ClientFactory,
    DealFactory,
    ProposalFactory,
    ProposalVersionFactory,
    TaskFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


def _login(page: Page, base: str, member) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", member.user.email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form[novalidate] button[type=submit]").click()  # the first submit is the language switch
    expect(page).to_have_url(f"{base}/today/")


def test_the_deal_page_opened_from_the_board(page: Page, live_server, alice_world):
    agency, am = alice_world.agency, alice_world.am.user
    client = ClientFactory(agency=agency, owner=am, name="Северный бренд")
    deal = DealFactory(agency=agency, client=client, owner=am, title="SMM на год", amount=900000,
                       stage=Deal.Stage.NEGOTIATION)
    start = timezone.now() - timedelta(days=9)
    with scopes_disabled():
        Deal.objects.filter(pk=deal.pk).update(created_at=start)
        for stage, day in (("new", 0), ("proposal_sent", 3), ("negotiation", 6)):
            DealStageChange.objects.create(agency=agency, deal=deal, to_stage=stage, actor=am,
                                           changed_at=start + timedelta(days=day))
    proposal = ProposalFactory(agency=agency, client=client, deal=deal, owner=am, title="КП: SMM на год")
    for number in (1, 2):
        ProposalVersionFactory(agency=agency, proposal=proposal, number=number, total=450000 * number, sent_by=am)
    TaskFactory(agency=agency, client=client, deal=deal, assignee=am, title="Созвон по КП")
    TaskFactory(agency=agency, client=client, assignee=am, title="Задача без сделки")
    base = live_server.url
    _login(page, base, alice_world.am)

    # The kanban card's title opens the deal page (not the edit form).
    page.goto(f"{base}/clients/deals/")
    page.locator(f"#deal-{deal.pk} a.mrm-deal-title").click()
    expect(page).to_have_url(re.compile(rf"/clients/deals/{deal.pk}/(\?next=.*)?$"))
    expect(page.locator("h1.page-title")).to_have_text("SMM на год")
    expect(page.locator("#deal-stage")).to_have_class(re.compile(r"mrm-stage-negotiation"))
    expect(page.locator("#deal-client")).to_have_text("Северный бренд")

    # Its КП with both sent versions.
    proposals = page.locator("#section-proposals")
    expect(proposals.locator(f"#proposal-{proposal.pk} a[href='/proposals/{proposal.pk}/']")).to_have_text(
        "КП: SMM на год")
    expect(proposals.locator(f"#proposal-{proposal.pk} [data-version]")).to_have_count(2)

    # The stage history, newest first, with the time spent in each stage.
    spans = page.locator("#stage-spans > li")
    expect(spans).to_have_count(3)
    assert [spans.nth(i).get_attribute("data-stage") for i in range(3)] == ["negotiation", "proposal_sent", "new"]
    expect(page.locator("#stage-totals [data-stage]")).to_have_count(3)
    expect(page.locator("#stage-totals [data-stage='proposal_sent']")).to_contain_text("3")  # 3 days

    # Only this deal's tasks; a task added from here comes back to the deal page.
    tasks = page.locator("#section-tasks")
    expect(tasks).to_contain_text("Созвон по КП")
    expect(tasks).not_to_contain_text("Задача без сделки")
    tasks.locator("a[href^='/clients/tasks/new/']").click()
    expect(page).to_have_url(re.compile(r"/clients/tasks/new/\?"))
    expect(page.locator("#id_client_search")).to_have_value("Северный бренд")  # preset from the deal
    expect(page.locator("#id_deal")).to_have_value(str(deal.pk))
    page.fill("input[name=title]", "Отправить медиаплан")
    page.locator("main form button[type=submit]").first.click()
    expect(page).to_have_url(re.compile(rf"/clients/deals/{deal.pk}/(\?next=.*)?$"))
    expect(page.locator("#section-tasks")).to_contain_text("Отправить медиаплан")
    with scopes_disabled():
        assert Task.objects.get(title="Отправить медиаплан").deal_id == deal.pk


def test_the_client_picker_searches_as_you_type_in_the_deal_and_task_forms(page: Page, live_server, alice_world,
                                                                             bob_world):
    agency, am = alice_world.agency, alice_world.am.user
    zerno = ClientFactory(agency=agency, owner=am, name="Кофейня «Зерно»")
    barista = ClientFactory(agency=agency, owner=am, name="Кофейня «Бариста»")
    kolos = ClientFactory(agency=agency, owner=am, name="Пекарня «Колос»")
    ClientFactory(agency=bob_world.agency, owner=bob_world.am.user, name="Кофейня «Чужая»")  # another agency
    kolos_deal = DealFactory(agency=agency, client=kolos, owner=am, title="Листовки к открытию")
    DealFactory(agency=agency, client=zerno, owner=am, title="SMM для Зерна")
    base = live_server.url
    _login(page, base, alice_world.am)

    # The deal form: type part of a name, the matching visible clients appear, a click picks one.
    page.goto(f"{base}/clients/deals/new/")
    page.fill("input[name=title]", "Ребрендинг кофейни")
    search = page.locator("#id_client_search")
    search.press_sequentially("Коф", delay=30)
    options = page.locator("#id_client_options .mrm-picker-option")
    expect(options).to_have_count(2)
    expect(page.locator("#id_client_options")).not_to_contain_text("Пекарня")
    expect(page.locator("#id_client_options")).not_to_contain_text("Чужая")
    page.locator(f"#pick-{barista.pk}").click()
    expect(search).to_have_value("Кофейня «Бариста»")
    expect(page.locator("input[type=hidden][name=client]")).to_have_value(str(barista.pk))
    page.fill("input[name=amount]", "250000")
    page.locator("main form button[type=submit]").first.click()
    expect(page).to_have_url(f"{base}/clients/deals/")
    with scopes_disabled():
        assert Deal.objects.get(title="Ребрендинг кофейни").client_id == barista.pk

    # The task form, by keyboard: the arrow keys and Enter pick; the deal list narrows to that client's deals.
    page.goto(f"{base}/clients/tasks/new/")
    page.fill("input[name=title]", "Согласовать макет листовки")
    search = page.locator("#id_client_search")
    search.press_sequentially("Пек", delay=30)
    expect(page.locator("#id_client_options .mrm-picker-option")).to_have_count(1)
    expect(page.locator(f"#pick-{kolos.pk}")).to_have_class(re.compile(r"\bactive\b"))  # the first is highlighted
    search.press("Enter")  # picks, does not submit the form
    expect(search).to_have_value("Пекарня «Колос»")
    expect(page).to_have_url(f"{base}/clients/tasks/new/")
    deal_select = page.locator("#id_deal")
    expect(deal_select.locator(f"option[value='{kolos_deal.pk}']")).to_have_count(1)
    expect(deal_select).not_to_contain_text("SMM для Зерна")
    deal_select.select_option(str(kolos_deal.pk))
    page.locator("main form button[type=submit]").first.click()
    expect(page).to_have_url(re.compile(r"/clients/tasks/$"))
    with scopes_disabled():
        task = Task.objects.get(title="Согласовать макет листовки")
    assert task.client_id == kolos.pk and task.deal_id == kolos_deal.pk
