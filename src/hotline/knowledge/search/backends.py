"""The vendor-specific part of the search: keeping the full-text index in sync and running a
ranked query, on PostgreSQL (a generated tsvector column) and on SQLite (an FTS5 table)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from django.db import connection

from hotline.knowledge.models import Entry
from hotline.knowledge.search.index import (
    DOC_COUNT_KEY,
    PG_CANDIDATES,
    TermStats,
    apply_term_deltas,
    doc_terms,
    group_df,
    index_fields,
    term_stats,
)
from hotline.knowledge.search.query import Hit, ParsedQuery, SearchFilters

# -- backends ----------------------------------------------------------------------------------
# SQL below is composed from fixed table and column names and the placeholder-only WHERE of
# SearchFilters.sql(); every value (query terms, filters, paging) is a bound parameter, hence
# the S608 exemptions.


class SearchBackend:
    """The vendor-specific part: keeping the index in sync and running a ranked query."""

    vendor = ""

    def sync(self, entries: Sequence) -> None:
        """Make the full-text index reflect ``entries`` (saved, segmented columns filled)."""

    def clear(self) -> None:
        """Empty the index and the term statistics (benchmarks and re-indexing)."""
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM knowledge_searchterm")

    def bulk_load(self, entries: Sequence, *, batch_size: int = 2000) -> None:
        """Insert many new entries at once (benchmarks, large imports): the same segmented
        columns and statistics as the service layer, without one transaction per entry."""
        counts: dict[str, int] = {}
        for start in range(0, len(entries), batch_size):
            batch = entries[start : start + batch_size]
            for entry in batch:
                if not entry.search_title and entry.title:
                    index_fields(entry)
                for term in doc_terms(entry):
                    counts[term] = counts.get(term, 0) + 1
            created = Entry.objects.bulk_create(batch)
            if created and created[0].pk is None:  # backends that do not return ids
                raise RuntimeError("bulk_create did not return primary keys")
            self.sync(created)
        counts[DOC_COUNT_KEY] = counts.get(DOC_COUNT_KEY, 0) + len(entries)
        apply_term_deltas(counts)

    def search(
        self,
        query: ParsedQuery,
        filters: SearchFilters,
        *,
        limit: int,
        offset: int,
        require_all: bool = False,
    ) -> tuple[list[Hit], int]:
        """Entries holding every group of ``query`` (``require_all``) or any of them, best
        first, and how many match. A group matches on any of its alternatives."""
        raise NotImplementedError

    def recent(self, filters: SearchFilters, *, limit: int, offset: int) -> tuple[list[Hit], int]:
        """No query text: the most recently published entries first."""
        where, params = filters.sql("e")
        sql = (
            "SELECT e.id, 0.0, COUNT(*) OVER () FROM knowledge_entry e "  # noqa: S608
            f"WHERE {where} "
            "ORDER BY COALESCE(e.published_at, e.updated_at) DESC, e.id DESC LIMIT %s OFFSET %s"
        )
        count_sql = f"SELECT COUNT(*) FROM knowledge_entry e WHERE {where}"  # noqa: S608
        return self._run(sql, [*params, limit, offset], count_sql, params, offset=offset)

    @staticmethod
    def _run(
        sql: str, params: list, count_sql: str, count_params: list, *, offset: int
    ) -> tuple[list[Hit], int]:
        """One query gives the page and, through a window count, the total."""
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
            if rows:
                return [(int(r[0]), float(r[1] or 0.0)) for r in rows], int(rows[0][2])
            if not offset:
                return [], 0
            # Past the last page the window count is not available: count on its own.
            cursor.execute(count_sql, count_params)
            return [], int(cursor.fetchone()[0])


class SqliteBackend(SearchBackend):
    """FTS5 with bm25; the FTS table is written in the same transaction as the entry."""

    vendor = "sqlite"
    TABLE = "knowledge_entry_fts"
    # bm25 column weights: title, keywords (incl. synonyms and category), body.
    WEIGHTS = (3.0, 2.0, 1.0)

    def sync(self, entries: Sequence) -> None:
        if not entries:
            return
        with connection.cursor() as cursor:
            cursor.executemany(
                "DELETE FROM knowledge_entry_fts WHERE rowid = %s", [(e.pk,) for e in entries]
            )
            cursor.executemany(
                "INSERT INTO knowledge_entry_fts(rowid, title, keywords, body) "
                "VALUES (%s, %s, %s, %s)",
                [(e.pk, e.search_title, e.search_keywords, e.search_text) for e in entries],
            )

    def clear(self) -> None:
        super().clear()
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM knowledge_entry_fts")

    @staticmethod
    def match_expression(query: ParsedQuery, *, require_all: bool = False) -> str:
        # Every lexeme is quoted (no FTS5 syntax from users); bm25 rewards entries that match
        # more, and rarer, terms.
        groups = [
            "(" + " OR ".join('"' + t.replace('"', '""') + '"' for t in group) + ")"
            for group in query.groups
        ]
        return (" AND " if require_all else " OR ").join(groups)

    def search(
        self,
        query: ParsedQuery,
        filters: SearchFilters,
        *,
        limit: int,
        offset: int,
        require_all: bool = False,
    ) -> tuple[list[Hit], int]:
        where, params = filters.sql("e")
        weights = ", ".join(str(w) for w in self.WEIGHTS)
        match = self.match_expression(query, require_all=require_all)
        # bm25() cannot sit beside a window function, so rank in a materialised CTE first.
        sql = (
            "WITH m AS MATERIALIZED ("  # noqa: S608
            f"SELECT e.id AS id, -bm25({self.TABLE}, {weights}) AS score "
            f"FROM {self.TABLE} JOIN knowledge_entry e ON e.id = {self.TABLE}.rowid "
            f"WHERE {self.TABLE} MATCH %s AND {where}) "
            "SELECT id, score, COUNT(*) OVER () FROM m "
            "ORDER BY score DESC, id DESC LIMIT %s OFFSET %s"
        )
        count_sql = (
            f"SELECT COUNT(*) FROM {self.TABLE} JOIN knowledge_entry e "  # noqa: S608
            f"ON e.id = {self.TABLE}.rowid WHERE {self.TABLE} MATCH %s AND {where}"
        )
        return self._run(
            sql, [match, *params, limit, offset], count_sql, [match, *params], offset=offset
        )


class PostgresBackend(SearchBackend):
    """A generated, weighted tsvector column with a GIN index; nothing to sync by hand."""

    vendor = "postgresql"
    # ts_rank weights in the order {D, C, B, A}: body is C, keywords B, title A.
    WEIGHTS = "{0.1, 0.8, 0.9, 1.0}"
    # ts_rank normalisation: 1 divides by 1 + log(document length).
    NORMALIZATION = 1

    def __init__(self, stats: TermStats | None = None) -> None:
        self.stats = stats

    @staticmethod
    def lexeme(term: str) -> str:
        return "'" + term.replace("\\", "").replace("'", "''") + "'"

    def group_tsquery(self, group: Sequence[str]) -> str:
        return "(" + " | ".join(self.lexeme(t) for t in group) + ")"

    def tsquery(self, query: ParsedQuery, *, require_all: bool = False) -> str:
        joiner = " & " if require_all else " | "
        return joiner.join(self.group_tsquery(g) for g in query.groups)

    def search(
        self,
        query: ParsedQuery,
        filters: SearchFilters,
        *,
        limit: int,
        offset: int,
        require_all: bool = False,
    ) -> tuple[list[Hit], int]:
        # Ranking reads the large body tsvector (TOASTed) only for a few candidates:
        # 1. candidates: with one group or all groups required, every match ranked by ts_rank
        #    over the small title+keywords vector ``search_head``; with any of several groups,
        #    the sum of the IDF of the groups each entry holds (one GIN scan per group, which
        #    touches only heap rows, never the vectors);
        # 2. the best PG_CANDIDATES re-ranked by Σ idf(term) · ts_rank(term) on the full vector.
        where, params = filters.sql("e")
        stats = self.stats or term_stats(query.lexemes)
        window = max(PG_CANDIDATES, -(-(offset + limit) // PG_CANDIDATES) * PG_CANDIDATES)
        full = self.tsquery(query, require_all=require_all)
        if require_all or len(query.groups) == 1:
            candidates = (
                "SELECT e.id, ts_rank(%s::float4[], e.search_head, to_tsquery('simple', %s), 1) "  # noqa: S608
                "AS r, COUNT(*) OVER () AS total FROM knowledge_entry e "
                f"WHERE e.search_vector @@ to_tsquery('simple', %s) AND {where}"
            )
            candidate_params = [self.WEIGHTS, full, full, *params]
        else:
            unions = " UNION ALL ".join(
                [
                    "SELECT e.id, %s::float8 AS w FROM knowledge_entry e "  # noqa: S608
                    f"WHERE e.search_vector @@ to_tsquery('simple', %s) AND {where}"
                ]
                * len(query.groups)
            )
            candidates = (
                f"SELECT h.id, SUM(h.w) AS r, COUNT(*) OVER () AS total FROM ({unions}) h "  # noqa: S608
                "GROUP BY h.id"
            )
            candidate_params = []
            for group in query.groups:
                df = group_df(group, stats)
                idf = math.log(1 + (stats.entries - df + 0.5) / (df + 0.5))
                candidate_params += [idf, self.group_tsquery(group), *params]
        parts = " + ".join(
            ["ts_rank(%s::float4[], e.search_vector, to_tsquery('simple', %s), %s) * %s"]
            * len(query.lexemes)
        )
        sql = (
            f"WITH c AS MATERIALIZED ({candidates} ORDER BY r DESC, id DESC LIMIT %s) "  # noqa: S608
            f"SELECT c.id, ({parts}) + c.r * 0.001 AS score, c.total "
            "FROM c JOIN knowledge_entry e ON e.id = c.id "
            "ORDER BY score DESC, c.id DESC LIMIT %s OFFSET %s"
        )
        term_params: list = []
        for term in query.lexemes:
            term_params += [self.WEIGHTS, self.lexeme(term), self.NORMALIZATION, stats.idf(term)]
        all_params = [*candidate_params, window, *term_params, limit, offset]
        count_sql = (
            "SELECT COUNT(*) FROM knowledge_entry e "  # noqa: S608
            f"WHERE e.search_vector @@ to_tsquery('simple', %s) AND {where}"
        )
        return self._run(sql, all_params, count_sql, [full, *params], offset=offset)


def get_backend(*, stats: TermStats | None = None) -> SearchBackend:
    if connection.vendor == "postgresql":
        return PostgresBackend(stats)
    if connection.vendor == "sqlite":
        return SqliteBackend()
    raise RuntimeError(f"knowledge search does not support the {connection.vendor} database")


def update_index(entry, *, old_terms: set[str] | None) -> None:
    """After an entry was saved with fresh segmented columns: bring the full-text index and
    the term statistics up to date. ``old_terms`` is None for a new entry."""
    get_backend().sync([entry])
    new_terms = doc_terms(entry)
    deltas = dict.fromkeys(new_terms - (old_terms or set()), 1)
    deltas.update(dict.fromkeys((old_terms or set()) - new_terms, -1))
    if old_terms is None:
        deltas[DOC_COUNT_KEY] = 1
    apply_term_deltas(deltas)
