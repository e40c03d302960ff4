"""A fake of the Yandex Direct Reports service v5 (POST /json/v5/reports), answering like the real one.

State: `token` (the valid OAuth token), `accounts` ({Client-Login: {campaign id: name}}; "" is the token's
own account). Auto answer: the CAMPAIGN_PERFORMANCE_REPORT TSV of the requested period and fields, with the
report-name row, the column header and the "Total rows" summary unless the skip* headers say otherwise, money
in micros unless `returnMoneyInMicros: false`. Scripting: `offline(times, retry_in)` answers 201 then 202 with
`retryIn` before the report; `script(status, body)` any other answer (429, 500, garbage).
"""
from datetime import date, timedelta

from .scripted_http import ScriptedServer, figures

ERRORS = {53: ("Ошибка авторизации", "OAuth-токен не действителен или просрочен"),
          8800: ("Объект не найден", "Клиент с указанным логином не найден"),
          4000: ("Неверный запрос", "")}


def error(code: int, detail: str = "") -> dict:
    string, default = ERRORS.get(code, ("Ошибка", ""))
    return {"error": {"request_id": "8695244274068608439", "error_code": str(code), "error_string": string,
                      "error_detail": detail or default}}


class FakeYandexDirect(ScriptedServer):
    def __init__(self):
        super().__init__()
        self.token = "direct-token"
        self.accounts = {"": {"1001": "Поиск — бренд", "1002": "РСЯ — ретаргетинг"}}

    def reset(self) -> None:
        super().reset()
        self.token = "direct-token"
        self.accounts = {"": {"1001": "Поиск — бренд", "1002": "РСЯ — ретаргетинг"}}

    def offline(self, *, times: int = 2, retry_in: int = 0) -> None:
        self.script(201, "", {"retryIn": retry_in, "reportsInQueue": 1})
        if times > 1:
            self.script(202, "", {"retryIn": retry_in, "reportsInQueue": 1}, times=times - 1)

    def auto(self, request):
        headers = request["headers"]
        if request["path"] != "/json/v5/reports" or request["method"] != "POST":
            return 404, error(4000, "unknown address"), {}
        if headers.get("authorization") != f"Bearer {self.token}":
            return 400, error(53), {}
        login = headers.get("client-login", "")
        if login not in self.accounts:
            return 400, error(8800), {}
        params = (request["body"] or {}).get("params") or {}
        required = ("SelectionCriteria", "FieldNames", "ReportName", "ReportType", "DateRangeType", "Format",
                    "IncludeVAT")
        if any(k not in params for k in required) or params["Format"] != "TSV":
            return 400, error(4000, "missing parameters"), {}
        if params["DateRangeType"] != "CUSTOM_DATE" or params["ReportType"] != "CAMPAIGN_PERFORMANCE_REPORT":
            return 400, error(4000, "unexpected report type"), {}
        criteria = params["SelectionCriteria"]
        first, last = date.fromisoformat(criteria["DateFrom"]), date.fromisoformat(criteria["DateTo"])
        wanted = None
        for item in criteria.get("Filter") or []:
            if item["Field"] == "CampaignId" and item["Operator"] == "IN":
                wanted = set(item["Values"])
        micros = headers.get("returnmoneyinmicros", "true") != "false"
        fields = params["FieldNames"]
        lines = []
        if headers.get("skipreportheader") != "true":
            lines.append(f'"{params["ReportName"]} ({first.isoformat()} - {last.isoformat()})"')
        if headers.get("skipcolumnheader") != "true":
            lines.append("\t".join(fields))
        count = 0
        day = first
        while day <= last:
            for campaign_id, name in self.accounts[login].items():
                if wanted is not None and campaign_id not in wanted:
                    continue
                f = figures(campaign_id, day)
                money = (lambda kopecks: str(kopecks * 10_000)) if micros else (lambda k: f"{k / 100:.2f}")
                values = {"Date": day.isoformat(), "CampaignId": campaign_id, "CampaignName": name,
                          "Impressions": str(f["impressions"]), "Clicks": str(f["clicks"]),
                          "Cost": money(f["cost_kopecks"]),
                          "Conversions": str(f["conversions"]) if f["conversions"] else "--",
                          "Revenue": money(f["revenue_kopecks"]) if f["revenue_kopecks"] else "--"}
                lines.append("\t".join(values.get(k, "--") for k in fields))
                count += 1
            day += timedelta(days=1)
        if headers.get("skipreportsummary") != "true":
            lines.append(f"Total rows: {count}")
        return 200, "\n".join(lines) + "\n", {"Content-Type": "text/tab-separated-values; charset=utf-8",
                                              "RequestId": "8695244274068608439", "units": "10/20828/64000"}
