"""Yandex Direct connector against the fake Reports service over real HTTP."""
from decimal import Decimal

import pytest
from django.utils import translation

from reporting.connectors.yandex_direct import FIELDS
from tests.fakes.scripted_http import figures

from .connectors_helpers import connected, days, facts, reload, run_sync

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def test_direct_happy_path_reads_the_tsv_report_in_money(alice_world, fake_direct):
    source = connected(alice_world, "yandex_direct", token="direct-token")
    first, last = days(3)
    sync = run_sync(alice_world, source, date_from=first, date_to=last)
    assert sync.status == "done" and sync.job.status == "succeeded" and sync.rows == 6
    request = fake_direct.requests[-1]
    assert request["path"] == "/json/v5/reports" and request["headers"]["authorization"] == "Bearer direct-token"
    assert request["headers"]["accept-language"] == "ru" and request["headers"]["processingmode"] == "auto"
    assert "client-login" not in request["headers"]  # the token's own account
    params = request["body"]["params"]
    assert params["FieldNames"] == FIELDS and params["ReportType"] == "CAMPAIGN_PERFORMANCE_REPORT"
    assert params["SelectionCriteria"] == {"DateFrom": first.isoformat(), "DateTo": last.isoformat()}
    assert (params["DateRangeType"], params["Format"], params["IncludeVAT"]) == ("CUSTOM_DATE", "TSV", "YES")
    rows = facts(source)
    assert len(rows) == 6 and {r.campaign.name for r in rows} == {"Поиск — бренд", "РСЯ — ретаргетинг"}
    row = next(r for r in rows if r.campaign.external_id == "1001" and r.date == first)
    expected = figures("1001", first)
    assert row.impressions == expected["impressions"] and row.clicks == expected["clicks"]
    assert row.cost == Decimal(expected["cost_kopecks"]) / 100  # micros → roubles
    assert row.channel == "yandex_direct" and row.currency == source.currency


def test_direct_agency_account_sends_client_login_and_campaign_filter(alice_world, fake_direct):
    fake_direct.accounts = {"shop-client": {"2001": "Магазин — поиск", "2002": "Чужая кампания"}}
    source = connected(alice_world, "yandex_direct", token="direct-token", accounts=["shop-client"],
                       campaigns=["2001"])
    first, last = days(2)
    run_sync(alice_world, source, date_from=first, date_to=last)
    request = fake_direct.requests[-1]
    assert request["headers"]["client-login"] == "shop-client"
    assert request["body"]["params"]["SelectionCriteria"]["Filter"] == [
        {"Field": "CampaignId", "Operator": "IN", "Values": ["2001"]}]
    assert {r.campaign.external_id for r in facts(source)} == {"2001"}


def test_direct_offline_report_waits_retry_in_then_reads_it(alice_world, fake_direct):
    source = connected(alice_world, "yandex_direct", token="direct-token")
    fake_direct.offline(times=3, retry_in=0)
    first, last = days(2)
    sync = run_sync(alice_world, source, date_from=first, date_to=last)
    assert sync.status == "done" and sync.rows == 4
    assert len(fake_direct.requests) == 4  # 201, 202, 202, then 200 with the report
    names = {r["body"]["params"]["ReportName"] for r in fake_direct.requests}
    assert len(names) == 1  # the same report asked again, never a new one


def test_direct_throttling_and_server_errors_back_off_then_succeed(alice_world, fake_direct):
    source = connected(alice_world, "yandex_direct", token="direct-token")
    fake_direct.script(429, {"error": {"error_code": "56", "error_string": "Превышен лимит запросов"}},
                       {"Retry-After": "0"})
    fake_direct.script(500, {"error": {"error_code": "1000", "error_string": "Сервис временно недоступен"}})
    first, last = days(1)
    sync = run_sync(alice_world, source, date_from=first, date_to=last)
    assert sync.status == "done" and len(fake_direct.requests) == 3


def test_direct_refused_token_is_a_clear_error_and_keeps_the_data(alice_world, fake_direct):
    source = connected(alice_world, "yandex_direct", token="direct-token")
    first, last = days(2)
    run_sync(alice_world, source, date_from=first, date_to=last)
    before = [(r.date, r.campaign_id, r.clicks) for r in facts(source)]
    fake_direct.token = "another"
    sync = run_sync(alice_world, source, date_from=first, date_to=last)
    assert sync.status == "failed" and sync.job.status == "failed"
    assert "Authorization" in sync.error or "авторизации" in sync.error
    assert "Connection page" in sync.error and "request 8695244274068608439" in sync.error
    assert reload(source).status == "error" and reload(source).last_error == sync.error
    assert [(r.date, r.campaign_id, r.clicks) for r in facts(source)] == before


@pytest.mark.parametrize("body", [
    "<html><body>502 Bad Gateway</body></html>",
    "\t".join(FIELDS) + "\n2024-01-01\t1001\tБренд\tмного\t1\t1\t1\t1\nTotal rows: 1\n",
    "\t".join(FIELDS) + "\n2024-01-01\t1001\tБренд\t10\t1\t1000000\t--\t--\nTotal rows: 5\n",
])
def test_direct_garbage_answer_changes_nothing(alice_world, fake_direct, body):
    source = connected(alice_world, "yandex_direct", token="direct-token")
    first, last = days(2)
    run_sync(alice_world, source, date_from=first, date_to=last)
    before = len(facts(source))
    fake_direct.script(200, body, {"Content-Type": "text/tab-separated-values"})
    sync = run_sync(alice_world, source, date_from=first, date_to=last)
    assert sync.status == "failed" and "Nothing was changed" in sync.error
    assert len(facts(source)) == before == 4


def test_direct_money_without_micros_is_understood_by_the_parser():
    from reporting.connectors.yandex_direct import parse_report

    text = ('"r (2024-01-01 - 2024-01-01)"\n' + "\t".join(FIELDS) +
            "\n2024-01-01\t1001\tБренд\t10\t2\t25000000\t1\t--\nTotal rows: 1\n")
    (row,) = parse_report(text, currency="RUB")
    assert row["cost"] == Decimal("25.00") and row["conversions"] == Decimal("1.00") and row["revenue"] == 0


def test_direct_offline_report_that_takes_too_long_stops_with_a_message(alice_world, fake_direct, settings):
    settings.CONNECTOR_MAX_WAIT_SECONDS = 1.5
    source = connected(alice_world, "yandex_direct", token="direct-token")
    fake_direct.offline(times=5, retry_in=1)
    first, last = days(1)
    sync = run_sync(alice_world, source, date_from=first, date_to=last)
    assert sync.status == "failed" and "kept us waiting" in sync.error and facts(source) == []


def test_direct_unreachable_is_a_clear_error(alice_world, settings):
    settings.YANDEX_DIRECT_API_URL = "http://127.0.0.1:9"  # nothing listens there
    settings.CONNECTOR_RETRIES = 2
    source = connected(alice_world, "yandex_direct", token="direct-token")
    first, last = days(1)
    sync = run_sync(alice_world, source, date_from=first, date_to=last)
    assert sync.status == "failed" and "Yandex Direct did not answer" in sync.error
    assert reload(source).last_error == sync.error
