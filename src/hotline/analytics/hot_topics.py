"""Hot topics (Art 23: 热点、共性问题): appeals about one matter — one place, one substance —
grouped, ranked by a heat index, named and described.

The substance test is the routing context's similarity engine (the ``text_similarity``
provider of ``tickets.hooks``: Jaccard of character bigrams of the normalised texts, the same
function that decides repeat appeals). This module only finds which pairs are worth asking
about (blocking on shared rare character bigrams), joins the pairs it accepts (union-find)
and describes each group. Identical texts always fall in one topic. Pure Python: the API,
the timers and ``hotline analytics hot-topics --source CSV`` run the same code.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

_KEEP = re.compile(r"[^\w]+", re.UNICODE)
MAX_POSTING = 20  # a bigram in more texts than this says nothing about one matter
MAX_CANDIDATES = 15  # pairs asked about per text, most shared rare bigrams first
MIN_SHARED = 3


@dataclass
class Item:
    id: int | str
    text: str
    at: datetime | None = None
    county: str = ""
    citizen: str = ""
    number: str = ""
    repeats: int = 0
    title: str = ""


@dataclass
class Topic:
    items: list[Item]
    title: str = ""
    keywords: list[str] = field(default_factory=list)
    heat: float = 0.0
    growth: float = 0.0
    citizens: int = 0

    @property
    def count(self) -> int:
        return len(self.items)

    @property
    def id(self) -> str:
        return f"T{min(str(i.number or i.id) for i in self.items)}"

    @property
    def counties(self) -> list[str]:
        return sorted({i.county for i in self.items if i.county})

    @property
    def first_at(self) -> datetime | None:
        times = [i.at for i in self.items if i.at is not None]
        return min(times) if times else None

    @property
    def last_at(self) -> datetime | None:
        times = [i.at for i in self.items if i.at is not None]
        return max(times) if times else None


def _norm(text: str) -> str:
    return _KEEP.sub("", text or "").lower()


def _bigrams(norm: str) -> set[str]:
    return {norm[i : i + 2] for i in range(len(norm) - 1)}


class _Union:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, a: int) -> int:
        while self.parent[a] != a:
            self.parent[a] = self.parent[self.parent[a]]
            a = self.parent[a]
        return a

    def join(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def group(
    items: Sequence[Item], *, similarity: Callable[[str, str], float], threshold: float
) -> list[list[Item]]:
    """Items grouped by matter: identical normalised texts together, and pairs whose
    similarity reaches ``threshold`` (and whose counties, when both known, agree)."""
    n = len(items)
    uf = _Union(n)
    norms = [_norm(i.text) for i in items]
    first_of: dict[str, int] = {}
    for pos, norm in enumerate(norms):
        if not norm:
            continue
        if norm in first_of:
            uf.join(first_of[norm], pos)
        else:
            first_of[norm] = pos
    grams = [_bigrams(x) for x in norms]
    postings: dict[str, list[int]] = defaultdict(list)
    for pos, gs in enumerate(grams):
        if first_of.get(norms[pos]) != pos:
            continue  # an exact duplicate is already joined to its first occurrence
        for g in gs:
            postings[g].append(pos)
    rare = {g: p for g, p in postings.items() if 1 < len(p) <= MAX_POSTING}
    for pos in sorted(first_of.values()):
        shared: Counter[int] = Counter()
        for g in grams[pos]:
            for other in rare.get(g, ()):
                if other > pos:
                    shared[other] += 1
        own = sum(1 for g in grams[pos] if g in rare)
        floor = max(MIN_SHARED, own // 10)
        for other, k in shared.most_common(MAX_CANDIDATES):
            if k < floor or uf.find(pos) == uf.find(other):
                continue
            a, b = items[pos], items[other]
            if a.county and b.county and a.county != b.county:
                continue
            if similarity(a.text, b.text) >= threshold:
                uf.join(pos, other)
    groups: dict[int, list[Item]] = defaultdict(list)
    for pos, item in enumerate(items):
        groups[uf.find(pos)].append(item)
    return list(groups.values())


def keywords(texts: Sequence[str], k: int = 5) -> list[str]:
    import jieba.analyse

    return [
        w for w in jieba.analyse.extract_tags(" ".join(texts)[:20000], topK=k) if not w.isdigit()
    ]


def _title(members: list[Item], words: list[str]) -> str:
    def score(item: Item) -> tuple[int, int]:
        text = item.title or item.text
        return (sum(w in text for w in words), -len(text))

    best = max(members, key=score)
    text = (best.title or best.text).strip()
    first = re.split(r"[。！？!?\n]", text, maxsplit=1)[0]
    return first[:40]


def describe(members: list[Item], *, window_end: datetime | None = None) -> Topic:
    """Title, keywords and heat index of one group. Heat = count + distinct citizens +
    half the repeat appeals + half the count times the growth (the share of the group in its
    latest third of time over the share expected, when times are known)."""
    topic = Topic(items=sorted(members, key=lambda i: (i.at or datetime.min, str(i.id))))
    topic.keywords = keywords([i.title + " " + i.text for i in members])
    topic.title = _title(members, topic.keywords)
    topic.citizens = len({i.citizen for i in members if i.citizen}) or len(members)
    first, last = topic.first_at, window_end or topic.last_at
    if first is not None and last is not None and last > first:
        cut = last - (last - first) / 3
        recent = sum(1 for i in members if i.at is not None and i.at >= cut)
        topic.growth = round(recent / len(members) * 3 - 1, 2)
    topic.heat = round(
        len(members)
        + topic.citizens
        + 0.5 * sum(i.repeats for i in members)
        + 0.5 * len(members) * max(0.0, topic.growth),
        2,
    )
    return topic


def detect(
    items: Sequence[Item],
    *,
    similarity: Callable[[str, str], float],
    threshold: float,
    min_count: int = 2,
    limit: int | None = 20,
    window_end: datetime | None = None,
) -> list[Topic]:
    """The hot topics among ``items``: groups of at least ``min_count`` appeals, by heat."""
    groups = [
        g for g in group(items, similarity=similarity, threshold=threshold) if len(g) >= min_count
    ]
    groups.sort(key=len, reverse=True)
    # describing costs a keyword extraction each: only the biggest groups can rank
    candidates = groups[: (limit * 3 if limit else None)]
    topics = [describe(g, window_end=window_end) for g in candidates]
    topics.sort(key=lambda t: (-t.heat, -t.count, t.id))
    return topics[:limit] if limit else topics
