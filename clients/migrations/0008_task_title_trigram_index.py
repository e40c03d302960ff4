"""The top-bar search finds tasks by title with `icontains`: a GIN trigram index on `UPPER(title)`, as
0007_search_trigram_indexes does for the other searched columns. PostgreSQL-only, a no-op elsewhere (SQLite)."""
from django.db import migrations

TRIGRAM_INDEXES = (  # (index name, table, column)
    ("clients_task_title_trgm", "clients_task", "title"),
)


def create_trigram_indexes(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in TRIGRAM_INDEXES:
        schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" '
                              f'USING gin (UPPER("{column}"::text) gin_trgm_ops)')


def drop_trigram_indexes(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in TRIGRAM_INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')  # the extension stays: others use it


class Migration(migrations.Migration):

    dependencies = [
        ("clients", "0007_search_trigram_indexes"),
    ]

    operations = [
        migrations.RunPython(create_trigram_indexes, drop_trigram_indexes),
    ]
