"""A web worker does not load what only a PDF render or an AI call needs (WeasyPrint ~40 MB, openai ~38 MB): issue
15's memory target (≤ 150 MB per gunicorn worker). Checked in a fresh interpreter that loads every URL and view."""
import os
import subprocess
import sys

SCRIPT = """
import sys
import django
django.setup()
from django.urls import get_resolver
get_resolver().url_patterns
import mrm.wsgi  # noqa: F401
print(",".join(m for m in ("weasyprint", "openai", "fontTools", "pydantic") if m in sys.modules))
"""


def test_serving_pages_loads_neither_weasyprint_nor_openai():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "mrm.settings.test"}
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, timeout=120,
                          check=True)
    assert done.stdout.strip().splitlines()[-1:] in ([], [""]), done.stdout


def test_the_first_render_loads_the_engine():
    from mrm.integrations import pdf

    assert pdf.render_pdf(html="<p>Привет</p>").startswith(b"%PDF")
    assert "weasyprint" in sys.modules and pdf.SafeURLFetcher.__module__ == "mrm.integrations.pdf_engine"
