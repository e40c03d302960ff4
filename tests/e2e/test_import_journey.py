"""Journey: the import pages while their jobs run — the page that waits for the file to be read turns
into the mapping by itself, and the page of a running import ends on its report (skipped rows, the
errors file), not on a bare job status. The jobs run when the test says so, as a worker would later."""
import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from clients import tasks
from clients.models import ImportFile
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def test_import_pages_follow_their_jobs(page: Page, live_server, alice_world, tmp_path, monkeypatch):
    queued: list[tuple] = []
    for task in (tasks.import_inspect_task, tasks.import_run_task):
        monkeypatch.setattr(task, "delay_on_commit", lambda task=task, **kw: queued.append((task, kw)))

    def work() -> None:
        while queued:
            task, kwargs = queued.pop(0)
            task.delay(**kwargs)  # eager in tests: runs here, like a worker picking it up

    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", alice_world.director.user.email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main button[type=submit]").click()
    expect(page).to_have_url(f"{base}/today/")

    csv_path = tmp_path / "companies.csv"
    csv_path.write_bytes("Название компании;Сайт\nЗерно;zerno.example\n;пусто\nАтлант;not a site\n".encode("cp1251"))
    page.goto(f"{base}/clients/import/")
    page.locator("input[name=entity][value=companies]").check(force=True)
    page.locator("input[name=file]").set_input_files(str(csv_path))
    page.locator("main form button[type=submit]").first.click()
    expect(page.locator("#import-read")).to_be_visible()  # the file is stored; nobody has read it yet

    work()  # the reading job
    expect(page.locator("button[name=action][value=start]")).to_be_visible(timeout=15000)  # reloaded by itself
    page.locator("input[name=skip_bad_rows]").check()
    page.locator("button[name=action][value=start]").click()
    expect(page.locator("#import-run")).to_be_visible()
    page.wait_for_timeout(2500)  # the run page polls while the job is queued

    work()  # the import job
    errors = page.locator("#import-errors")
    expect(errors).to_be_visible(timeout=15000)
    expect(errors.locator("tbody tr")).to_have_count(2)
    expect(errors.locator("a[href$='errors.csv']")).to_be_visible()
    with scopes_disabled():
        imp = ImportFile.objects.get(agency=alice_world.agency)
        assert (imp.report["created"], imp.report["skipped"]) == (1, 2)
