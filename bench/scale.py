"""One command for the scale of issue 12 in one agency (sever-digital) on an empty PostgreSQL database:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_i12 .venv/bin/python -m bench.scale [--factor 1.0]

10,000 clients, 50,000 contacts, 200,000 interactions, 100,000 invoices (two years, monthly), 20,000 projects
(60,000 tasks, 300,000 time entries), 1,000,000 daily metric rows (over 1,000 of the clients), 50,000 NPS answers,
40,000 client requests with first replies, 8,000 won upsell deals, a year of monthly reports with ratings, and the
client status / owner and deal stage history the KPIs read. `--factor 0.1` makes a tenth of everything (a quick
try). Runs migrate, seed_demo, bench.generate, bench.generate_projects, bench.generate_metrics --existing-clients
and bench.generate_kpis in turn, each printing its own timing.
"""
import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCALE = {"clients": 10_000, "contacts": 50_000, "interactions": 200_000, "invoices": 100_000, "projects": 20_000,
         "tasks": 60_000, "entries": 300_000, "metric_rows": 1_000_000, "metric_clients": 1_000, "nps": 50_000,
         "requests": 40_000, "upsells": 8_000}


def steps(factor: float) -> list[list[str]]:
    n = {key: max(1, int(value * factor)) for key, value in SCALE.items()}
    return [
        ["manage.py", "migrate", "--noinput", "-v0"],
        ["manage.py", "seed_demo", "--quiet"],
        ["-m", "bench.generate", "--clients", str(n["clients"]), "--contacts", str(n["contacts"]),
         "--interactions", str(n["interactions"]), "--invoices", str(n["invoices"])],
        ["-m", "bench.generate_projects", "--projects", str(n["projects"]), "--tasks", str(n["tasks"]),
         "--entries", str(n["entries"]), "--big-project-tasks", "300"],
        ["-m", "bench.generate_metrics", "--agency-slug", "sever-digital", "--existing-clients",
         "--rows", str(n["metric_rows"]), "--clients", str(n["metric_clients"]), "--runs", "1"],
        ["-m", "bench.generate_kpis", "--nps", str(n["nps"]), "--requests", str(n["requests"]),
         "--upsells", str(n["upsells"])],
    ]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--factor", type=float, default=1.0, help="multiply every count (default 1.0)")
    args = parser.parse_args(argv)
    if "postgres" not in os.environ.get("DATABASE_URL", ""):
        parser.exit(2, "Set DATABASE_URL to an empty PostgreSQL database.\n")
    env = {**os.environ, "DEBUG": "0"}
    env.setdefault("DJANGO_SETTINGS_MODULE", "mrm.settings.base")
    env.setdefault("MRM_VAR_DIR", "/tmp/mrm-bench")
    started = time.monotonic()
    for argv_ in steps(args.factor):
        began = time.monotonic()
        print("$ python " + " ".join(argv_), flush=True)
        subprocess.run([sys.executable, *argv_], cwd=ROOT, env=env, check=True)
        print(f"  … {time.monotonic() - began:.0f} s", flush=True)
    print(f"Done in {time.monotonic() - started:.0f} s.")


if __name__ == "__main__":
    main()
