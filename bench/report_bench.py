"""Time a client's monthly report on an agency with 1,000,000 daily facts: the build job and the report's pages.

    DATABASE_URL=postgres://… MRM_VAR_DIR=/tmp/mrm-bench .venv/bin/python -m bench.report_bench \\
        [--agency-slug bench-metrics] [--builds 5] [--requests 30] [--workers 2] [--port 8797] [--no-http] \\
        [--write] [--note "…"]

The facts come from `bench.generate_metrics` (run it first). The script adds a director and a client contact
to that agency, creates one report of the last calendar month for the client with the most facts and then:

- builds it `--builds` times on the real path: `report_build_start` (the job row) and the `report.build` Celery
  task applied in-process, as a worker runs it (snapshot → commentary → PDF), with the SQL queries counted;
- requests the staff report page and the portal's report page `--requests` times with Django's test client
  (p50/p95, queries, KB) and, unless `--no-http`, the staff page over HTTP from `gunicorn -w --workers`
  (the script starts and stops it), logged in through the login form.

It prints a Markdown section; `--write` appends it to bench/RESULTS.md with `uptime` before and after.
Figures are printed, never asserted: a script, not a test. The report and the two logins are kept for reruns.
"""
import argparse
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STAFF_EMAIL = "bench-reports+{slug}@bench.local"  # one login per agency: a login opens its first agency
CLIENT_EMAIL = "bench-portal+{slug}@bench.local"
PASSWORD = "bench-pass-2026"  # a throwaway login of a benchmark database


def uptime() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "load average " + " / ".join(f"{x:.2f}" for x in os.getloadavg())


class QueryCounter:
    """Counts the SQL statements run on a connection (`connection.execute_wrapper`); unlike the debug query log
    it is not emptied by `request_started` and has no length cap."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def percentile(values: list[float], p: float) -> float:
    from .run import percentile as _percentile

    return _percentile(values, p)


def _people(*, agency, client):
    staff_email, client_email = STAFF_EMAIL.format(slug=agency.slug), CLIENT_EMAIL.format(slug=agency.slug)
    from django.contrib.auth import get_user_model

    from clients.models import Contact
    from mrm.tenancy.models import Membership, Role

    users = get_user_model().objects
    staff = users.filter(email=staff_email).first() or users.create_user(staff_email, PASSWORD,
                                                                          full_name="Bench Director")
    Membership.objects.get_or_create(agency=agency, user=staff, defaults={"role": Role.DIRECTOR})
    contact = Contact.objects.filter(agency=agency, client=client, email=client_email).first() or \
        Contact.objects.create(agency=agency, client=client, full_name="Bench Contact", email=client_email)
    portal = users.filter(email=client_email).first() or users.create_user(client_email, PASSWORD,
                                                                           full_name="Bench Contact")
    Membership.objects.get_or_create(agency=agency, user=portal, defaults={"role": Role.CLIENT, "contact": contact})
    return Membership.objects.get(agency=agency, user=staff), portal


def _report(*, agency, staff, client):
    from reporting.models import Report
    from reporting.services import reports as services

    date_from, date_to = services.period_preset("last_month")
    report = Report.objects.filter(agency=agency, client=client, date_from=date_from, date_to=date_to,
                                   title__startswith="Bench").first()
    if report is not None and report.is_published:
        report.delete()
        report = None
    return report or services.report_create(agency=agency, actor=staff.user, client=client, date_from=date_from,
                                            date_to=date_to, title=f"Bench: {client.name}")


def time_builds(*, agency, staff, report, runs: int) -> dict:
    """The build job `runs` times: the job row, then the Celery task applied like a worker would run it."""
    from django.db import connection

    from mrm.jobs.models import Job
    from reporting import tasks_reports
    from reporting.services import reports as services

    tasks_reports.report_build_task.delay_on_commit = lambda **kwargs: None  # this process is the worker
    times, queries = [], []
    for _ in range(runs):
        started = time.perf_counter()
        counter = QueryCounter()
        with connection.execute_wrapper(counter):
            job = services.report_build_start(agency=agency, actor=staff.user, report=report)
            tasks_reports.report_build_task.apply(kwargs={"agency_id": agency.pk, "job_id": str(job.pk)})
        times.append(time.perf_counter() - started)
        queries.append(counter.count)
        job.refresh_from_db()
        if job.status != Job.Status.SUCCEEDED:
            raise SystemExit(f"The build failed: {job.status} {job.error}")
    # Where one build's time goes (the same functions the task calls, without the job around them).
    report.refresh_from_db()
    phases = {}
    started = time.perf_counter()
    snapshot = services.report_snapshot(agency=agency, membership=staff, report=report)
    phases["snapshot (SQL aggregates)"] = time.perf_counter() - started
    started = time.perf_counter()
    services.commentary_rules(snapshot=snapshot)
    phases["commentary (rules)"] = time.perf_counter() - started
    started = time.perf_counter()
    pdf = services.render_report_pdf(agency=agency, report=report, snapshot=snapshot)
    phases["PDF (WeasyPrint, SVG charts)"] = time.perf_counter() - started
    return {"times": times, "queries": queries, "phases": phases, "pdf_kb": len(pdf) / 1024,
            "snapshot": snapshot}


def publish(*, agency, staff, report) -> None:
    from reporting import tasks_reports
    from reporting.services import reports as services

    tasks_reports.report_publish_task.delay_on_commit = lambda **kwargs: None  # no mail to the bench contact
    report.refresh_from_db()
    services.report_publish(agency=agency, actor=staff.user, report=report)
    report.refresh_from_db()


def time_pages_in_process(*, report, staff_user, portal_user, requests: int) -> list[dict]:
    from django.db import connection
    from django.test import Client

    rows = []
    for name, user, path in (("staff report page", staff_user, f"/reporting/reports/{report.pk}/"),
                             ("portal report page", portal_user, f"/portal/reports/{report.pk}/")):
        http = Client(HTTP_HOST="127.0.0.1")
        http.force_login(user, backend="mrm.accounts.backends.EmailBackend")
        response = http.get(path)  # warm-up
        if response.status_code != 200:
            raise SystemExit(f"{path} answered HTTP {response.status_code}")
        counter = QueryCounter()
        with connection.execute_wrapper(counter):
            http.get(path)
        times = []
        for _ in range(requests):
            started = time.perf_counter()
            http.get(path)
            times.append(time.perf_counter() - started)
        rows.append({"page": name, "how": "in-process (test client)", "times": times,
                     "queries": counter.count, "kb": len(response.content) / 1024})
    return rows


def serve(*, port: int, workers: int) -> subprocess.Popen:
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    env = {**os.environ, "DEBUG": "0"}
    proc = subprocess.Popen([gunicorn, "mrm.wsgi", "-w", str(workers), "-b", f"127.0.0.1:{port}", "--timeout",
                             "120"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(120):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=5).close()
            return proc
        except OSError:
            time.sleep(1)
    proc.terminate()
    raise SystemExit("gunicorn did not answer within two minutes")


def time_page_http(*, report, email: str, port: int, workers: int, requests: int) -> dict:
    from .run import Session

    proc = serve(port=port, workers=workers)
    try:
        session = Session(f"http://127.0.0.1:{port}")
        session.login(email, PASSWORD)
        path = f"/reporting/reports/{report.pk}/"
        for _ in range(2):
            status, body, _elapsed = session.get(path)
        if status != 200:
            raise SystemExit(f"{path} answered HTTP {status} over HTTP")
        times = [session.get(path)[2] for _ in range(requests)]
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return {"page": "staff report page", "how": f"HTTP, gunicorn -w {workers}", "times": times, "queries": None,
            "kb": len(body) / 1024}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agency-slug", default="bench-metrics")
    parser.add_argument("--builds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8797)
    parser.add_argument("--no-http", action="store_true")
    parser.add_argument("--write", action="store_true", help="append the figures to bench/RESULTS.md")
    parser.add_argument("--note", default="")
    args = parser.parse_args(argv)
    if "postgres" not in os.environ.get("DATABASE_URL", ""):
        parser.exit(2, "Set DATABASE_URL to a PostgreSQL database: the benchmark measures the production target.\n")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mrm.settings.base")
    os.environ["DEBUG"] = "0"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db.models import Count
    from django_scopes import scope

    from mrm.tenancy.models import Agency
    from reporting.models import DailyMetric

    agency = Agency.objects.filter(slug=args.agency_slug).first()
    if agency is None:
        raise SystemExit(f"No agency {args.agency_slug!r}: run `python -m bench.generate_metrics` first.")
    load_before = uptime()
    with scope(agency=agency):
        total = DailyMetric.objects.filter(agency=agency).count()
        top = (DailyMetric.objects.filter(agency=agency).values("client").annotate(n=Count("id")).order_by("-n")
               .first())
        if not top:
            raise SystemExit("The agency has no facts: run `python -m bench.generate_metrics` first.")
        from clients.models import Client

        client = Client.objects.get(agency=agency, pk=top["client"])
        staff, portal_user = _people(agency=agency, client=client)
        report = _report(agency=agency, staff=staff, client=client)
        period_rows = DailyMetric.objects.filter(agency=agency, client=client, date__gte=report.date_from,
                                                 date__lte=report.date_to).count()
        print(f"{total:,} facts in the agency; {client.name}: {top['n']:,}, of them {period_rows:,} in "
              f"{report.date_from}–{report.date_to}", flush=True)
        build = time_builds(agency=agency, staff=staff, report=report, runs=args.builds)
        load_build = uptime()
        print(f"build: median {statistics.median(build['times']):.2f} s, max {max(build['times']):.2f} s, "
              f"queries {build['queries']}", flush=True)
        publish(agency=agency, staff=staff, report=report)  # the portal shows published reports only
        pages = time_pages_in_process(report=report, staff_user=staff.user, portal_user=portal_user,
                                      requests=args.requests)
    if not args.no_http:
        pages.append(time_page_http(report=report, email=staff.user.email, port=args.port, workers=args.workers, requests=args.requests))
    load_after = uptime()
    for row in pages:
        print(f"{row['page']} ({row['how']}): p50 {percentile(row['times'], 50) * 1000:.0f} ms, "
              f"p95 {percentile(row['times'], 95) * 1000:.0f} ms, queries {row['queries']}, {row['kb']:.0f} KB")

    snap = build["snapshot"]
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"\n## {stamp}: a monthly client report on {total:,} facts (PostgreSQL; `bench.report_bench`)\n",
        f"Agency `{args.agency_slug}` from `bench.generate_metrics`; the client with the most facts "
        f"({top['n']:,}; {period_rows:,} in the report's month {report.date_from:%Y-%m}, "
        f"{snap['campaign_count']} campaigns, {len(snap['by_day'])} days). Target: build ≤ 10 s, web view ≤ 300 ms.\n",
        f"- `uptime` before: `{load_before}`",
        f"- after the builds: `{load_build}`",
        f"- after the pages: `{load_after}`\n",
        "| what | runs | median / p50 | max / p95 | queries | size |",
        "|---|---|---|---|---|---|",
        f"| build job (`report_build_start` + `report_build_task`: snapshot, commentary, PDF) | {len(build['times'])} "
        f"| {statistics.median(build['times']):.2f} s | {max(build['times']):.2f} s | "
        f"{min(build['queries'])}–{max(build['queries'])} | PDF {build['pdf_kb']:.0f} KB |",
    ]
    for row in pages:
        lines.append(f"| {row['page']}, {row['how']} | {len(row['times'])} | "
                     f"{percentile(row['times'], 50) * 1000:.0f} ms | {percentile(row['times'], 95) * 1000:.0f} ms | "
                     f"{row['queries'] if row['queries'] is not None else '—'} | {row['kb']:.0f} KB |")
    lines.append("\nOne build's phases: " + ", ".join(f"{k} {v:.2f} s" for k, v in build["phases"].items()) + ".")
    if args.note:
        lines.append(f"\n{args.note}")
    text = "\n".join(lines) + "\n"
    print(text)
    if args.write:
        with (ROOT / "bench" / "RESULTS.md").open("a") as fh:
            fh.write(text)
        print("Appended to bench/RESULTS.md")


if __name__ == "__main__":
    main()
