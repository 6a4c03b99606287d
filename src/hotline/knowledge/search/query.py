"""A query as the search reads it: groups of alternative terms (``parse_query``, with the
administrator's synonyms), and the filters on what a search may return (``SearchFilters``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.core.cache import cache
from django.db import connection, transaction

from hotline.knowledge.models import Synonym
from hotline.knowledge.search.text import STOPWORDS, _words, add_words, normalise, tokenizer

MAX_QUERY_TERMS = 16


@dataclass(frozen=True)
class ParsedQuery:
    """A query as groups of alternatives: ``[("医保", "医疗保险", "医疗保障"), ("报销",)]``.

    ``primary[i]`` says whether group i is a word of the query as written (jieba's precise
    mode) rather than a part of one (``消费`` and ``投诉`` of ``消费投诉``): entries holding every
    primary word are looked for first; the parts widen the "any word" fallback.
    """

    groups: tuple[tuple[str, ...], ...]
    primary: tuple[bool, ...] = ()
    highlight: tuple[str, ...] = field(default=())
    # the query as typed, normalised: its characters feed the re-ranking stage (``rerank``)
    text: str = ""

    @property
    def empty(self) -> bool:
        return not self.groups

    @property
    def lexemes(self) -> list[str]:
        seen: dict[str, None] = {}
        for group in self.groups:
            for term in group:
                seen.setdefault(term, None)
        return list(seen)

    def only(self, keep) -> ParsedQuery:
        """The groups for which ``keep(group, is_primary)`` is true."""
        flags = self.primary or (True,) * len(self.groups)
        pairs = [(g, p) for g, p in zip(self.groups, flags, strict=True) if keep(g, p)]
        return ParsedQuery(
            groups=tuple(g for g, _p in pairs),
            primary=tuple(p for _g, p in pairs),
            highlight=self.highlight,
            text=self.text,
        )

    @property
    def primary_groups(self) -> ParsedQuery:
        return self.only(lambda _g, is_primary: is_primary)


def _query_words(text: str) -> list[tuple[str, bool]]:
    tk = tokenizer()
    words: list[tuple[str, bool]] = []
    seen: set[str] = set()
    for word in _words(tk.cut(text)):
        if word in STOPWORDS or word in seen:
            continue
        seen.add(word)
        words.append((word, True))
    for word, _primary in list(words):
        if len(word) > 2:
            for part in _words(tk.cut_for_search(word)):
                if part not in seen and part not in STOPWORDS:
                    seen.add(part)
                    words.append((part, False))
    # Single characters match almost everything; keep them only when nothing else is left.
    if any(len(w) > 1 for w, _p in words):
        words = [(w, p) for w, p in words if len(w) > 1]
    return words


def parse_query(text: str, synonyms: dict[str, tuple[str, ...]] | None = None) -> ParsedQuery:
    synonyms = synonyms or {}
    text = normalise(text)
    groups: list[tuple[str, ...]] = []
    primary: list[bool] = []
    seen: set[str] = set()
    for token, is_primary in _query_words(text):
        if token in seen:
            continue
        alternatives = (token, *(s for s in synonyms.get(token, ()) if s != token))
        seen.update(alternatives)
        groups.append(alternatives)
        primary.append(is_primary)
        if len(groups) >= MAX_QUERY_TERMS:
            break
    highlight = sorted({t for g in groups for t in g}, key=len, reverse=True)
    return ParsedQuery(
        groups=tuple(groups), primary=tuple(primary), highlight=tuple(highlight), text=text
    )


SYNONYM_CACHE_KEY = "knowledge:synonyms:v1"


def synonym_map() -> dict[str, tuple[str, ...]]:
    """term → every equivalent term (groups are symmetric), from the active Synonym rows."""
    cached = cache.get(SYNONYM_CACHE_KEY)
    if cached is not None:
        return cached
    groups: dict[str, set[str]] = {}
    for term, equivalents in Synonym.objects.filter(active=True).values_list("term", "equivalents"):
        members = {normalise(term), *(normalise(e) for e in equivalents or [])}
        members.discard("")
        union = set(members)
        for member in members:
            union |= groups.get(member, set())
        for member in union:
            groups[member] = union
    result = {term: tuple(sorted(members)) for term, members in groups.items()}
    add_words(result)
    cache.set(SYNONYM_CACHE_KEY, result, 300)
    return result


def forget_synonyms() -> None:
    # Now for this process, and again after commit in case another request cached the old
    # list in between.
    cache.delete(SYNONYM_CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(SYNONYM_CACHE_KEY))


# -- filters --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchFilters:
    """What a search may return; compiled to SQL once for both backends."""

    statuses: tuple[str, ...] = ("published",)
    # Entries not yet (or no longer) published are visible only for these organisations;
    # ``None`` means every organisation (the center's reviewers).
    unpublished_org_ids: tuple[int, ...] | None = ()
    public: bool | None = None
    org_id: int | None = None
    category_code: str | None = None
    in_effect_on: date | None = None

    def sql(self, alias: str = "e") -> tuple[str, list]:
        ops = connection.ops
        where: list[str] = []
        params: list = []
        placeholders = ", ".join(["%s"] * len(self.statuses))
        where.append(f"{alias}.status IN ({placeholders})")
        params.extend(self.statuses)
        if self.unpublished_org_ids is not None and any(s != "published" for s in self.statuses):
            if self.unpublished_org_ids:
                ids = ", ".join(["%s"] * len(self.unpublished_org_ids))
                where.append(f"({alias}.status = 'published' OR {alias}.org_id IN ({ids}))")
                params.extend(self.unpublished_org_ids)
            else:
                where.append(f"{alias}.status = 'published'")
        if self.public is not None:
            where.append(f"{alias}.public = %s")
            params.append(self.public)
        if self.org_id is not None:
            where.append(f"{alias}.org_id = %s")
            params.append(self.org_id)
        if self.category_code:
            where.append(f"({alias}.category_code = %s OR {alias}.category_code LIKE %s)")
            params.extend([self.category_code, self.category_code + ".%"])
        if self.in_effect_on is not None:
            day = ops.adapt_datefield_value(self.in_effect_on)
            where.append(
                f"({alias}.effective_from IS NULL OR {alias}.effective_from <= %s) AND "
                f"({alias}.expires_on IS NULL OR {alias}.expires_on >= %s)"
            )
            params.extend([day, day])
        return " AND ".join(where), params


Hit = tuple[int, float]
