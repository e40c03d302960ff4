"""Journey (client reports), in the browser with two contexts: the AM uploads last month's figures as a CSV
(mapping, preview, the import job), gives the client its own report template, creates and builds the month's
report from it (the build job runs when the test says so, as a worker would), edits the drafted commentary and
publishes; the client contact logs in to the portal, reads the report and rates it. The PDF's text carries the
web view's totals. `MRM_E2E_SHOTS=<dir>` keeps screenshots of the pages and the PDF's pages as PNG."""
import io
import os
import subprocess
from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from reporting import tasks, tasks_reports
from reporting.models import Report, ReportRating
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = os.environ.get("MRM_E2E_SHOTS", "")
WAIT = 15000  # ms: a job or a redirect on a busy 2-core machine
COMMENTARY = "Брендовые кампании дали больше конверсий при том же бюджете. Ретаргетинг оставляем как есть."


def _shot(page: Page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def _login(page: Page, base: str, email: str, landing: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main button[type=submit]").click()
    expect(page).to_have_url(f"{base}{landing}", timeout=WAIT)


def _last_month():
    last = timezone.localdate().replace(day=1) - timedelta(days=1)
    return last.replace(day=1), last


def _month_csv(path, first, last) -> dict:
    """Two campaigns a day for the whole month (Windows-1251, «;», Russian headers); returns the totals."""
    lines = ["Дата;Кампания;Показы;Клики;Расход, руб.;Конверсии;Доход"]
    totals = {"cost": 0, "clicks": 0, "impressions": 0}
    day, n = first, 0
    while day <= last:
        n += 1
        brand_cost, brand_clicks = 500 + n, 50 + n % 7
        lines.append(f"{day:%d.%m.%Y};Бренд;1 000;{brand_clicks};{brand_cost},00;5;2000")
        lines.append(f"{day:%d.%m.%Y};Ретаргетинг;4 000;40;800,33;2;1500")
        totals["cost"] += brand_cost * 100 + 80033  # in kopecks (never whole roubles)
        totals["clicks"] += brand_clicks + 40
        totals["impressions"] += 5000
        day += timedelta(days=1)
    path.write_bytes("\n".join(lines).encode("cp1251"))
    return totals


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def _flat(text: str) -> str:
    return "".join(text.split())


def _run_queued(queued: list, task) -> None:
    while queued:
        task.delay(**queued.pop(0))  # eager: the worker picks it up


def test_report_journey(page: Page, live_server, alice_world, browser, tmp_path, monkeypatch):
    imports, builds = [], []
    monkeypatch.setattr(tasks.metric_import_run_task, "delay_on_commit", lambda **kw: imports.append(kw))
    monkeypatch.setattr(tasks_reports.report_build_task, "delay_on_commit", lambda **kw: builds.append(kw))
    base, world = live_server.url, alice_world
    company = world.client_contact.contact.client
    first, last = _last_month()

    # 1. The AM adds a file source to the client and uploads last month's CSV.
    _login(page, base, world.am.user.email, "/today/")
    page.goto(f"{base}/reporting/sources/new/?client={company.pk}")
    page.fill("input[name=name]", "Выгрузка Директа")
    page.locator("main form button.btn-primary").click()
    expect(page.locator("h1")).to_contain_text("Выгрузка Директа", timeout=WAIT)
    expected = _month_csv(tmp_path / "direct-month.csv", first, last)
    page.locator("main a[href$='/import/']").first.click()
    page.locator("input[name=file]").set_input_files(str(tmp_path / "direct-month.csv"))
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#import-preview")).to_be_visible(timeout=WAIT)
    page.locator("button[name=action][value=start]").click()
    expect(page.locator("#import-run")).to_be_visible(timeout=WAIT)
    _run_queued(imports, tasks.metric_import_run_task)
    expect(page.locator("#import-run a[href$='/metrics/']")).to_be_visible(timeout=WAIT)

    # 2. The client gets its own template: without the project sections.
    page.goto(f"{base}/reporting/reports/clients/{company.pk}/")
    page.locator("main a[href$='/template/']").click()
    form = page.locator("#template-form")
    form.locator("input[name=name]").fill("Отчёт по рекламе")
    form.locator("input[name=on_projects]").uncheck()
    form.locator("input[name=on_work]").uncheck()
    form.locator("button[type=submit]").click()
    expect(page.locator(".alert-success")).to_be_visible(timeout=WAIT)

    # 3. The AM creates last month's report from that template and builds it.
    create = page.locator("#report-create")
    create.locator("select[name=preset]").select_option("last_month")
    create.locator("select[name=template]").select_option(label="Отчёт по рекламе")
    create.locator("button[name=build]").click()
    expect(page.locator("#report-not-built")).to_be_visible(timeout=WAIT)
    assert len(builds) == 1
    _run_queued(builds, tasks_reports.report_build_task)
    page.reload()
    document = page.locator("#report-document")
    expect(document).to_be_visible(timeout=WAIT)
    expect(document.locator("#report-projects")).to_have_count(0)  # the template left it out
    expect(document.locator("#report-campaigns tbody tr")).to_have_count(2)
    cost_text = document.locator("[data-kpi=cost] .mrm-kpi-value").inner_text()
    clicks_text = document.locator("[data-kpi=clicks] .mrm-kpi-value").inner_text()
    impressions_text = document.locator("[data-kpi=impressions] .mrm-kpi-value").inner_text()
    assert _digits(cost_text) == str(expected["cost"])
    assert _digits(clicks_text) == str(expected["clicks"])
    assert _digits(impressions_text) == str(expected["impressions"])
    drafted = page.locator("#report-edit textarea[name=commentary]").input_value()
    assert drafted.strip()  # drafted without AI from the numbers
    _shot(page, "report-built")

    # 4. The AM rewrites the commentary and publishes.
    page.locator("#report-edit textarea[name=commentary]").fill(COMMENTARY)
    page.locator("#report-edit button[type=submit]").click()
    expect(page.locator(".alert-success")).to_be_visible(timeout=WAIT)
    expect(page.locator("#report-commentary")).to_contain_text(COMMENTARY)
    page.locator("form[action$='/publish/'] button").click()
    expect(page.locator(".alert-success")).to_be_visible(timeout=WAIT)
    expect(page.locator("form[action$='/publish/']")).to_have_count(0)
    with scopes_disabled():
        report = Report.objects.get(agency=world.agency, client=company)
    assert report.status == Report.Status.PUBLISHED and report.commentary == COMMENTARY
    assert (report.date_from, report.date_to) == (first, last)
    _shot(page, "report-published")

    # 5. The PDF carries the web view's totals and the edited commentary.
    response = page.request.get(f"{base}/reporting/reports/{report.pk}/pdf/")
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    content = response.body()
    text = _flat(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages))
    for shown in (cost_text, clicks_text, impressions_text):
        assert _flat(shown) in text
    assert _flat(COMMENTARY) in text
    pdf_path = tmp_path / "report.pdf"
    pdf_path.write_bytes(content)
    out = f"{SHOTS}/report-pdf" if SHOTS else str(tmp_path / "report-pdf")
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf_path), out], check=True, timeout=60)

    # 6. The client contact reads the report in the portal and rates it.
    context = browser.new_context(locale="ru-RU", viewport={"width": 1280, "height": 900})
    client = context.new_page()
    _login(client, base, world.client_contact.user.email, "/portal/")
    client.locator("nav.mrm-portal-nav a[href='/portal/reports/']").click()
    expect(client).to_have_url(f"{base}/portal/reports/", timeout=WAIT)
    client.locator(f"main a[href='/portal/reports/{report.pk}/']").first.click()
    expect(client).to_have_url(f"{base}/portal/reports/{report.pk}/", timeout=WAIT)
    portal_doc = client.locator("#report-document")
    expect(portal_doc.locator("[data-kpi=cost] .mrm-kpi-value")).to_have_text(cost_text)
    expect(portal_doc.locator("#report-commentary")).to_contain_text(COMMENTARY)
    _shot(client, "report-portal")
    five = client.locator("#report-rate input[name=score][value='5']")
    client.locator(f"#report-rate label[for={five.get_attribute('id')}]").click()
    expect(five).to_be_checked()
    client.locator("#report-rate textarea[name=comment]").fill("Всё понятно, спасибо")
    client.locator("#report-rate button[type=submit]").click()
    expect(client.locator(".alert-success")).to_be_visible(timeout=WAIT)
    portal_pdf = client.request.get(f"{base}/portal/reports/{report.pk}/pdf/")
    assert portal_pdf.status == 200 and portal_pdf.body() == content  # the stored PDF, the same bytes
    with scopes_disabled():
        rating = ReportRating.objects.get(report=report)
    assert rating.score == 5 and rating.contact == world.client_contact.contact
    context.close()

    # 7. The AM sees the rating on the report.
    page.reload()
    expect(page.locator("#report-ratings")).to_contain_text("5/5")
    expect(page.locator("#report-ratings")).to_contain_text("Всё понятно, спасибо")
