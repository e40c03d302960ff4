"""The search trigram indexes of the proposals' tables (0008) with `fastupdate = off` and their pending lists
merged now, as clients/0014 does for the CRM's: a search must not read a pending list row by row.

PostgreSQL-only, a no-op elsewhere (SQLite)."""
from django.db import migrations

TABLES = "proposals_%"


def _gin_indexes(schema_editor) -> list[str]:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename LIKE %s "
                       "AND indexdef LIKE %s ORDER BY indexname", [TABLES, "% USING gin %"])
        return [name for (name,) in cursor.fetchall()]


def without_pending_list(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in _gin_indexes(schema_editor):
        schema_editor.execute(f'ALTER INDEX "{name}" SET (fastupdate = off)')
        schema_editor.execute(f"SELECT gin_clean_pending_list('\"{name}\"'::regclass)")


def with_pending_list(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in _gin_indexes(schema_editor):
        schema_editor.execute(f'ALTER INDEX "{name}" RESET (fastupdate)')


class Migration(migrations.Migration):

    dependencies = [
        ("proposals", "0011_estimate_kinds"),
    ]

    operations = [
        migrations.RunPython(without_pending_list, with_pending_list),
    ]
