"""VK Ads (ads.vk.com), API v2: daily statistics of ad plans (campaigns), with OAuth2 token refresh.

GET {VK_ADS_API_URL}/api/v2/ad_plans.json?fields=id,name (names; `_id__in` for the chosen ones) and
GET /api/v2/statistics/ad_plans/day.json?id=1,2&date_from&date_to&metrics=base with `Authorization: Bearer`:
{"items": [{"id", "rows": [{"date", "base": {"shows", "clicks", "goals", "spent"}}], "total"}], "total"}.
Errors are {"error": {"code", "message"}}. An access token lives about a day: when it is past its
`expires_at` or the API answers 401, POST /api/v2/oauth2/token.json (grant_type=refresh_token, refresh_token,
client_id, client_secret) returns a new pair, which is saved before the request is repeated once.
https://ads.vk.com/doc/api/info/Statistics
"""
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from . import base
from .http import ConnectorError, TokenExpired, call, garbage, json_body

SERVICE = "VK Ads"
IDS_PER_REQUEST = 50
DAYS_PER_REQUEST = 90
PLANS_PAGE = 250
CENT = Decimal("0.01")


def _error_text(body: dict, status: int) -> str:
    error = body.get("error")
    if isinstance(error, dict):
        return " ".join(str(error.get(k) or "") for k in ("code", "message")).strip()
    if isinstance(error, str):
        return f"{error} {body.get('error_description') or ''}".strip()
    return f"HTTP {status}"


def parse_statistics(body: dict, *, names: dict[str, str], currency: str) -> list[base.MetricRow]:
    items = body.get("items")
    if not isinstance(items, list):
        raise garbage(SERVICE, _("no items list"))
    rows = []
    for item in items:
        try:
            plan = str(int(item["id"]))
            for day in item.get("rows") or []:
                figures = day["base"]
                row = {"date": date.fromisoformat(str(day["date"])), "channel": "vk_ads", "campaign_id": plan,
                       "campaign": names.get(plan) or plan, "impressions": int(figures.get("shows") or 0),
                       "clicks": int(figures.get("clicks") or 0),
                       "cost": Decimal(str(figures.get("spent") or 0)).quantize(CENT),
                       "conversions": Decimal(str(figures.get("goals") or 0)).quantize(CENT), "currency": currency}
                if min(row["impressions"], row["clicks"], row["cost"]) < 0:
                    raise ValueError
                rows.append(row)
        except (KeyError, TypeError, ValueError, InvalidOperation, AttributeError):
            raise garbage(SERVICE, str(item)[:120]) from None
    return rows


class VkAdsConnector:
    kind = "vk_ads"

    def __init__(self) -> None:
        self.notes: list[str] = []
        self.source = None
        self.access = None
        self.token = ""
        self.refreshed = False

    def fetch(self, source, date_from: date, date_to: date) -> list[base.MetricRow]:
        from ..services.connections import credential_access

        self.source, self.access = source, credential_access(source=source)
        self.token = self.access.access_token
        if not self.token or (self.access.expires_at and self.access.expires_at <= timezone.now()):
            self._refresh()
        names = self._plans(list(source.campaigns))
        rows: list[base.MetricRow] = []
        ids = list(names)
        for start in range(0, len(ids), IDS_PER_REQUEST):
            chunk = ids[start:start + IDS_PER_REQUEST]
            first = date_from
            while first <= date_to:
                last = min(date_to, first + timedelta(days=DAYS_PER_REQUEST - 1))
                body = self._get("/api/v2/statistics/ad_plans/day.json",
                                 {"id": ",".join(chunk), "date_from": first.isoformat(),
                                  "date_to": last.isoformat(), "metrics": "base"})
                rows += parse_statistics(body, names=names, currency=source.currency)
                first = last + timedelta(days=1)
        return rows

    def _plans(self, chosen: list[str]) -> dict[str, str]:
        names: dict[str, str] = {}
        offset = 0
        while True:
            params = {"fields": "id,name", "limit": PLANS_PAGE, "offset": offset}
            if chosen:
                params["_id__in"] = ",".join(chosen)
            body = self._get("/api/v2/ad_plans.json", params)
            items = body.get("items")
            if not isinstance(items, list):
                raise garbage(SERVICE, _("no items list"))
            for item in items:
                if not isinstance(item, dict) or "id" not in item:
                    raise garbage(SERVICE, str(item)[:120])
                names[str(item["id"])] = str(item.get("name") or item["id"])[:300]
            offset += len(items)
            if not items or offset >= int(body.get("count") or 0):
                break
        for plan in chosen:  # a chosen plan the list did not return still gets its statistics asked for
            names.setdefault(plan, plan)
        return names

    def _get(self, path: str, params: dict) -> dict:
        url = f"{settings.VK_ADS_API_URL}{path}"
        response = call("GET", url, service=SERVICE, headers={"Authorization": f"Bearer {self.token}"},
                        params=params)
        if response.status_code == 401 and not self.refreshed:
            self._refresh()
            response = call("GET", url, service=SERVICE, headers={"Authorization": f"Bearer {self.token}"},
                            params=params)
        if response.status_code == 401:
            raise TokenExpired(_("VK Ads did not accept the token (%(text)s). Connect the account again on the "
                                 "Connection page.") % {"text": _error_text(json_body(response, service=SERVICE),
                                                                             401)}, code="token_expired")
        body = json_body(response, service=SERVICE)
        if response.status_code != 200:
            raise ConnectorError(_("VK Ads refused the request: %(text)s")
                                 % {"text": _error_text(body, response.status_code)}, code="refused")
        return body

    def _refresh(self) -> None:
        from ..services.connections import credential_refreshed

        access = self.access
        if not (access.refresh_token and access.client_id and access.client_secret):
            raise TokenExpired(_("The VK Ads access token has expired and there is no refresh token with the app's "
                                 "client id and secret to renew it. Save them on the Connection page."),
                               code="token_expired")
        response = call("POST", f"{settings.VK_ADS_API_URL}/api/v2/oauth2/token.json", service=SERVICE,
                        data={"grant_type": "refresh_token", "refresh_token": access.refresh_token,
                              "client_id": access.client_id, "client_secret": access.client_secret})
        body = json_body(response, service=SERVICE)
        if response.status_code != 200 or not body.get("access_token"):
            raise TokenExpired(_("VK Ads refused to renew the token (%(text)s). Connect the account again on the "
                                 "Connection page.") % {"text": _error_text(body, response.status_code)},
                               code="token_expired")
        try:
            expires_in = int(body.get("expires_in") or 0) or None
        except (TypeError, ValueError):
            expires_in = None
        self.token, self.refreshed = str(body["access_token"]), True
        credential_refreshed(source=self.source, access_token=self.token,
                             refresh_token=body.get("refresh_token"), expires_in=expires_in)


base.register("vk_ads", VkAdsConnector)
