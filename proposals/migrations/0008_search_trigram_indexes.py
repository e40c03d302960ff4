"""The top-bar search finds proposals (КП) by title and briefs by company and contact person with `icontains`:
GIN trigram indexes on `UPPER(column)`, as clients.0007_search_trigram_indexes does for the CRM columns.
PostgreSQL-only, a no-op elsewhere (SQLite). Proposals have no number of their own (only versions do)."""
from django.db import migrations

TRIGRAM_INDEXES = (  # (index name, table, column)
    ("proposals_proposal_title_trgm", "proposals_proposal", "title"),
    ("proposals_brief_company_name_trgm", "proposals_brief", "company_name"),
    ("proposals_brief_contact_name_trgm", "proposals_brief", "contact_name"),
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
        ("proposals", "0007_decision_confirmation"),
    ]

    operations = [
        migrations.RunPython(create_trigram_indexes, drop_trigram_indexes),
    ]
