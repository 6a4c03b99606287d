"""Chinese full-text search for the knowledge base, on PostgreSQL and on SQLite.

Both databases see the same thing: text segmented by jieba in Python (``text``), stored on
the entry in three columns (``search_title``, ``search_keywords``, ``search_text``) by the
service layer (``index``), and a query parsed into groups of alternative terms (synonyms) by
``parse_query`` (``query``). Only ``SearchBackend`` differs (``backends``):

- PostgreSQL: a stored generated ``tsvector`` column ``search_vector`` (weights A title,
  B keywords/synonyms/category, C body) with a GIN index, queried with an OR ``tsquery`` and
  ranked with ``ts_rank`` times each term's inverse document frequency;
- SQLite: an FTS5 table ``knowledge_entry_fts`` (rowid = entry id) kept in sync by
  ``SqliteBackend.sync`` in the same transaction as the write, ranked with ``bm25`` and column
  weights favouring title and keywords.

``engine.find`` runs one search; ``rerank`` re-scores the first candidates. Results, scores
aside, have the same shape; snippets and highlighting are made in Python for both (``text``).

Callers use this package's names (``from hotline.knowledge import search``;
``search.find(...)``); the modules are its inside.
"""

from hotline.knowledge.search.backends import (
    PostgresBackend,
    SearchBackend,
    SqliteBackend,
    get_backend,
    update_index,
)
from hotline.knowledge.search.engine import find, informative, within_budget
from hotline.knowledge.search.index import (
    ALL_WORDS_MIN,
    COMMON_MIN_DF,
    COMMON_SHARE,
    DOC_COUNT_KEY,
    GRAM_PREFIX,
    MATCH_BUDGET,
    PG_CANDIDATES,
    TERM_MAX,
    TermStats,
    apply_term_deltas,
    doc_terms,
    gram_terms,
    grams,
    group_df,
    index_fields,
    rerank_text,
    term_stats,
)
from hotline.knowledge.search.query import (
    MAX_QUERY_TERMS,
    SYNONYM_CACHE_KEY,
    Hit,
    ParsedQuery,
    SearchFilters,
    forget_synonyms,
    parse_query,
    synonym_map,
)
from hotline.knowledge.search.rerank import (
    RERANK_B,
    RERANK_FIRST_STAGE,
    RERANK_K1,
    RERANK_WINDOW,
    query_grams,
    rerank,
)
from hotline.knowledge.search.text import (
    LOCAL_TERMS,
    STOPWORDS,
    _words,
    add_words,
    highlight,
    index_tokens,
    make_snippet,
    normalise,
    plain_text,
    reset_dictionary,
    segment,
    tokenizer,
)

__all__ = [
    "ALL_WORDS_MIN",
    "COMMON_MIN_DF",
    "COMMON_SHARE",
    "DOC_COUNT_KEY",
    "GRAM_PREFIX",
    "LOCAL_TERMS",
    "MATCH_BUDGET",
    "MAX_QUERY_TERMS",
    "PG_CANDIDATES",
    "RERANK_B",
    "RERANK_FIRST_STAGE",
    "RERANK_K1",
    "RERANK_WINDOW",
    "STOPWORDS",
    "SYNONYM_CACHE_KEY",
    "TERM_MAX",
    "Hit",
    "ParsedQuery",
    "PostgresBackend",
    "SearchBackend",
    "SearchFilters",
    "SqliteBackend",
    "TermStats",
    "_words",
    "add_words",
    "apply_term_deltas",
    "doc_terms",
    "find",
    "forget_synonyms",
    "get_backend",
    "gram_terms",
    "grams",
    "group_df",
    "highlight",
    "index_fields",
    "index_tokens",
    "informative",
    "make_snippet",
    "normalise",
    "parse_query",
    "plain_text",
    "query_grams",
    "rerank",
    "rerank_text",
    "reset_dictionary",
    "segment",
    "synonym_map",
    "term_stats",
    "tokenizer",
    "update_index",
    "within_budget",
]
