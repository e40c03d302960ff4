"""Hardening #9: the shared cache and SITE_URL follow the environment the way `make run`, CI and compose set it."""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache

ROOT = Path(__file__).resolve().parents[2]
_PROBE = ("import json, django; django.setup(); from django.conf import settings as s; "
          "print(json.dumps({'cache': s.CACHES['default'], 'site_url': s.SITE_URL, 'proxies': s.TRUSTED_PROXY_COUNT}))")


def _settings(tmp_path, **env) -> dict:
    base = {k: v for k, v in os.environ.items()
            if k not in ("REDIS_URL", "CACHE_URL", "SITE_URL", "MRM_PORT", "TRUSTED_PROXY_COUNT")}
    base.update({"DJANGO_SETTINGS_MODULE": "mrm.settings.base", "MRM_VAR_DIR": str(tmp_path), **env})
    result = subprocess.run([sys.executable, "-c", _PROBE], cwd=ROOT, env=base, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_cache_is_redis_when_configured_and_a_shared_file_cache_otherwise(tmp_path):
    redis = _settings(tmp_path, REDIS_URL="redis://127.0.0.1:6379/1")["cache"]
    assert redis["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert redis["LOCATION"] == "redis://127.0.0.1:6379/1"
    local = _settings(tmp_path)
    assert local["cache"]["BACKEND"] == "django.core.cache.backends.filebased.FileBasedCache"
    assert local["cache"]["LOCATION"] == str(tmp_path / "cache")  # under var/, shared by web, worker and beat
    assert local["proxies"] == 0  # X-Forwarded-For ignored unless a proxy is declared


def test_site_url_follows_the_port_of_make_run(tmp_path):
    assert _settings(tmp_path)["site_url"] == "http://127.0.0.1:8000"
    assert _settings(tmp_path, MRM_PORT="8123")["site_url"] == "http://127.0.0.1:8123"
    assert _settings(tmp_path, MRM_PORT="8123", SITE_URL="https://mrm.example.com")["site_url"] == \
        "https://mrm.example.com"


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_run_passes_its_port_to_site_url():
    result = subprocess.run(["make", "-n", "run", "PORT=8123"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    honcho = next(line for line in result.stdout.splitlines() if "honcho start" in line)
    assert "MRM_PORT=8123" in honcho and "SITE_URL=${SITE_URL:-http://127.0.0.1:8123}" in honcho


def test_tests_use_a_cache_key_prefix_per_xdist_worker():
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    assert settings.CACHES["default"]["KEY_PREFIX"] == f"mrm-test-{worker}"
    assert cache.make_key("probe").startswith(f"mrm-test-{worker}:")


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs the CI Redis")
def test_clearing_the_cache_between_tests_spares_other_workers_and_the_broker():
    from django.core.cache import caches

    from tests.conftest import clear_cache

    client = caches["default"]._cache.get_client(write=True)
    client.set("someone-else:1:counter", 1, ex=60)  # another xdist worker's key, or a Celery queue
    cache.set("mine", 1)
    try:
        clear_cache()
        assert cache.get("mine") is None and client.get("someone-else:1:counter") == b"1"
    finally:
        client.delete("someone-else:1:counter")


# Read by the test settings or the test runner only, not meant for a deployment.
_TEST_ONLY_VARIABLES = {"MRM_CELERY_WORKER", "MRM_TEST_DB_NAME", "PYTEST_XDIST_WORKER"}


def _variables_read_by_settings() -> set[str]:
    """Every environment variable mrm/settings/*.py reads (env.str("X"), env.int("X"), os.environ.get("X")…)."""
    import ast

    found = set()
    for path in (ROOT / "mrm" / "settings").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str) and node.args[0].value.isupper()):
                continue
            func = node.func
            owner = func.value if isinstance(func, ast.Attribute) else None
            reads_env = (
                isinstance(owner, ast.Name) and owner.id == "env"  # env.str / env.int / …
                or isinstance(func, ast.Name) and func.id == "env"
                or isinstance(owner, ast.Attribute) and owner.attr == "environ" and func.attr == "get"
                or isinstance(func, ast.Attribute) and func.attr == "getenv"
            )
            if reads_env:
                found.add(node.args[0].value)
    return found


def test_readme_configuration_table_lists_every_variable_the_settings_read():
    """Issue 9's "done when": the README's configuration table lists the variables (CONN_MAX_AGE, LOG_LEVEL and
    the production HTTPS switches were read but not listed)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Configuration (environment variables)", 1)[1].split("\n## ", 1)[0]
    variables = _variables_read_by_settings()
    assert {"SECRET_KEY", "TRUSTED_PROXY_COUNT", "REDIS_URL", "API_RATE_KEY"} <= variables  # the walk finds them
    missing = sorted(v for v in variables - _TEST_ONLY_VARIABLES if f"`{v}`" not in section)
    assert missing == [], f"add these to the README's configuration table: {missing}"
