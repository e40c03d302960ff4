"""Journey (reporting): an AM adds a file source to a client, uploads a CSV, checks the mapping and the preview,
runs the import (the job runs when the test says so, as a worker would) and reads the client's metrics."""
import os
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from reporting import tasks
from tests.factories import PASSWORD, ClientFactory

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = os.environ.get("MRM_E2E_SHOTS", "")


def _shot(page: Page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def test_file_source_import_and_metrics(page: Page, live_server, alice_world, tmp_path, monkeypatch):
    queued: list[dict] = []
    monkeypatch.setattr(tasks.metric_import_run_task, "delay_on_commit", lambda **kw: queued.append(kw))
    client = ClientFactory(agency=alice_world.agency, owner=alice_world.am.user, name="Кофейня Зерно")
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", alice_world.am.user.email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main button[type=submit]").click()
    expect(page).to_have_url(f"{base}/today/")

    page.locator("#nav-reporting").click()
    expect(page).to_have_url(f"{base}/reporting/")
    page.goto(f"{base}/reporting/sources/new/?client={client.pk}")
    page.fill("input[name=name]", "Выгрузка Директа")
    page.locator("main form button.btn-primary").click()
    expect(page.locator("h1")).to_contain_text("Выгрузка Директа")

    day = timezone.localdate() - timedelta(days=3)
    lines = ["Дата;Кампания;Показы;Клики;Расход, руб.;Конверсии;Доход"]
    for n in range(3):
        d = (day + timedelta(days=n)).strftime("%d.%m.%Y")
        lines += [f"{d};Бренд;1 000;50;500,00;5;2000", f"{d};Ретаргетинг;4 000;40;800,00;2;1500"]
    csv_path = tmp_path / "direct.csv"
    csv_path.write_bytes("\n".join(lines).encode("cp1251"))
    page.locator("main a[href$='/import/']").first.click()
    page.locator("input[name=file]").set_input_files(str(csv_path))
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#import-preview")).to_be_visible()
    _shot(page, "reporting-mapping")
    page.locator("button[name=action][value=start]").click()
    expect(page.locator("#import-run")).to_be_visible()
    while queued:
        tasks.metric_import_run_task.delay(**queued.pop(0))  # eager: the worker picks it up
    metrics = page.locator("#import-run a[href$='/metrics/']")
    expect(metrics).to_be_visible(timeout=15000)
    _shot(page, "reporting-result")
    metrics.click()
    expect(page.locator("#metrics-kpi")).to_contain_text("3\u202f900")  # cost: 3 × (500 + 800)
    expect(page.locator("#metrics-campaigns tbody tr")).to_have_count(2)
    _shot(page, "reporting-metrics")

    page.locator("#nav-reporting").click()
    expect(page.locator("main table")).to_contain_text("Выгрузка Директа")
    _shot(page, "reporting-sources")
    page.locator("main table a", has_text="Выгрузка Директа").click()
    expect(page.locator("main")).to_contain_text("direct.csv")
    _shot(page, "reporting-source")
