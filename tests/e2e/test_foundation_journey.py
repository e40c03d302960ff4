"""Journey: a new agency signs up, invites a colleague, the colleague joins and switches language."""
import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_signup_invite_colleague_and_switch_language(page: Page, live_server):
    base = live_server.url
    page.goto(f"{base}/accounts/signup/")
    page.get_by_label(re.compile("Agency name|Название агентства")).fill("Агентство Полёт")
    page.get_by_label(re.compile("Your name|Ваше имя")).fill("Вера Полёткина")
    page.get_by_label(re.compile("Work e-mail|Рабочий e-mail")).fill("vera@polet.example")
    page.get_by_label(re.compile("^(Password|Пароль)$")).fill("polet-secret-2026")
    page.locator("main button[type=submit]").click()
    expect(page).to_have_url(f"{base}/today/")
    expect(page.locator(".mrm-steps")).to_be_visible()

    # Invite a colleague from the team page.
    page.goto(f"{base}/settings/team/")
    page.get_by_label(re.compile("^E-mail$")).fill("ivan@polet.example")
    page.locator("select[name=role]").select_option("am")
    page.locator("form button.btn-primary", has_text=re.compile("Send invitation|Отправить приглашение")).click()
    expect(page.locator(".alert-success")).to_contain_text("ivan@polet.example")
    link = next(line for line in mail.outbox[-1].body.splitlines() if "/accounts/invite/" in line)
    invite_path = "/accounts/invite/" + link.split("/accounts/invite/")[1].strip()

    # Log out and accept as the colleague.
    page.locator("a[data-bs-toggle=dropdown]").last.click()
    page.locator("form[action='/accounts/logout/'] button").click()
    page.goto(base + invite_path)
    page.get_by_label(re.compile("Your name|Ваше имя")).fill("Иван Сотрудников")
    page.get_by_label(re.compile("^(Password|Пароль)$")).fill("ivan-secret-2026")
    page.locator("main button[type=submit]").click()
    expect(page).to_have_url(f"{base}/today/")
    expect(page.locator(".mrm-topbar")).to_contain_text("Иван Сотрудников")

    # An AM does not see settings in the sidebar and gets 403 there.
    expect(page.locator(".mrm-sidebar")).not_to_contain_text(re.compile("Settings|Настройки"))

    # Switch language: the interface answers in English, then back in Russian.
    page.locator(".mrm-lang button[value=en]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(".mrm-sidebar")).to_contain_text("Clients")
    page.locator(".mrm-lang button[value=ru]").click()
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.locator(".mrm-sidebar")).to_contain_text("Клиенты")
