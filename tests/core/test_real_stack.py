"""MRM_REQUIRE_REAL_STACK=1 (set by .ci/run) makes the test session fail unless it runs on PostgreSQL + Redis."""
import os
import subprocess
import sys
from pathlib import Path

from tests.stack import real_stack_problems

ROOT = Path(__file__).resolve().parents[2]


def test_real_stack_problems_name_what_is_not_postgres_or_redis():
    assert real_stack_problems(database_engine="django.db.backends.postgresql",
                               broker_urls=["redis://127.0.0.1:6379/0"]) == []
    problems = real_stack_problems(database_engine="django.db.backends.sqlite3",
                                   broker_urls=["filesystem://"])
    assert len(problems) == 2 and "PostgreSQL" in problems[0] and "Redis" in problems[1]


def _collect(**env):
    environ = {**os.environ, "DJANGO_SETTINGS_MODULE": "mrm.settings.test", **env}
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:xdist", "--collect-only", "-q",
                           "tests/core/test_real_stack.py"], cwd=ROOT, env=environ, capture_output=True,
                          text=True, timeout=120)


def test_session_refuses_sqlite_and_the_filesystem_broker_when_the_real_stack_is_required(tmp_path):
    result = _collect(MRM_REQUIRE_REAL_STACK="1", DATABASE_URL=f"sqlite:///{tmp_path}/x.sqlite3",
                      CELERY_BROKER_URL="filesystem://")
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "MRM_REQUIRE_REAL_STACK=1 but" in output and "not PostgreSQL" in output and "not Redis" in output

