"""A fake of the VK Ads API v2 (ads.vk.com): ad plans, daily statistics and the OAuth2 token endpoint.

State: `access_token`, `refresh_token`, `client_id` / `client_secret` of the app, `plans` ({id: name}).
`expire()` makes the current access token answer 401 (as an expired one does); POST
/api/v2/oauth2/token.json with grant_type=refresh_token issues a new pair (`refreshes` counts them; the old
refresh token stops working). GET /api/v2/ad_plans.json and /api/v2/statistics/ad_plans/day.json answer
like the real API; errors are {"error": {"code", "message"}}.
"""
from datetime import date, timedelta

from .scripted_http import ScriptedServer, figures


def error(code: str, message: str) -> dict:
    return {"error": {"code": code, "message": message}}


class FakeVkAds(ScriptedServer):
    def __init__(self):
        super().__init__()
        self.reset()

    def reset(self) -> None:
        super().reset()
        self.access_token, self.refresh_token = "vk-access-0", "vk-refresh-0"
        self.client_id, self.client_secret = "vk-app", "vk-secret"
        self.plans = {"501": "VK — look-alike покупателей", "502": "VK — лид-формы"}
        self.refreshes = 0
        self._expired = False

    def expire(self) -> None:
        self._expired = True

    def auto(self, request):
        path = request["path"]
        if path == "/api/v2/oauth2/token.json" and request["method"] == "POST":
            return self._token(request["body"] or {})
        if request["headers"].get("authorization") != f"Bearer {self.access_token}" or self._expired:
            return 401, error("invalid_token", "Token expired" if self._expired else "Invalid token"), {}
        if path == "/api/v2/ad_plans.json":
            ids = list(self.plans)
            if request["query"].get("_id__in"):
                wanted = request["query"]["_id__in"].split(",")
                ids = [i for i in ids if i in wanted]
            limit, offset = int(request["query"].get("limit", 20)), int(request["query"].get("offset", 0))
            items = [{"id": int(i), "name": self.plans[i]} for i in ids[offset:offset + limit]]
            return 200, {"count": len(ids), "offset": offset, "items": items}, {}
        if path == "/api/v2/statistics/ad_plans/day.json":
            return self._statistics(request["query"])
        return 404, error("ERR_WRONG_RESOURCE", "Unknown resource"), {}

    def _token(self, form: dict):
        if form.get("grant_type") != "refresh_token":
            return 400, {"error": "unsupported_grant_type", "error_description": "Unsupported grant type"}, {}
        if (form.get("client_id"), form.get("client_secret")) != (self.client_id, self.client_secret):
            return 401, {"error": "invalid_client", "error_description": "Invalid client"}, {}
        if form.get("refresh_token") != self.refresh_token:
            return 400, {"error": "invalid_grant", "error_description": "Invalid refresh token"}, {}
        self.refreshes += 1
        self.access_token, self.refresh_token = f"vk-access-{self.refreshes}", f"vk-refresh-{self.refreshes}"
        self._expired = False
        return 200, {"access_token": self.access_token, "token_type": "Bearer", "expires_in": 86400,
                     "refresh_token": self.refresh_token, "tokens_left": 4}, {}

    def _statistics(self, query: dict):
        try:
            first, last = date.fromisoformat(query["date_from"]), date.fromisoformat(query["date_to"])
        except (KeyError, ValueError):
            return 400, error("ERR_WRONG_DATE", "Wrong date"), {}
        if (last - first).days > 92:
            return 400, error("ERR_WRONG_DATE", "Period is too long"), {}
        items = []
        for plan in (query.get("id") or "").split(","):
            rows, day = [], first
            while day <= last:
                f = figures(plan, day)
                rows.append({"date": day.isoformat(),
                             "base": {"shows": f["impressions"], "clicks": f["clicks"], "goals": f["conversions"],
                                      "spent": f"{f['cost_kopecks'] / 100:.2f}", "cpm": "0", "cpc": "0",
                                      "cpa": "0", "ctr": 0, "cr": 0}})
                day += timedelta(days=1)
            items.append({"id": int(plan), "rows": rows, "total": {"base": {}}})
        return 200, {"items": items, "total": {"base": {}}}, {}
