"""The second stage of a search: the database's best candidates scored again in Python over
the characters and character pairs of the query."""

from __future__ import annotations

import math
from collections.abc import Sequence

from hotline.knowledge.models import Entry
from hotline.knowledge.search.index import GRAM_PREFIX, TermStats, grams, rerank_text
from hotline.knowledge.search.query import Hit, ParsedQuery

# The database's best RERANK_WINDOW candidates are scored again in Python with BM25 over the
# characters and character pairs of the query (``grams``), IDF from the corpus statistics
# (SearchTerm, GRAM_PREFIX), counted in each candidate's text: it rewards entries that share
# more of the query's wording than whole-word matching sees (驾照 ~ 驾驶证, 上牌 ~ 车牌), at the
# cost of one small query for the candidates' text.
RERANK_WINDOW = 50
RERANK_K1 = 1.2
RERANK_B = 0.9
# Weight of the database's own score (normalised to the best candidate) against the n-gram
# score (normalised likewise): ties and near-ties keep the word-level order.
RERANK_FIRST_STAGE = 0.2


def query_grams(query: ParsedQuery) -> list[str]:
    """The characters and character pairs of the query as typed and of every synonym of its
    words, once each (stop-words included: their IDF is small, and the pairs they form with
    their neighbours can tell entries apart)."""
    seen: dict[str, None] = dict.fromkeys(grams(query.text))
    for term in query.lexemes:
        for gram in grams(term):
            seen.setdefault(gram, None)
    return list(seen)


def rerank(
    hits: list[Hit], qgrams: Sequence[str], stats: TermStats, *, loaded: dict | None = None
) -> list[Hit]:
    """``hits`` in a new order (see RERANK_WINDOW). The scores handed back are the database's
    own, in descending order, given out in the new order, so that scores keep falling from one
    page to the next."""
    weights: dict[str, float] = {}
    for gram in qgrams:
        df = stats.df.get(GRAM_PREFIX + gram, 0)
        if df > 0:
            weights[gram] = math.log(1 + (stats.entries - df + 0.5) / (df + 0.5))
    if len(hits) < 2 or not weights:
        return hits
    # The segmented columns are large (and out of line on PostgreSQL); nobody reads them here.
    rows = (
        Entry.objects.select_related("org")
        .defer("search_title", "search_keywords", "search_text")
        .in_bulk([pk for pk, _s in hits])
    )
    if loaded is not None:
        loaded.update(rows)
    texts = {pk: rerank_text(e) for pk, e in rows.items()}
    average = sum(len(t) for t in texts.values()) / max(1, len(texts)) or 1.0
    gram_scores: list[float] = []
    for pk, _score in hits:
        text = texts.get(pk, "")
        norm = RERANK_K1 * (1 - RERANK_B + RERANK_B * len(text) / average)
        total = 0.0
        for gram, idf in weights.items():
            tf = text.count(gram)
            if tf:
                total += idf * tf * (RERANK_K1 + 1) / (tf + norm)
        gram_scores.append(total)
    best_gram = max(gram_scores)
    best_first = max(score for _pk, score in hits)
    if best_gram <= 0:
        return hits
    combined = [
        (
            gram / best_gram + RERANK_FIRST_STAGE * (score / best_first if best_first > 0 else 0.0),
            -i,
        )
        for i, (gram, (_pk, score)) in enumerate(zip(gram_scores, hits, strict=True))
    ]
    order = sorted(range(len(hits)), key=lambda i: combined[i], reverse=True)
    scores = sorted((score for _pk, score in hits), reverse=True)
    return [(hits[i][0], scores[n]) for n, i in enumerate(order)]
