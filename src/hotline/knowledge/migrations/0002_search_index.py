"""The full-text index of the knowledge base, one per database vendor (see search.py).

PostgreSQL: a stored generated tsvector over the segmented columns, weighted A (title),
B (keywords, synonyms, category) and C (body), with a GIN index; and a small one over title and
keywords only, for ranking many candidates cheaply.
SQLite: an FTS5 table (rowid = entry id) that the service layer keeps in sync.
"""

from django.db import migrations

PG_FORWARD = [
    """
    ALTER TABLE knowledge_entry ADD COLUMN search_vector tsvector
    GENERATED ALWAYS AS (
        setweight(to_tsvector('simple'::regconfig, coalesce(search_title, '')), 'A') ||
        setweight(to_tsvector('simple'::regconfig, coalesce(search_keywords, '')), 'B') ||
        setweight(to_tsvector('simple'::regconfig, coalesce(search_text, '')), 'C')
    ) STORED
    """,
    "CREATE INDEX knowledge_entry_search_gin ON knowledge_entry USING gin (search_vector)",
    # Small (title + keywords), stored inline: ranks many candidates without reading the body.
    """
    ALTER TABLE knowledge_entry ADD COLUMN search_head tsvector
    GENERATED ALWAYS AS (
        setweight(to_tsvector('simple'::regconfig, coalesce(search_title, '')), 'A') ||
        setweight(to_tsvector('simple'::regconfig, coalesce(search_keywords, '')), 'B')
    ) STORED
    """,
    "ALTER TABLE knowledge_entry ALTER COLUMN search_head SET STORAGE PLAIN",
    # Move the wide columns (body, segmented text, the full vector) out of the heap rows, so a
    # search that touches thousands of rows reads a few small pages, not the answers' text.
    "ALTER TABLE knowledge_entry SET (toast_tuple_target = 256)",
]
PG_BACKWARD = [
    "ALTER TABLE knowledge_entry RESET (toast_tuple_target)",
    "ALTER TABLE knowledge_entry DROP COLUMN IF EXISTS search_head",
    "DROP INDEX IF EXISTS knowledge_entry_search_gin",
    "ALTER TABLE knowledge_entry DROP COLUMN IF EXISTS search_vector",
]
SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE knowledge_entry_fts USING fts5("
    "title, keywords, body, tokenize = 'unicode61 remove_diacritics 2')",
    "INSERT INTO knowledge_entry_fts(rowid, title, keywords, body) "
    "SELECT id, search_title, search_keywords, search_text FROM knowledge_entry",
    # Covers the filters of a search, so joining thousands of matches to their entries reads
    # this narrow index instead of the rows with the answers' text.
    "CREATE INDEX knowledge_entry_search_filter ON knowledge_entry "
    "(id, status, public, org_id, category_code, effective_from, expires_on)",
]
SQLITE_BACKWARD = [
    "DROP INDEX IF EXISTS knowledge_entry_search_filter",
    "DROP TABLE IF EXISTS knowledge_entry_fts",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor)
        if statements is None:
            raise RuntimeError(
                f"the knowledge base needs PostgreSQL or SQLite, not {schema_editor.connection.vendor}"
            )
        for sql in statements:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": PG_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": PG_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        )
    ]
