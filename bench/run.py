"""Time the main pages of a running MRM: p50/p95 of single requests and under concurrent load.

    .venv/bin/python -m bench.run --url http://127.0.0.1:8799 --user director@sever.demo --password demo-pass-2026

Standard library only (urllib + http.cookiejar). It logs in once like a browser (CSRF token from the
login form), finds a client and a search word on the client list, then times each page: `--runs`
sequential requests, and `--concurrency` threads sharing the session for `--runs` requests each.
"""
import argparse
import http.cookiejar
import math
import re
import statistics
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

UA = "mrm-bench/1.0"


class Session:
    def __init__(self, base: str) -> None:
        self.base = base.rstrip("/")
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str) -> tuple[int, bytes, float]:
        request = urllib.request.Request(self.base + path, headers={"User-Agent": UA})
        started = time.perf_counter()
        try:
            with self.opener.open(request, timeout=60) as response:
                body = response.read()
                status = response.status
        except urllib.error.HTTPError as exc:
            body, status = exc.read(), exc.code
        return status, body, time.perf_counter() - started

    def login(self, user: str, password: str) -> None:
        status, body, _ = self.get("/accounts/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        if status != 200 or not token:
            raise SystemExit(f"No login form at {self.base}/accounts/login/ (HTTP {status}).")
        data = urllib.parse.urlencode({"username": user, "password": password,
                                       "csrfmiddlewaretoken": token.group(1).decode()}).encode()
        request = urllib.request.Request(self.base + "/accounts/login/", data=data, headers={
            "User-Agent": UA, "Referer": self.base + "/accounts/login/"})
        try:
            self.opener.open(request, timeout=60).close()
        except urllib.error.HTTPError:
            pass  # the page after login may fail; the session cookie is what counts here
        if not any(c.name == "sessionid" for c in self.jar):
            raise SystemExit("Login failed: check --user and --password.")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


# Fixed pages, timed when they answer 200 to the logged-in user: (name, path). One line adds a page to the bench
# (bench.suite and the query counts pick it up too); `--only kpi` times only the pages whose name has "kpi".
DASHBOARD_PAGES = [
    ("KPI dashboard (quarter)", "/dashboards/"),
    ("KPI dashboard (month, 12-month trend)", "/dashboards/?period=month"),
    ("KPI dashboard (year)", "/dashboards/?period=year"),
    ("KPI drill: retention", "/dashboards/retention/"),
    ("KPI drill: NPS detractors", "/dashboards/nps/?segment=detractors"),
    ("KPI drill: revenue", "/dashboards/revenue/"),
    ("KPI drill: upsell", "/dashboards/upsell/"),
    ("KPI drill: response time", "/dashboards/response/"),
    ("KPI per AM (team)", "/dashboards/team/"),
    ("KPI API", "/api/v1/kpis/"),
    ("KPI API (year)", "/api/v1/kpis/?period=year"),
    ("KPI API per AM", "/api/v1/kpis/team/"),
    ("KPI drill: report ratings", "/dashboards/reports/"),
    ("Portfolio economics (quarter)", "/dashboards/portfolio/"),
    ("Portfolio economics, loss-making by profit", "/dashboards/portfolio/?loss=1&sort=profit"),
    ("Portfolio API", "/api/v1/portfolio/"),
    ("Portfolio workload API", "/api/v1/portfolio/workload/"),
    ("At-risk list", "/dashboards/health/"),
    ("At-risk list, all by score", "/dashboards/health/?band=all&sort=score"),
    ("Health API", "/api/v1/health/"),
]


def fixed_pages(session: Session, table=None) -> list[tuple[str, str]]:
    return [(name, path) for name, path in (DASHBOARD_PAGES if table is None else table)
            if session.get(path)[0] == 200]


def pages(session: Session) -> list[tuple[str, str]]:
    status, body, _ = session.get("/clients/")
    if status != 200:
        raise SystemExit(f"/clients/ answered HTTP {status}.")
    html = body.decode("utf-8", "replace")
    client = re.search(r'href="(/clients/[0-9a-f-]{36}/)"', html)
    names = re.findall(r'href="/clients/[0-9a-f-]{36}/"[^>]*>([^<]+)<', html)
    word = names[0].split()[0] if names else "а"
    found = [("Client list, page 1", "/clients/"),
             ("Client list, search + filter", "/clients/?" + urllib.parse.urlencode({"q": word, "status": "active"})),
             ("Client list, page 50 sorted", "/clients/?sort=-last_contact_at&page=50")]
    if client:
        found += [("Client page", client.group(1)),
                  ("Client page, deferred blocks", client.group(1) + "blocks/")]  # what the page asks for on load
    if session.get("/clients/deals/")[0] == 200:
        found.append(("Deals kanban", "/clients/deals/"))
    found.append(("Today", "/today/"))
    for name, path in (("Portfolio", "/clients/portfolio/"), ("Search", "/clients/search/?" + urllib.parse.urlencode(
            {"q": word}))):
        if session.get(path)[0] == 200:
            found.append((name, path))
    found.extend(project_pages(session))
    found.extend(fixed_pages(session))
    return found


def project_pages(session: Session) -> list[tuple[str, str]]:
    """The delivery pages (bench.generate_projects): the project list, and the board and timeline of the first
    generated project (the one with --big-project-tasks tasks), the capacity view."""
    status, body, _ = session.get("/projects/")
    if status != 200:
        return []
    found = [("Project list", "/projects/")]
    _, body, _ = session.get("/projects/?" + urllib.parse.urlencode(
        {"q": "Проект bench", "status": "all", "sort": "created_at"}))
    first = re.search(r'href="(/projects/[0-9a-f-]{36}/)"', body.decode("utf-8", "replace"))
    if first:
        found += [("Project board (300 tasks)", first.group(1) + "tasks/"),
                  ("Project timeline (300 tasks)", first.group(1) + "timeline/")]
    found.append(("Capacity (8 weeks)", "/projects/capacity/"))
    return found


def _words(text: str) -> list[str]:
    return [w.strip().lower() for w in text.split(",") if w.strip()]


def select(found: list[tuple[str, str]], *, only: str = "", skip: str = "") -> list[tuple[str, str]]:
    """The pages whose name contains a word of `only` (all when empty) and none of `skip`."""
    wanted, unwanted = _words(only), _words(skip)
    return [(name, path) for name, path in found
            if (not wanted or any(w in name.lower() for w in wanted)) and not any(w in name.lower() for w in unwanted)]


def measure(session: Session, path: str, runs: int, concurrency: int) -> dict:
    # Warm up every worker (its templates, URL resolver, connections, caches), not only the first one to answer:
    # a production worker is warm, and a cold one made the first page of a run look slow.
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(lambda _i: session.get(path), range(concurrency * 2)))
    single, statuses, size = [], set(), 0
    for _ in range(runs):
        status, body, took = session.get(path)
        single.append(took)
        statuses.add(status)
        size = len(body)
    parallel = []
    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        for status, _body, took in pool.map(lambda _i: session.get(path), range(runs * concurrency)):
            parallel.append(took)
            statuses.add(status)
    wall = time.perf_counter() - started
    return {"status": ",".join(str(s) for s in sorted(statuses)), "kb": size / 1024,
            "p50": statistics.median(single), "p95": percentile(single, 95),
            "c50": statistics.median(parallel), "c95": percentile(parallel, 95), "rps": len(parallel) / wall}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, help="e.g. http://127.0.0.1:8799")
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--runs", type=int, default=20, help="sequential requests per page (default 20)")
    parser.add_argument("--concurrency", type=int, default=10, help="parallel clients (default 10)")
    parser.add_argument("--skip", default="", help="comma-separated words: skip pages whose name contains one")
    parser.add_argument("--only", default="", help="comma-separated words: only pages whose name contains one")
    args = parser.parse_args(argv)

    session = Session(args.url)
    session.login(args.user, args.password)
    header = (f"{'page':<30} {'HTTP':>5} {'KB':>6} | {'single p50':>10} {'p95':>7} | "
              f"{'x' + str(args.concurrency) + ' p50':>10} {'p95':>7} {'req/s':>6}")
    print(f"{args.url} as {args.user}: {args.runs} sequential requests per page, then {args.concurrency} "
          f"threads x {args.runs} requests (ms)")
    print(header)
    print("-" * len(header))
    failed = False
    for name, path in select(pages(session), only=args.only, skip=args.skip):
        r = measure(session, path, args.runs, args.concurrency)
        failed |= r["status"] != "200"
        print(f"{name:<30} {r['status']:>5} {r['kb']:>6.0f} | {r['p50'] * 1000:>10.0f} {r['p95'] * 1000:>7.0f} | "
              f"{r['c50'] * 1000:>10.0f} {r['c95'] * 1000:>7.0f} {r['rps']:>6.1f}")
    if failed:
        print("Some requests did not answer 200.", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
