"""A fake of the Yandex Metrica Reporting API (GET /stat/v1/data), answering like the real one.

State: `token`, `counters` ({counter id: [(traffic source id, name), …]}), `sampled` (answers carry
`sampled: true` and `sample_share`). Auto answer: `data[]` with the date and traffic source dimensions and
the visits, goal reaches and revenue metrics, paged by `limit` / `offset` (from 1) with `total_rows` and
`totals`; a wrong token answers 403 `invalid_token`, an unknown counter 400. `quota()` scripts the 429 body.
"""
from datetime import date, timedelta

from .scripted_http import ScriptedServer, figures

SOURCES = [("organic", "Переходы из поисковых систем"), ("ad", "Переходы по рекламе"), ("direct", "Прямые заходы")]


def errors(code: int, error_type: str, message: str) -> dict:
    return {"errors": [{"error_type": error_type, "message": message}], "code": code, "message": message}


class FakeYandexMetrica(ScriptedServer):
    def __init__(self):
        super().__init__()
        self.reset()

    def reset(self) -> None:
        super().reset()
        self.token = "metrica-token"
        self.counters = {"44147844": list(SOURCES)}
        self.sampled = False

    def quota(self, *, times: int = 1) -> None:
        self.script(429, errors(429, "quota_requests_by_uid",
                                "Quota exceeded for quantity of API requests per user"), times=times)

    def auto(self, request):
        query = request["query"]
        if request["path"] != "/stat/v1/data":
            return 404, errors(404, "not_found", "Not found"), {}
        if request["headers"].get("authorization") != f"OAuth {self.token}":
            return 403, errors(403, "invalid_token", "Invalid oauth_token"), {}
        counter = query.get("ids", "")
        if counter not in self.counters:
            return 400, errors(400, "invalid_parameter", f"Entity not found: counter {counter}"), {}
        if query.get("dimensions") != "ym:s:date,ym:s:lastTrafficSource":
            return 400, errors(400, "invalid_parameter", "Unexpected dimensions"), {}
        first, last = date.fromisoformat(query["date1"]), date.fromisoformat(query["date2"])
        data, day = [], first
        while day <= last:
            for source_id, name in self.counters[counter]:
                f = figures(f"{counter}:{source_id}", day)
                data.append({"dimensions": [{"name": day.isoformat()}, {"name": name, "id": source_id}],
                             "metrics": [float(f["clicks"]), float(f["conversions"]), f["revenue_kopecks"] / 100]})
            day += timedelta(days=1)
        limit, offset = int(query.get("limit", 100)), int(query.get("offset", 1))
        page = data[offset - 1:offset - 1 + limit]
        totals = [sum(item["metrics"][i] for item in data) for i in range(3)]
        return 200, {"query": {"ids": [int(counter)], "metrics": query.get("metrics", "").split(","),
                               "date1": query["date1"], "date2": query["date2"], "limit": limit, "offset": offset},
                     "data": page, "total_rows": len(data), "total_rows_rounded": False,
                     "sampled": self.sampled, "contains_sensitive_data": False,
                     "sample_share": 0.1 if self.sampled else 1.0, "sample_size": 1000, "sample_space": 10000,
                     "data_lag": 120, "totals": totals, "min": totals, "max": totals}, {}
