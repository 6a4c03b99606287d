"""What an entry puts in the index: its segmented columns (``index_fields``), its distinct
terms and character n-grams (``doc_terms``), and the document frequencies of those terms in
SearchTerm (``apply_term_deltas``, read back by ``term_stats``)."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connection

from hotline.knowledge.search.text import _SPLIT, _markdown_to_text, segment


def index_fields(entry) -> None:
    """Fill the segmented columns of ``entry`` (the one indexing code for every writer)."""
    entry.search_title = segment(entry.title)
    extra = [*entry.keywords, *entry.synonyms, entry.category_name]
    entry.search_keywords = segment(" ".join(x for x in extra if x))
    entry.search_text = segment(_markdown_to_text(entry.body))


# -- term statistics -------------------------------------------------------------------------

TERM_MAX = 100
DOC_COUNT_KEY = ""  # the SearchTerm row that counts indexed entries
# A term found in more than this share of entries (and in more than COMMON_MIN_DF of them)
# does not make an entry match on its own: "办理", "材料", "电话" are in most answers.
COMMON_SHARE = 0.2
COMMON_MIN_DF = 200
# First the entries holding every word are looked for; with fewer than this many, entries
# holding any word.
ALL_WORDS_MIN = 5
# "Any word" uses the rarest words whose document frequencies add up to at most this many
# entries (at least one word): rare words decide the ranking anyway, and the cost of a query
# grows with the entries it touches.
MATCH_BUDGET = 3000
# PostgreSQL re-ranks this many candidates with per-term IDF weights.
PG_CANDIDATES = 200


def doc_terms(entry) -> set[str]:
    """The distinct tokens an entry contributes to the index: the words of its segmented
    columns, and the characters and character pairs of its text (``GRAM_PREFIX``), whose
    document frequencies weight the re-ranking stage (``rerank``)."""
    text = " ".join([entry.search_title, entry.search_keywords, entry.search_text])
    return {t[:TERM_MAX] for t in text.split()} | gram_terms(rerank_text(entry))


# -- character n-grams (the re-ranking stage) ------------------------------------------------------

# Statistics of characters and character pairs live in SearchTerm beside the words, under this
# prefix (words never contain it: they are split on non-word characters).
GRAM_PREFIX = "#"


# Full-width letters and digits as their ASCII forms: the part of NFKC that matters for
# counting characters (punctuation separates words either way), at a fraction of its cost.
_FULL_WIDTH_ALNUM = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")
_FULL_WIDTH = {
    c: chr(c - 0xFEE0)
    for c in [*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B)]
}


def rerank_text(entry) -> str:
    """The text the re-ranking stage reads: title, keywords, synonyms, category and body,
    lower-cased, full-width forms folded. Read for up to RERANK_WINDOW candidates per query,
    so it is kept cheap: the Markdown stays (its syntax characters are not word characters, so
    no character pair of ``grams`` spans them)."""
    extra = [*(entry.keywords or []), *(entry.synonyms or []), entry.category_name or ""]
    text = "\n".join([entry.title or "", " ".join(x for x in extra if x), entry.body or ""])
    if _FULL_WIDTH_ALNUM.search(text):
        text = text.translate(_FULL_WIDTH)
    return text.lower()


def grams(text: str) -> list[str]:
    """Single characters and pairs of adjacent characters within each run of word characters
    (``"医保报销"`` → 医 保 报 销 医保 保报 报销), in order, with repeats."""
    out: list[str] = []
    for run in _SPLIT.split(text):
        if run:
            out.extend(run)
            out.extend(run[i : i + 2] for i in range(len(run) - 1))
    return out


def gram_terms(text: str) -> set[str]:
    return {GRAM_PREFIX + g for g in grams(text)}


def apply_term_deltas(deltas: dict[str, int]) -> None:
    """Add ``deltas`` to the document frequencies, in term order (so two writers lock rows in
    the same order), one statement per batch; the same SQL on PostgreSQL and SQLite."""
    items = sorted((t, d) for t, d in deltas.items() if d)
    with connection.cursor() as cursor:
        for start in range(0, len(items), 400):
            batch = items[start : start + 400]
            values = ", ".join(["(%s, %s)"] * len(batch))
            cursor.execute(
                f"INSERT INTO knowledge_searchterm (term, df) VALUES {values} "  # noqa: S608
                "ON CONFLICT (term) DO UPDATE SET df = knowledge_searchterm.df + excluded.df",
                [x for pair in batch for x in pair],
            )


@dataclass(frozen=True)
class TermStats:
    entries: int
    df: dict[str, int]

    def idf(self, term: str) -> float:
        df = self.df.get(term, 0)
        return math.log(1 + (self.entries - df + 0.5) / (df + 0.5))

    def common(self, term: str) -> bool:
        return self.df.get(term, 0) > max(COMMON_MIN_DF, COMMON_SHARE * self.entries)


def term_stats(terms: Sequence[str]) -> TermStats:
    keys = sorted({t[:TERM_MAX] for t in terms} | {DOC_COUNT_KEY})
    with connection.cursor() as cursor:
        placeholders = ", ".join(["%s"] * len(keys))
        cursor.execute(
            f"SELECT term, df FROM knowledge_searchterm WHERE term IN ({placeholders})",  # noqa: S608
            keys,
        )
        df = dict(cursor.fetchall())
    entries = max(0, df.pop(DOC_COUNT_KEY, 0))
    return TermStats(entries=entries, df={t: df.get(t[:TERM_MAX], 0) for t in terms})


def group_df(group: Sequence[str], stats: TermStats) -> int:
    return min(stats.entries or 1, sum(stats.df.get(t, 0) for t in group))
