"""One export helper for every CSV/XLSX the app writes: a cell a spreadsheet would run as a formula stays text."""
import csv
import io

import pytest
from django_scopes import scopes_disabled
from openpyxl import load_workbook

from mrm.core.exports import csv_bytes, safe_cell, xlsx_bytes
from mrm.jobs.models import Job
from tests.conftest import login
from tests.factories import AuditLogFactory

EVIL = ['=HYPERLINK("http://evil.example","Click")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)",
        "\t=1+1", "\r=1+1", "  =1+1"]


@pytest.mark.parametrize("value", EVIL)
def test_formula_leading_text_gets_an_apostrophe(value):
    assert safe_cell(value) == "'" + value


def test_plain_values_pass_unchanged():
    assert [safe_cell(v) for v in ("Клиент", "a=b", "", None, 12, -5, True)] == ["Клиент", "a=b", "", "", 12, -5,
                                                                                "True"]


def test_csv_and_xlsx_writers_escape_every_cell_header_included():
    rows = [[v, "ok"] for v in EVIL]
    text = csv_bytes(header=["=header", "b"], rows=rows).decode("utf-8-sig")
    parsed = list(csv.reader(io.StringIO(text)))
    assert parsed[0] == ["'=header", "b"] and [r[0] for r in parsed[1:]] == ["'" + v for v in EVIL]
    sheet = load_workbook(io.BytesIO(xlsx_bytes(header=["a", "b"], rows=rows, sheet_title="T"))).active
    cells = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert cells == ["'" + v.replace("\r", "\n") for v in EVIL]  # XML turns a lone CR into LF
    assert all(c.data_type == "s" for c in next(sheet.iter_cols(min_col=1, max_col=1, min_row=2)))


@pytest.mark.django_db
def test_audit_export_escapes_what_users_typed(alice, django_capture_on_commit_callbacks):
    AuditLogFactory(agency=alice.agency, actor=alice.user, action="client.updated",
                    target_repr='=HYPERLINK("http://evil.example","Клиент")',
                    changes={"name": ["old", "@SUM(1+1)"]})
    http = login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        http.post("/settings/audit/export/", {}, HTTP_HX_REQUEST="true")
    with scopes_disabled():
        job = Job.objects.get(agency=alice.agency)
    text = b"".join(http.get(f"/jobs/{job.pk}/download/").streaming_content).decode("utf-8-sig")
    row = list(csv.reader(io.StringIO(text)))[1]
    assert row[3] == "'=HYPERLINK(\"http://evil.example\",\"Клиент\")"
    assert row[4].endswith(": old → @SUM(1+1)")  # not leading: harmless as it is


APP_PACKAGES = ("clients", "comms", "dashboards", "mrm", "portal", "projects", "proposals", "reporting")
WRITERS = {("csv", "writer"), ("csv", "DictWriter"), ("openpyxl", "Workbook")}


def _writer_calls(path):
    """Calls of csv.writer / csv.DictWriter / openpyxl's Workbook in one module (whatever the import spelling)."""
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = {}  # local name → (module, attribute)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in {"csv", "openpyxl"}:
            for alias in node.names:
                names[alias.asname or alias.name] = (node.module.split(".")[0], alias.name)
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            target = (func.value.id, func.attr)
        elif isinstance(func, ast.Name):
            target = names.get(func.id)
        else:
            continue
        if target in WRITERS:
            found.append(f"{path}:{node.lineno}")
    return found


def test_no_module_writes_csv_or_xlsx_past_the_export_helper():
    """Issue 9: one export helper for every CSV/XLSX export (the 1C invoice export had its own csv.writer)."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    helper = root / "mrm" / "core" / "exports.py"
    found = []
    for package in APP_PACKAGES:
        for path in (root / package).rglob("*.py"):
            if path != helper and "migrations" not in path.parts:
                found += _writer_calls(path)
    assert found == [], f"write CSV/XLSX through mrm.core.exports: {found}"


def test_the_1c_export_goes_through_the_helper_in_cp1251():
    content = csv_bytes(header=["Контрагент"], rows=[["=ООО «Ромашка»"]], delimiter=";", encoding="cp1251")
    assert content.decode("cp1251") == "Контрагент\r\n'=ООО «Ромашка»\r\n"
