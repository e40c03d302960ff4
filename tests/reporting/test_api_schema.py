"""Schemathesis on the reporting operations only (the suite-wide run in tests/core covers them too, on the demo
data): no server error and every answer as the OpenAPI schema documents it."""
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from mrm.accounts.services import api_token_create
from tests.factories import ClientFactory, DataSourceFactory

pytestmark = [pytest.mark.schemathesis, pytest.mark.django_db(transaction=True)]
CHECKS = ("not_a_server_error", "status_code_conformance", "content_type_conformance",
          "response_headers_conformance", "response_schema_conformance")


def test_reporting_api_conforms_to_its_schema(live_server, client, tmp_path, alice_world):
    DataSourceFactory(client=ClientFactory(agency=alice_world.agency))
    director = alice_world.director
    _token, key = api_token_create(user=director.user, membership=director, name="schemathesis")
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    schema_file = tmp_path / "openapi.json"
    schema_file.write_text(json.dumps(schema.json()))
    st = Path(sys.executable).with_name("st")
    result = subprocess.run(
        [str(st), "run", str(schema_file), "--url", live_server.url, "-H", f"Authorization: Token {key}",
         "--include-path-regex", "^/api/v1/reporting/", "--checks", ",".join(CHECKS),
         "--phases", "examples,fuzzing,stateful", "--max-examples", "10", "--generation-deterministic",
         "--no-shrink", "--workers", "1", "--request-timeout", "60", "--suppress-health-check", "all",
         "--report-dir", str(tmp_path / "report")],
        capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-30000:] + result.stderr[-5000:]
    tested = re.search(r"Tested: (\d+)", result.stdout)
    # 8 data operations (sources, metric rows in and out, aggregates) + 13 of the reports (templates, reports,
    # build, builds, PDF, publish) + 6 of the connectors (syncs: list, retrieve, create; connections: retrieve,
    # put, patch)
    assert tested and int(tested.group(1)) == 27, result.stdout[-3000:]
