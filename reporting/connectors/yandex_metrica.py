"""Yandex Metrica, Reporting API: sessions, goal reaches and e-commerce revenue by day and traffic source.

GET {YANDEX_METRICA_API_URL}/stat/v1/data?ids=<counter>&metrics=…&dimensions=ym:s:date,ym:s:lastTrafficSource
&date1&date2&accuracy=full&limit&offset (offset counts from 1) with `Authorization: OAuth <token>`. The answer
has `data[]` of {"dimensions": [{"name", "id"}…], "metrics": [numbers]}, `totals`, `total_rows` (pages),
`sampled` and `sample_share`; errors are {"errors": [{"error_type", "message"}], "code", "message"}, a quota
429 among them. Each counter × traffic source is a "campaign" of the source (`<counter>:<source id>`).
https://yandex.ru/dev/metrika/ru/stat/
"""
from datetime import date
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.utils.translation import gettext as _

from . import base
from .http import ConnectorError, TokenExpired, call, garbage, json_body

SERVICE = "Yandex Metrica"
METRICS = ("ym:s:visits", "ym:s:sumGoalReachesAny", "ym:s:ecommerceRevenue")
DIMENSIONS = ("ym:s:date", "ym:s:lastTrafficSource")
PAGE = 10_000
CENT = Decimal("0.01")
MAX_PAGES = 100


def _error(response, counter: str) -> ConnectorError:
    body = json_body(response, service=SERVICE)
    errors = body.get("errors") if isinstance(body.get("errors"), list) else []
    first = errors[0] if errors and isinstance(errors[0], dict) else {}
    kind = str(first.get("error_type") or "")
    text = str(first.get("message") or body.get("message") or f"HTTP {response.status_code}")
    message = _("Yandex Metrica refused counter %(counter)s: %(text)s") % {"counter": counter, "text": text}
    if response.status_code == 401 or kind == "invalid_token":
        return TokenExpired(message + " " + _("Get a new OAuth token and save it on the Connection page."),
                            code="token_expired")
    if response.status_code == 429 or kind.startswith("quota"):
        return ConnectorError(message + " " + _("The Metrica quota is used up for now; the next daily sync "
                                                "reads these days again."), code="quota")
    return ConnectorError(message, code="refused")


def parse_page(body: dict, *, counter: str, currency: str) -> list[base.MetricRow]:
    data = body.get("data")
    if not isinstance(data, list):
        raise garbage(SERVICE, _("no data list"))
    rows = []
    for item in data:
        try:
            day, traffic = item["dimensions"]
            visits, goals, revenue = item["metrics"]
            row = {"date": date.fromisoformat(str(day["name"])), "channel": "yandex_metrica",
                   "campaign_id": f"{counter}:{traffic.get('id') or traffic.get('name')}"[:200],
                   "campaign": str(traffic.get("name") or traffic.get("id") or "—"),
                   "sessions": int(round(float(visits))), "conversions": Decimal(str(goals)).quantize(CENT),
                   "revenue": Decimal(str(revenue)).quantize(CENT), "currency": currency}
        except (KeyError, TypeError, ValueError, InvalidOperation, AttributeError):
            raise garbage(SERVICE, str(item)[:120]) from None
        if row["sessions"] < 0 or row["revenue"] < 0:
            raise garbage(SERVICE, str(item)[:120])
        rows.append(row)
    return rows


class YandexMetricaConnector:
    kind = "yandex_metrica"

    def __init__(self) -> None:
        self.notes: list[str] = []

    def fetch(self, source, date_from: date, date_to: date) -> list[base.MetricRow]:
        from ..services.connections import credential_access

        counters = list(source.counters)
        if not counters:
            raise ConnectorError(_("Add the Metrica counter numbers to the source first."), code="no_counter")
        token = credential_access(source=source).access_token
        rows: list[base.MetricRow] = []
        for counter in counters:
            rows += self._counter(token, counter, date_from, date_to, currency=source.currency)
        return rows

    def _counter(self, token: str, counter: str, date_from: date, date_to: date, *, currency: str) -> list:
        url = f"{settings.YANDEX_METRICA_API_URL}/stat/v1/data"
        rows, offset = [], 1
        for _page in range(MAX_PAGES):
            params = {"ids": counter, "metrics": ",".join(METRICS), "dimensions": ",".join(DIMENSIONS),
                      "date1": date_from.isoformat(), "date2": date_to.isoformat(), "accuracy": "full",
                      "limit": PAGE, "offset": offset}
            response = call("GET", url, service=SERVICE, headers={"Authorization": f"OAuth {token}"},
                            params=params)
            if response.status_code != 200:
                raise _error(response, counter)
            body = json_body(response, service=SERVICE)
            page = parse_page(body, counter=counter, currency=currency)
            rows += page
            if body.get("sampled"):
                share = body.get("sample_share")
                note = _("Metrica counter %(counter)s answered from a sample (%(share)s%% of sessions): its "
                         "figures are estimates.") % {"counter": counter,
                                                      "share": round(float(share or 0) * 100, 1)}
                if note not in self.notes:
                    self.notes.append(note)
            try:
                total = int(body.get("total_rows", len(rows)))
            except (TypeError, ValueError):
                raise garbage(SERVICE, _("total_rows")) from None
            if not page or len(rows) >= total:
                return rows
            offset += len(page)
        raise garbage(SERVICE, _("more pages than expected"))


base.register("yandex_metrica", YandexMetricaConnector)
