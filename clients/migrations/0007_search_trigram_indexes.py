"""Search without sequential scans on PostgreSQL: the pg_trgm extension and GIN trigram indexes on the columns
that search and the client list filter with `icontains` (Django writes `UPPER(col::text) LIKE UPPER(%q%)`, so
the indexes are on `UPPER(col)`). Plus the team table by user, which every AM's visibility filter reads.

The trigram part is PostgreSQL-only and a no-op elsewhere (SQLite, which `make run` uses); the Today index is
written per database (SQLite refuses NULLS FIRST in an index)."""
from django.db import migrations

TRIGRAM_INDEXES = (  # (index name, table, column)
    ("clients_client_name_trgm", "clients_client", "name"),
    ("clients_client_legal_name_trgm", "clients_client", "legal_name"),
    ("clients_client_industry_trgm", "clients_client", "industry"),
    ("clients_contact_full_name_trgm", "clients_contact", "full_name"),
    ("clients_contact_email_trgm", "clients_contact", "email"),
    ("clients_contact_phone_trgm", "clients_contact", "phone"),
    ("clients_contact_telegram_trgm", "clients_contact", "telegram"),
    ("clients_contact_position_trgm", "clients_contact", "position"),
    ("clients_deal_title_trgm", "clients_deal", "title"),
    ("clients_invoice_number_trgm", "clients_invoice", "number"),
)


def create_silence_index(apps, schema_editor) -> None:
    """Today's "no contact for N days" sorts `last_contact_at ASC NULLS FIRST, name`: this index lets it read the
    first rows in order and stop. SQLite puts NULLs first in ASC already and refuses the NULLS FIRST clause."""
    nulls = " NULLS FIRST" if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute('CREATE INDEX IF NOT EXISTS "clients_client_silence_idx" ON "clients_client" '
                          f'("agency_id", "last_contact_at" ASC{nulls}, "name")')


def drop_silence_index(apps, schema_editor) -> None:
    schema_editor.execute('DROP INDEX IF EXISTS "clients_client_silence_idx"')


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
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')  # the extension stays: others may use it


class Migration(migrations.Migration):

    dependencies = [
        ("clients", "0006_perf_indexes"),
    ]

    operations = [
        migrations.RunPython(create_silence_index, drop_silence_index),
        migrations.RunPython(create_trigram_indexes, drop_trigram_indexes),
        # The AM visibility filter reads `client_id FROM clients_client_team WHERE user_id = …`: an
        # index-only scan with (user_id, client_id). Plain SQL that PostgreSQL and SQLite both accept.
        migrations.RunSQL(
            'CREATE INDEX IF NOT EXISTS "clients_client_team_user_client" ON "clients_client_team" ("user_id", "client_id")',
            'DROP INDEX IF EXISTS "clients_client_team_user_client"',
        ),
    ]
