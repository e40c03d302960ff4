"""The GIN indexes of the CRM's tables (the search trigram indexes of 0007/0008 and the custom-field indexes of
0011) with `fastupdate = off`, and their pending lists merged now.

With `fastupdate` on (PostgreSQL's default) an insert or update appends to the index's pending list, which only a
VACUUM (or a list past `gin_pending_list_limit`, 4 MB) merges, and every search reads the whole pending list row by
row. After an import of 10,000 contacts the contact-name index had 352 pending pages: the client list's search and
the top-bar search read them on every request (4–6 ms of the 10 ms of a search at 30,000 clients), whatever the
word. A CRM writes these columns a few times a minute and searches them on every keystroke: the write pays instead.

PostgreSQL-only, a no-op elsewhere (SQLite)."""
from django.db import migrations

TABLES = "clients_%"


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
        ("clients", "0013_interaction_awaiting_by_client"),
    ]

    operations = [
        migrations.RunPython(without_pending_list, with_pending_list),
    ]
