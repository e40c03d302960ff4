"""Yandex Direct, Reports service v5: a CAMPAIGN_PERFORMANCE_REPORT by day, as TSV.

POST {YANDEX_DIRECT_API_URL}/json/v5/reports with `Authorization: Bearer <token>`, `Client-Login` (one
request per login of the source: an agency token reads each client's account that way; no login → the
token's own account), `Accept-Language`, `processingMode: auto` and the report shape headers. The answer:
200 with the report — a row with the report name and period, the column header row, the data rows and
"Total rows: N" —, 201/202 while it is prepared offline (repeat the same request after `retryIn` seconds),
or 400/500/502 with {"error": {"request_id", "error_code", "error_string", "error_detail"}}. Money comes in
micros (returnMoneyInMicros is true by default); "--" means no value.
https://yandex.ru/dev/direct/doc/ru/reports
"""
import hashlib
from datetime import date
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.utils.translation import gettext as _

from . import base
from .http import ConnectorError, TokenExpired, call, garbage, json_body, pause

SERVICE = "Yandex Direct"
FIELDS = ["Date", "CampaignId", "CampaignName", "Impressions", "Clicks", "Cost", "Conversions", "Revenue"]
MICROS = Decimal(1_000_000)
CENT = Decimal("0.01")
AUTH_ERRORS = {52, 53, 58, 513}  # authorization: invalid/expired token, no access, not a Direct user
DEFAULT_RETRY_IN = 10
MAX_POLLS = 60


def report_definition(*, date_from: date, date_to: date, campaigns: list[str]) -> dict:
    criteria = {"DateFrom": date_from.isoformat(), "DateTo": date_to.isoformat()}
    if campaigns:
        criteria["Filter"] = [{"Field": "CampaignId", "Operator": "IN", "Values": campaigns}]
    params = {"SelectionCriteria": criteria, "FieldNames": FIELDS, "ReportType": "CAMPAIGN_PERFORMANCE_REPORT",
              "DateRangeType": "CUSTOM_DATE", "Format": "TSV", "IncludeVAT": "YES", "IncludeDiscount": "NO"}
    # The name identifies the report for offline polling: the same parameters must carry the same name, and
    # another period or campaign list must not reuse it (Direct refuses a name with other parameters).
    digest = hashlib.sha1(repr(sorted(criteria.items())).encode()).hexdigest()[:12]
    params["ReportName"] = f"MRM {date_from.isoformat()} {date_to.isoformat()} {digest}"
    return {"params": params}


def _headers(token: str, login: str) -> dict:
    headers = {"Authorization": f"Bearer {token}", "Accept-Language": "ru", "processingMode": "auto",
               "returnMoneyInMicros": "true", "skipReportHeader": "false", "skipColumnHeader": "false",
               "skipReportSummary": "false"}
    if login:
        headers["Client-Login"] = login
    return headers


def _money(value: str) -> Decimal:
    if value in ("--", ""):
        return Decimal(0)
    return (Decimal(int(value)) / MICROS).quantize(CENT)


def _number(value: str) -> Decimal:
    return Decimal(0) if value in ("--", "") else Decimal(value)


def parse_report(text: str, *, currency: str, login: str = "") -> list[base.MetricRow]:
    """The TSV's data rows as metric rows; anything not shaped like the report is garbage (ConnectorError)."""
    lines = [line for line in text.replace("\r\n", "\n").split("\n") if line.strip()]
    header = "\t".join(FIELDS)
    if lines and lines[0] != header:
        lines = lines[1:]  # the report name and period
    if not lines or lines[0] != header:
        raise garbage(SERVICE, _("no column header row"))
    lines = lines[1:]
    total = None
    if lines and lines[-1].startswith("Total rows:"):
        try:
            total = int(lines[-1].split(":", 1)[1])
        except ValueError:
            raise garbage(SERVICE, lines[-1]) from None
        lines = lines[:-1]
    if total is not None and total != len(lines):
        raise garbage(SERVICE, _("%(n)s rows instead of %(total)s: the report was cut off")
                      % {"n": len(lines), "total": total})
    rows = []
    for number, line in enumerate(lines, 3):
        cells = line.split("\t")
        if len(cells) != len(FIELDS):
            raise garbage(SERVICE, _("row %(n)s has %(cells)s columns") % {"n": number, "cells": len(cells)})
        value = dict(zip(FIELDS, cells, strict=True))
        try:
            row = {"date": date.fromisoformat(value["Date"]), "channel": "yandex_direct",
                   "campaign_id": value["CampaignId"], "campaign": value["CampaignName"],
                   "impressions": int(_number(value["Impressions"])), "clicks": int(_number(value["Clicks"])),
                   "cost": _money(value["Cost"]), "conversions": _number(value["Conversions"]).quantize(CENT),
                   "revenue": _money(value["Revenue"]), "currency": currency}
        except (ValueError, InvalidOperation):
            raise garbage(SERVICE, _("row %(n)s: %(line)s") % {"n": number, "line": line[:120]}) from None
        if not value["CampaignId"].isdigit() or min(row["impressions"], row["clicks"], row["cost"]) < 0:
            raise garbage(SERVICE, _("row %(n)s: %(line)s") % {"n": number, "line": line[:120]})
        rows.append(row)
    return rows


def _error(response, login: str) -> ConnectorError:
    error = json_body(response, service=SERVICE).get("error")
    if not isinstance(error, dict):
        raise garbage(SERVICE, f"HTTP {response.status_code}")
    text = " ".join(str(error.get(k) or "") for k in ("error_string", "error_detail")).strip()
    where = _(" (account %(login)s)") % {"login": login} if login else ""
    message = _("Yandex Direct refused the report%(where)s: %(text)s [code %(code)s, request %(id)s]") % {
        "where": where, "text": text or f"HTTP {response.status_code}", "code": error.get("error_code"),
        "id": error.get("request_id") or "—"}
    try:
        code = int(error.get("error_code") or 0)
    except (TypeError, ValueError):
        code = 0
    if code in AUTH_ERRORS or response.status_code in (401, 403):
        return TokenExpired(message + " " + _("Get a new OAuth token and save it on the Connection page."),
                            code="token_expired")
    return ConnectorError(message, code="refused")


class YandexDirectConnector:
    kind = "yandex_direct"

    def __init__(self) -> None:
        self.notes: list[str] = []

    def fetch(self, source, date_from: date, date_to: date) -> list[base.MetricRow]:
        from ..services.connections import credential_access

        access = credential_access(source=source)
        body = report_definition(date_from=date_from, date_to=date_to, campaigns=list(source.campaigns))
        rows: list[base.MetricRow] = []
        for login in list(source.accounts) or [""]:
            rows += self._report(access.access_token, login, body, currency=source.currency)
        return rows

    def _report(self, token: str, login: str, body: dict, *, currency: str) -> list[base.MetricRow]:
        url = f"{settings.YANDEX_DIRECT_API_URL}/json/v5/reports"
        for _poll in range(MAX_POLLS):
            response = call("POST", url, service=SERVICE, headers=_headers(token, login), json=body)
            if response.status_code == 200:
                response.encoding = "utf-8"
                return parse_report(response.text, currency=currency, login=login)
            if response.status_code in (201, 202):
                try:
                    retry_in = int(response.headers.get("retryIn") or DEFAULT_RETRY_IN)
                except ValueError:
                    retry_in = DEFAULT_RETRY_IN
                pause(retry_in, _("Yandex Direct is preparing the report offline; asking again in %(n)s s…")
                      % {"n": retry_in})
                continue
            raise _error(response, login)
        raise ConnectorError(_("Yandex Direct did not finish the offline report in time; the sync stopped. It "
                               "runs again with the next daily sync."), code="too_slow")


base.register("yandex_direct", YandexDirectConnector)
