"""The whole PostgreSQL benchmark in one command: data set, gunicorn -w 4, bench.run as a director and an AM,
query counts per page, worker RSS — written as a Markdown table into bench/RESULTS.md.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench10k .venv/bin/python -m bench.suite \\
        [--create --clients 10000] [--runs 20] [--concurrency 10] [--port 8799] [--note "…"]

`--create` runs `migrate`, `seed_demo` and `bench.generate --clients N` into that (empty) database first.
Without it the database must already hold the data. The script starts and stops its own gunicorn.
"""
import argparse
import os
import platform
import re
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from . import run as bench_run

ROOT = Path(__file__).resolve().parent.parent
USERS = (("director", "director@sever.demo"), ("AM", "am@sever.demo"))
PASSWORD = "demo-pass-2026"


def _python() -> str:
    return sys.executable


def _env() -> dict:
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "mrm.settings.base")
    env.setdefault("MRM_VAR_DIR", "/tmp/mrm-bench")
    env["DEBUG"] = "0"
    return env


def create(clients: int) -> None:
    env = _env()
    for argv in (["manage.py", "migrate", "--noinput", "-v0"], ["manage.py", "seed_demo", "--quiet"],
                 ["-m", "bench.generate", "--clients", str(clients)]):
        subprocess.run([_python(), *argv], cwd=ROOT, env=env, check=True)


def machine() -> str:
    cpu = ""
    try:
        cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                    if line.startswith("model name")), "")
    except OSError:
        pass
    return f"{platform.node()}, {os.cpu_count()} CPU {cpu}, {platform.system()} {platform.release()}"


def load_average() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def rss_mb(master_pid: int) -> list[float]:
    out = subprocess.run(["pgrep", "-P", str(master_pid)], capture_output=True, text=True).stdout.split()
    sizes = []
    for pid in out:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        match = re.search(r"VmRSS:\s+(\d+) kB", status)
        if match:
            sizes.append(int(match.group(1)) / 1024)
    return sizes


def query_counts(email: str, *, only: str = "", skip: str = "") -> dict[str, int]:
    """Queries per page path, rendered in a child process with Django's test client (same pages as bench.run)."""
    code = (
        "import json, sys; sys.path.insert(0, '.');\n"
        "import django; django.setup()\n"
        "from django.contrib.auth import get_user_model\n"
        "from django.db import connection\n"
        "from django.test import Client\n"
        "from django.test.utils import CaptureQueriesContext\n"
        "from bench.run import pages, select\n"
        "class S:\n"
        "    def __init__(self, http): self.http = http\n"
        "    def get(self, path):\n"
        "        r = self.http.get(path); return r.status_code, r.content, 0.0\n"
        f"u = get_user_model().objects.get(email={email!r})\n"
        "http = Client(HTTP_HOST='127.0.0.1'); http.force_login(u, backend='mrm.accounts.backends.EmailBackend')\n"
        "out = {}\n"
        f"for name, path in select(pages(S(http)), only={only!r}, skip={skip!r}):\n"
        "    http.get(path)\n"
        "    with CaptureQueriesContext(connection) as ctx: http.get(path)\n"
        "    out[name] = len(ctx.captured_queries)\n"
        "print(json.dumps(out))\n")
    import json

    done = subprocess.run([_python(), "-c", code], cwd=ROOT, env=_env(), capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def serve(port: int) -> subprocess.Popen:
    gunicorn = str(Path(_python()).with_name("gunicorn"))
    proc = subprocess.Popen([gunicorn, "mrm.wsgi", "-w", "4", "-b", f"127.0.0.1:{port}", "--timeout", "120"],
                            cwd=ROOT, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(120):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=5).close()
            return proc
        except OSError:
            time.sleep(1)
    proc.terminate()
    raise SystemExit("gunicorn did not answer within two minutes")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--create", action="store_true", help="migrate, seed and generate the data set first")
    parser.add_argument("--clients", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--port", type=int, default=8799)
    parser.add_argument("--only", default="", help="comma-separated words: only pages whose name contains one")
    parser.add_argument("--skip", default="", help="comma-separated words: skip pages whose name contains one")
    parser.add_argument("--title", default="", help="the heading of the results section (default: N clients)")
    parser.add_argument("--note", default="", help="a line under the table (e.g. what else ran on the machine)")
    parser.add_argument("--output", default=str(ROOT / "bench" / "RESULTS.md"))
    args = parser.parse_args(argv)
    if "postgres" not in os.environ.get("DATABASE_URL", ""):
        parser.exit(2, "Set DATABASE_URL to a PostgreSQL database: the benchmark measures the production target.\n")
    if args.create:
        create(args.clients)
    load_before = load_average()
    proc = serve(args.port)
    rows = []
    try:
        for role, email in USERS:
            counts = query_counts(email, only=args.only, skip=args.skip)
            session = bench_run.Session(f"http://127.0.0.1:{args.port}")
            session.login(email, PASSWORD)
            for name, path in bench_run.select(bench_run.pages(session), only=args.only, skip=args.skip):
                r = bench_run.measure(session, path, args.runs, args.concurrency)
                rows.append((role, name, r, counts.get(name, "?")))
                print(f"{role:<9} {name:<30} {r['status']:>4} {r['kb']:>5.0f} KB  p50 {r['p50'] * 1000:5.0f}  "
                      f"p95 {r['p95'] * 1000:5.0f}  x{args.concurrency} p95 {r['c95'] * 1000:5.0f}  "
                      f"{r['rps']:5.1f} req/s", flush=True)
        rss = rss_mb(proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    title = args.title or f"{args.clients:,} clients"
    lines = [f"\n## {stamp}: {title} (PostgreSQL, gunicorn -w 4)\n",
             f"Machine: {machine()}. Load average (1/5/15 min) before: {load_before}, after: {load_average()}. "
             f"{args.runs} sequential requests per page, then {args.concurrency} threads × {args.runs}.\n",
             f"| user | page | HTTP | KB | queries | p50 ms | p95 ms | ×{args.concurrency} p95 ms | req/s |",
             "|---|---|---|---|---|---|---|---|---|"]
    for role, name, r, queries in rows:
        lines.append(f"| {role} | {name} | {r['status']} | {r['kb']:.0f} | {queries} | {r['p50'] * 1000:.0f} | "
                     f"{r['p95'] * 1000:.0f} | {r['c95'] * 1000:.0f} | {r['rps']:.1f} |")
    lines.append(f"\nWorker RSS after the run: {', '.join(f'{x:.0f}' for x in rss)} MB.")
    if args.note:
        lines.append(f"\n{args.note}")
    output = Path(args.output)
    if not output.exists():
        output.write_text("# Benchmark results\n\nWritten by `python -m bench.suite` (see bench/README.md); newest last.\n")
    with output.open("a") as fh:
        fh.write("\n".join(lines) + "\n")
    print(f"Appended to {output}")


if __name__ == "__main__":
    main()
