"""Production refuses placeholder and published SECRET_KEYs: at settings import and in `check --deploy`."""
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from mrm.accounts.checks import secret_key_check
from mrm.settings.known_secrets import KNOWN_SECRET_KEYS, secret_key_problem

ROOT = Path(__file__).resolve().parents[2]
ENV_EXAMPLE_KEY = next(line.split("=", 1)[1] for line in (ROOT / ".env.example").read_text().splitlines()
                       if line.startswith("SECRET_KEY="))
BASE_DEFAULT_KEY = re.search(r'SECRET_KEY = env\.str\("SECRET_KEY", default="([^"]+)"\)',
                             (ROOT / "mrm/settings/base.py").read_text()).group(1)


def _manage(*args: str, settings: str, secret_key: str | None, tmp_path) -> subprocess.CompletedProcess:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": settings, "ALLOWED_HOSTS": "mrm.example.com",
           "MRM_VAR_DIR": str(tmp_path)}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env.pop("SECRET_KEY", None)
    if secret_key is not None:
        env["SECRET_KEY"] = secret_key
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)


def _repository_secret_keys() -> set[str]:
    """Every literal SECRET_KEY value written in the repository outside the tests."""
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    found = set()
    for name in files:
        if name.startswith(("tests/", "locale/")) or name.endswith((".png", ".jpg", ".woff2", ".ttf", ".mo", ".pdf")):
            continue
        try:
            text = (ROOT / name).read_text()
        except (UnicodeDecodeError, FileNotFoundError, IsADirectoryError):
            continue
        for line in text.splitlines():
            if "SECRET_KEY" not in line:
                continue
            found.update(re.findall(r"""SECRET_KEY\s*[=:]\s*["']?([^\s"'$`{|]{16,})""", line))
            found.update(re.findall(r"""default\s*=\s*["']([^"']{16,})["']""", line))
    return found


def test_every_secret_key_written_in_the_repository_is_refused():
    keys = _repository_secret_keys()
    assert {ENV_EXAMPLE_KEY, BASE_DEFAULT_KEY} <= keys  # the scan finds what it is meant to find
    assert {key for key in keys if secret_key_problem(key) is None} == set()
    assert {ENV_EXAMPLE_KEY, BASE_DEFAULT_KEY} <= KNOWN_SECRET_KEYS


@pytest.mark.parametrize("key", [
    ENV_EXAMPLE_KEY, BASE_DEFAULT_KEY, "build-only-key-build-only-key-build-only-key-0123456789",
    "change-me-" + "a1b2c3d4e5" * 6, "django-insecure-" + "q" * 40 + "w1e2r3", "a" * 60, "short-but-random-8Hq2",
])
def test_placeholder_and_weak_keys_are_refused(key):
    assert secret_key_problem(key) is not None


def test_a_generated_key_is_accepted(settings):
    key = secrets.token_urlsafe(64)
    assert secret_key_problem(key) is None
    settings.SECRET_KEY = key
    assert secret_key_check(None) == []


def test_system_check_reports_a_placeholder(settings):
    settings.SECRET_KEY = ENV_EXAMPLE_KEY
    assert [error.id for error in secret_key_check(None)] == ["mrm.E001"]


@pytest.mark.parametrize("key", [ENV_EXAMPLE_KEY, BASE_DEFAULT_KEY])
def test_production_settings_refuse_to_load_with_a_published_key(tmp_path, key):
    result = _manage("check", settings="mrm.settings.production", secret_key=key, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "placeholder" in result.stderr


def test_check_deploy_reports_a_published_key(tmp_path):
    # Settings that load (not production.py, which refuses first) with the .env.example placeholder.
    result = _manage("check", "--deploy", settings="mrm.settings.base", secret_key=ENV_EXAMPLE_KEY, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "mrm.E001" in result.stdout + result.stderr
