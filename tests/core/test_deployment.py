"""Production configuration: `check --deploy` is clean and the compose file is valid."""
import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_production_settings_pass_check_deploy(tmp_path):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "mrm.settings.production",
           "SECRET_KEY": secrets.token_urlsafe(60), "ALLOWED_HOSTS": "mrm.example.com",
           "MRM_VAR_DIR": str(tmp_path)}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests only
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_the_development_secret(tmp_path):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "mrm.settings.production", "ALLOWED_HOSTS": "x",
           "MRM_VAR_DIR": str(tmp_path)}
    env.pop("SECRET_KEY", None)
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode != 0


@pytest.mark.skipif(shutil.which("docker-compose") is None, reason="docker-compose is not installed")
def test_compose_file_is_valid():
    env = {**os.environ, "POSTGRES_PASSWORD": "x", "SECRET_KEY": "x" * 60, "ALLOWED_HOSTS": "mrm.example.com"}
    result = subprocess.run(["docker-compose", "-f", "docker-compose.yml", "config", "-q"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    services = subprocess.run(["docker-compose", "-f", "docker-compose.yml", "config", "--services"], cwd=ROOT,
                              env=env, capture_output=True, text=True, timeout=60).stdout.split()
    assert set(services) == {"postgres", "redis", "web", "worker", "worker-ai-pdf", "beat"}  # queues per workload


def test_compose_trusts_one_proxy_and_only_a_local_proxy_can_reach_the_app():
    """Issue 9: docker-compose sets TRUSTED_PROXY_COUNT for its proxy. Trusting a hop is only true if clients
    cannot reach gunicorn without it: web was published on every interface ("8000:8000"), so a client could talk
    to it directly and have a forged X-Forwarded-For taken as its address."""
    import yaml

    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    app_env = compose["x-app"]["environment"]
    assert app_env["TRUSTED_PROXY_COUNT"] == "${TRUSTED_PROXY_COUNT:-1}"
    for name, service in compose["services"].items():
        for port in service.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), f"{name} publishes {port} beyond the host"
