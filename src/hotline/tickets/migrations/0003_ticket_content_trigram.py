"""Text search on the ticket content (issue #4): on PostgreSQL a trigram GIN index on
``UPPER(content)``, which serves Django's ``content__icontains`` (``UPPER(content::text) LIKE
UPPER(%s)``) for search text of three characters or more. SQLite has no such index; the
console bounds its searches instead (docs/console.md).

The index is not part of the model state (Django cannot express it portably), so it lives
only here. ``pg_trgm`` is a trusted extension (PostgreSQL 13+): the database owner may create
it. Where the server does not ship it the index is skipped and searches scan, as before.
"""

from django.db import migrations

INDEX = "ticket_content_trgm"


def forwards(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
        if cursor.fetchone() is None:
            return
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        cursor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON tickets_ticket "
            "USING gin (UPPER(content) gin_trgm_ops)"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0002_scope_and_status_list_indexes"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
