"""Where a page's time goes, in-process: SQL queries, SQL time, Python time, HTML size, and the plans of the
slowest queries (PostgreSQL `EXPLAIN (ANALYZE, BUFFERS)`).

    DATABASE_URL=postgres://… .venv/bin/python -m bench.profile --user am@sever.demo [--explain 3] [--page kanban]

It renders each page with Django's test client (logged in with `force_login`), so no server is needed and
the numbers do not include HTTP. Timings of a loaded machine are noisy: compare query counts, rows and plans.
"""
import argparse
import os
import sys
import time


def page_paths(http) -> list[tuple[str, str]]:
    """The pages `bench.run` times (a client id and a search word found on the client list), plus the
    portfolio and the search page."""
    import re

    html = http.get("/clients/").content.decode()
    client = re.search(r'href="(/clients/[0-9a-f-]{36}/)"', html)
    names = re.findall(r'href="/clients/[0-9a-f-]{36}/"[^>]*>([^<]+)<', html)
    word = names[0].split()[0] if names else "а"
    found = [("client list", "/clients/"), ("client list search", f"/clients/?q={word}&status=active"),
             ("client list p50", "/clients/?sort=-last_contact_at&page=50")]
    if client:
        found += [("client page", client.group(1)), ("client page blocks", client.group(1) + "blocks/")]
    found += [("kanban", "/clients/deals/"), ("today", "/today/"), ("portfolio", "/clients/portfolio/"),
              ("search", f"/clients/search/?q={word}")]
    from bench.run import DASHBOARD_PAGES

    return found + list(DASHBOARD_PAGES)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--user", required=True, help="e-mail of a staff member")
    parser.add_argument("--page", default="", help="only pages whose name contains this")
    parser.add_argument("--explain", type=int, default=0, help="EXPLAIN ANALYZE the N slowest queries per page")
    parser.add_argument("--repeat", type=int, default=3, help="render each page N times, report the fastest")
    parser.add_argument("--pyinstrument", action="store_true",
                        help="print a pyinstrument call tree of one more render of each page (pip install pyinstrument)")
    parser.add_argument("--cold", action="store_true",
                        help="drop the agency's cached figures before every render (the first read after a write)")
    args = parser.parse_args(argv)

    sys.path.insert(0, os.getcwd())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mrm.settings.base")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    user = get_user_model().objects.get(email=args.user)
    http = Client(HTTP_HOST="127.0.0.1")
    http.force_login(user, backend="mrm.accounts.backends.EmailBackend")
    print("| page | HTTP | KB | queries | SQL ms | total ms |\n|---|---|---|---|---|---|")
    plans = []
    for name, path in page_paths(http):
        if args.page and args.page.lower() not in name.lower():
            continue
        best = None
        for _ in range(max(args.repeat, 1)):
            if args.cold:
                _forget_cached_figures(user)
            with CaptureQueriesContext(connection) as ctx:
                started = time.perf_counter()
                response = http.get(path)
                took = time.perf_counter() - started
            sql = sum(float(q["time"]) for q in ctx.captured_queries)
            if best is None or took < best[0]:
                best = (took, sql, list(ctx.captured_queries), response)
        took, sql, queries, response = best
        print(f"| {name} | {response.status_code} | {len(response.content) / 1024:.0f} | {len(queries)} | "
              f"{sql * 1000:.0f} | {took * 1000:.0f} |")
        if args.pyinstrument:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.001)
            with profiler:
                http.get(path)
            print(profiler.output_text(unicode=True, color=False, show_all=False))
        if args.explain and connection.vendor == "postgresql":
            slowest = sorted(queries, key=lambda q: float(q["time"]), reverse=True)[:args.explain]
            plans += [(name, q) for q in slowest if q["sql"].lstrip().upper().startswith(("SELECT", "WITH"))]
    for name, query in plans:
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
            plan = "\n".join(row[0] for row in cursor.fetchall())
        print(f"\n### {name}: {float(query['time']) * 1000:.1f} ms\n```sql\n{query['sql'][:1500]}\n```\n```\n{plan}\n```")


def _forget_cached_figures(user) -> None:
    """What a write does to the dashboards' and the alert badge's caches (`mrm.core.versioned_cache`)."""
    from django_scopes import scopes_disabled

    from dashboards.figures_cache import figures_changed
    from projects.alerts.selectors import BADGES

    with scopes_disabled():
        agency_ids = list(user.memberships.values_list("agency_id", flat=True))
    for agency_id in agency_ids:
        figures_changed(agency_id=agency_id)
        BADGES.changed(agency_id=agency_id)


if __name__ == "__main__":
    main()
