"""One search from parsed query to a page of hits, the same on both databases: which words
take part (``informative``, ``within_budget``), the database's ranked query, then the
re-ranking stage."""

from __future__ import annotations

from hotline.knowledge.search.backends import get_backend
from hotline.knowledge.search.index import (
    ALL_WORDS_MIN,
    GRAM_PREFIX,
    MATCH_BUDGET,
    TermStats,
    group_df,
    term_stats,
)
from hotline.knowledge.search.query import Hit, ParsedQuery, SearchFilters
from hotline.knowledge.search.rerank import RERANK_WINDOW, query_grams, rerank


def within_budget(query: ParsedQuery, stats: TermStats) -> ParsedQuery:
    """The rarest groups of ``query`` whose document frequencies add up to MATCH_BUDGET."""
    chosen: set[tuple[str, ...]] = set()
    total = 0
    for group in sorted(query.groups, key=lambda g: group_df(g, stats)):
        df = group_df(group, stats)
        if chosen and total + df > MATCH_BUDGET:
            break
        chosen.add(group)
        total += df
    return query.only(lambda g, _p: g in chosen)


def informative(query: ParsedQuery, stats: TermStats) -> ParsedQuery:
    """Keep the terms that tell entries apart: drop terms no entry has, and terms in a large
    share of entries (unless nothing else is left: then the two rarest)."""
    present = [t for t in query.lexemes if stats.df.get(t, 0) > 0]
    kept = [t for t in present if not stats.common(t)]
    if not kept:
        kept = sorted(present, key=lambda t: stats.df[t])[:2]
    keep = set(kept)
    flags = query.primary or (True,) * len(query.groups)
    pairs = [
        (tuple(t for t in group if t in keep), is_primary)
        for group, is_primary in zip(query.groups, flags, strict=True)
    ]
    pairs = [(g, p) for g, p in pairs if g]
    return ParsedQuery(
        groups=tuple(g for g, _p in pairs),
        primary=tuple(p for _g, p in pairs),
        highlight=query.highlight,
        text=query.text,
    )


def find(
    query: ParsedQuery,
    filters: SearchFilters,
    *,
    limit: int,
    offset: int,
    loaded: dict | None = None,
) -> tuple[list[Hit], int]:
    """The search, the same on both databases: drop the words no entry has and those too
    common to tell entries apart (``informative``); look for entries holding every word as
    typed; with fewer than ALL_WORDS_MIN of them, for entries holding any of the rarest words
    and their parts (``within_budget``); re-rank the first RERANK_WINDOW (``rerank``).
    Returns one page of (entry id, score) and the count; the entries the re-ranking read
    (with their organisation) are put in ``loaded``, by id, when it is given."""
    qgrams = query_grams(query)
    stats = term_stats([*query.lexemes, *(GRAM_PREFIX + g for g in qgrams)])
    matching = informative(query, stats)
    if matching.empty:  # no entry has any of the words
        return [], 0
    backend = get_backend(stats=stats)
    # The first RERANK_WINDOW results are re-ranked: fetch them all when the page lies in
    # (or reaches into) them; pages beyond keep the database's order.
    reranked = offset < RERANK_WINDOW
    fetch_limit, fetch_offset = (
        (max(RERANK_WINDOW, offset + limit), 0) if reranked else (limit, offset)
    )
    hits: list[Hit] = []
    total = 0
    words = matching.primary_groups
    if not words.empty and (len(words.groups) > 1 or len(words.groups) < len(matching.groups)):
        hits, total = backend.search(
            words, filters, limit=fetch_limit, offset=fetch_offset, require_all=True
        )
    if total < ALL_WORDS_MIN:
        hits, total = backend.search(
            within_budget(matching, stats), filters, limit=fetch_limit, offset=fetch_offset
        )
    if reranked:
        hits = rerank(hits[:RERANK_WINDOW], qgrams, stats, loaded=loaded) + hits[RERANK_WINDOW:]
        hits = hits[offset : offset + limit]
    return hits, total
