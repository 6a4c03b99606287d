"""The text model of past dispatches: which lead unit similar tickets were finally sent to.

:class:`NeighbourIndex` (pure Python + numpy) is an inverted index of character bigrams of the
normalised text (the first ``TEXT_CHARS`` characters: a ticket names its matter first). A query
looks up the postings of its bigrams, scores every ticket that shares some by the IDF-weighted
share of the query's indexed bigrams it contains (0–1), and the best ``k`` at or above a
threshold vote for their lead unit, each with its score. Postings keep only the most recent
``POSTING_CAP`` tickets per bigram, so a common bigram costs no more than a rare one and the
model follows the newest practice; document frequencies stay exact.

:class:`DispatchHistory` keeps one warm index in the serving process, like
``ticket_index.TicketIndex``: the top-level lead assignments that were not returned, from the
last ``routing_neighbour_window_days``; topped up with newer assignments before a query (one
indexed ``id > last`` query, at most every ``REFRESH_SECONDS``); a re-dispatch replaces the
ticket's unit; rebuilt every ``REBUILD_AFTER`` (so a dispatch returned since drops out). A
large history is built in a background thread — suggestions go on without this source until
it is ready.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from hotline.routing.duplicates import shingle_set
from hotline.routing.text import DEFAULT_BOILERPLATE_RE, normalize_for_matching

logger = logging.getLogger(__name__)

TEXT_CHARS = 160
POSTING_CAP = 1000
MAX_QUERY_TERMS = 96
MERGE_EVERY = 20_000  # postings added one by one before they are merged
BULK_CHUNK = 8_000_000  # postings gathered by a bulk load before a merge


def text_terms(text: str) -> set[str]:
    norm = normalize_for_matching(text or "", DEFAULT_BOILERPLATE_RE)[:TEXT_CHARS]
    return shingle_set(norm, 2) if len(norm) >= 2 else set()


@dataclass(frozen=True)
class Neighbour:
    ticket_id: int
    label: str
    group: str
    score: float


class NeighbourIndex:
    """Documents (id, text, label, group) → the most similar ones for a query text."""

    def __init__(self, cap: int = POSTING_CAP) -> None:
        self.cap = cap
        self._term_ids: dict[str, int] = {}
        self._df: list[int] = []
        # merged postings (CSR over term ids) and recent additions per term
        self._indptr = np.zeros(1, dtype=np.int64)
        self._postings = np.zeros(0, dtype=np.int32)
        self._recent: dict[int, list[int]] = {}
        self._recent_n = 0
        # per slot
        self._ids: array = array("q")
        self._labels: array = array("i")
        self._groups: array = array("i")
        self._label_names: list[str] = []
        self._label_index: dict[str, int] = {}
        self._group_names: list[str] = []
        self._group_index: dict[str, int] = {}
        self._slot_of: dict[int, int] = {}

    def __len__(self) -> int:
        return len(self._slot_of)

    def _intern(self, value: str, names: list[str], index: dict[str, int]) -> int:
        i = index.get(value)
        if i is None:
            i = index[value] = len(names)
            names.append(value)
        return i

    def _add_doc(self, doc_id: int, text: str, label: str, group: str) -> list[int] | None:
        """Record the document; its term ids, or ``None`` when only its label changed."""
        label_i = self._intern(label, self._label_names, self._label_index)
        group_i = self._intern(group, self._group_names, self._group_index)
        slot = self._slot_of.get(doc_id)
        if slot is not None:  # same text: only the unit changed (a re-dispatch)
            self._labels[slot] = label_i
            self._groups[slot] = group_i
            return None
        self._slot_of[doc_id] = len(self._ids)
        self._ids.append(doc_id)
        self._labels.append(label_i)
        self._groups.append(group_i)
        tids = []
        for term in text_terms(text):
            tid = self._term_ids.get(term)
            if tid is None:
                tid = self._term_ids[term] = len(self._df)
                self._df.append(0)
            self._df[tid] += 1
            tids.append(tid)
        return tids

    def add(self, doc_id: int, text: str, label: str, group: str = "") -> None:
        """Index a document; adding an id again replaces its label (a re-dispatch)."""
        tids = self._add_doc(doc_id, text, label, group)
        if not tids:
            return
        slot = len(self._ids) - 1
        for tid in tids:
            self._recent.setdefault(tid, []).append(slot)
        self._recent_n += len(tids)
        if self._recent_n >= MERGE_EVERY:
            self._merge()

    def add_many(self, rows: Iterable[tuple[int, str, str, str]]) -> None:
        """Bulk load: postings gathered in flat arrays, merged every ``BULK_CHUNK`` pairs."""
        self._merge()
        terms: array = array("i")
        slots: array = array("i")
        for doc_id, text, label, group in rows:
            tids = self._add_doc(doc_id, text, label, group)
            if not tids:
                continue
            terms.extend(tids)
            slots.extend([len(self._ids) - 1] * len(tids))
            if len(terms) >= BULK_CHUNK:
                self._merge_pairs(np.frombuffer(terms, np.int32), np.frombuffer(slots, np.int32))
                terms, slots = array("i"), array("i")
        if len(terms):
            self._merge_pairs(np.frombuffer(terms, np.int32), np.frombuffer(slots, np.int32))

    def _merge(self) -> None:
        """Fold the recent additions into the CSR arrays."""
        if not self._recent_n:
            return
        terms = np.concatenate(
            [np.full(len(v), k, dtype=np.int32) for k, v in self._recent.items()]
        )
        slots = np.concatenate([np.asarray(v, dtype=np.int32) for v in self._recent.values()])
        self._recent = {}
        self._recent_n = 0
        self._merge_pairs(terms, slots)

    def _merge_pairs(self, terms: np.ndarray, slots: np.ndarray) -> None:
        """Merge (term, slot) pairs of newer documents into the CSR arrays, keeping the newest
        ``cap`` slots of each term (numpy throughout: a stable sort by term keeps each term's
        slots in the order they were added, oldest first)."""
        n_terms = len(self._df)
        old_counts = np.diff(self._indptr)
        all_terms = np.concatenate(
            (np.repeat(np.arange(len(old_counts), dtype=np.int32), old_counts), terms)
        )
        all_slots = np.concatenate((self._postings, slots))
        order = np.argsort(all_terms, kind="stable")
        all_terms, all_slots = all_terms[order], all_slots[order]
        ends = np.cumsum(np.bincount(all_terms, minlength=n_terms))
        keep = ends[all_terms] - np.arange(len(all_terms)) <= self.cap
        all_terms, all_slots = all_terms[keep], all_slots[keep]
        self._indptr = np.zeros(n_terms + 1, dtype=np.int64)
        np.cumsum(np.bincount(all_terms, minlength=n_terms), out=self._indptr[1:])
        self._postings = np.ascontiguousarray(all_slots, dtype=np.int32)

    def _posting(self, tid: int) -> np.ndarray:
        if tid + 1 < len(self._indptr):
            merged = self._postings[self._indptr[tid] : self._indptr[tid + 1]]
        else:
            merged = self._postings[:0]
        recent = self._recent.get(tid)
        if recent:
            merged = np.concatenate((merged, np.asarray(recent, dtype=np.int32)))
            if len(merged) > self.cap:
                merged = merged[-self.cap :]
        return merged

    def neighbours(
        self,
        text: str,
        *,
        k: int = 20,
        threshold: float = 0.35,
        exclude: int | None = None,
    ) -> list[Neighbour]:
        """The ``k`` most similar documents scoring at least ``threshold``, best first. The
        score is the IDF-weighted share of the query's known bigrams (the ``MAX_QUERY_TERMS``
        rarest) that a document contains."""
        n = len(self._ids)
        if not n:
            return []
        # bigrams no indexed ticket has (new names, typing) cannot tell candidates apart: left out
        weighted = []
        for term in text_terms(text):
            tid = self._term_ids.get(term)
            if tid is not None:
                weighted.append((math.log((n + 1) / self._df[tid]), tid))
        weighted.sort(key=lambda wt: -wt[0])
        weighted = weighted[:MAX_QUERY_TERMS]
        total = sum(w for w, _t in weighted)
        if total <= 0:
            return []
        parts = [self._posting(tid) for _w, tid in weighted]
        lengths = [len(p) for p in parts]
        if not sum(lengths):
            return []
        slots = np.concatenate(parts)
        weights = np.repeat(np.array([w for w, _t in weighted]), lengths)
        unique, inverse = np.unique(slots, return_inverse=True)
        scores = np.bincount(inverse, weights=weights) / total
        keep = np.flatnonzero(scores >= threshold)
        if not len(keep):
            return []
        if len(keep) > k + 1:
            keep = keep[np.argpartition(-scores[keep], k)[: k + 1]]
        keep = keep[np.lexsort((-unique[keep], -scores[keep]))]
        out: list[Neighbour] = []
        for i in keep:
            slot = int(unique[i])
            doc_id = int(self._ids[slot])
            if doc_id == exclude or self._slot_of.get(doc_id) != slot:
                continue
            out.append(
                Neighbour(
                    doc_id,
                    self._label_names[self._labels[slot]],
                    self._group_names[self._groups[slot]],
                    float(scores[i]),
                )
            )
            if len(out) >= k:
                break
        return out


@dataclass(frozen=True)
class Vote:
    label: str
    share: float  # of the weighted vote
    count: int  # neighbours that voted for it
    example: int  # the most similar of them (ticket id)


def vote(neighbours: list[Neighbour], *, group: str = "", min_in_group: int = 3) -> list[Vote]:
    """Each neighbour votes for its label with its score. When ``group`` (the county) is known
    and at least ``min_in_group`` neighbours share it, only those vote (a county's tickets go to
    that county's bodies)."""
    if group:
        local = [nb for nb in neighbours if nb.group == group]
        if len(local) >= min_in_group:
            neighbours = local
    total = sum(nb.score for nb in neighbours)
    if total <= 0:
        return []
    weights: dict[str, float] = {}
    counts: dict[str, int] = {}
    example: dict[str, int] = {}
    for nb in neighbours:  # best first: the first one seen is the example
        weights[nb.label] = weights.get(nb.label, 0.0) + nb.score
        counts[nb.label] = counts.get(nb.label, 0) + 1
        example.setdefault(nb.label, nb.ticket_id)
    ranked = sorted(weights, key=lambda label: (-weights[label], label))
    return [Vote(lb, weights[lb] / total, counts[lb], example[lb]) for lb in ranked]


REBUILD_AFTER = timedelta(hours=6)
REFRESH_SECONDS = 10.0  # new dispatches are looked for at most this often per process
BACKGROUND_ROWS = 20_000  # a history larger than this is built off the request thread


class DispatchHistory:
    """The warm index of past dispatches in this process (see the module docstring)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._index: NeighbourIndex | None = None
        self._last_id = 0
        self._built_at = 0.0
        self._checked_at = -1e18
        self._since: datetime | None = None
        self._building = False

    @staticmethod
    def _rows(since: datetime, after: int = 0):
        from hotline.tickets.choices import AssignmentRole, AssignmentStatus
        from hotline.tickets.models import Assignment

        return (
            Assignment.objects.filter(
                role=AssignmentRole.LEAD,
                parent__isnull=True,
                pk__gt=after,
                ticket__received_at__gte=since,
            )
            .exclude(status__in=(AssignmentStatus.RETURNED, AssignmentStatus.RETURN_REQUESTED))
            .order_by("pk")
            .values_list("pk", "ticket_id", "ticket__content", "org__code", "ticket__county__code")
        )

    def _build(self, since: datetime) -> tuple[NeighbourIndex, int]:
        index = NeighbourIndex()
        last = [0]

        def rows():
            for pk, ticket_id, content, org, county in self._rows(since).iterator(2000):
                last[0] = pk
                yield ticket_id, content or "", org, county or ""

        index.add_many(rows())
        return index, last[0]

    def _build_in_background(self, since: datetime) -> None:
        from django.db import close_old_connections

        def run() -> None:
            try:
                started = time.monotonic()
                index, last = self._build(since)
                with self._lock:
                    self._index, self._last_id, self._since = index, last, since
                    self._built_at = time.monotonic()
                logger.info(
                    "routing: dispatch history indexed (%d tickets, %.1f s)",
                    len(index),
                    time.monotonic() - started,
                )
            except Exception:
                logger.exception("routing: building the dispatch history failed")
            finally:
                self._building = False
                close_old_connections()

        self._building = True
        threading.Thread(target=run, name="routing-unit-index", daemon=True).start()

    def _top_up(self, top: int) -> None:
        assert self._index is not None and self._since is not None
        last = self._last_id
        for pk, ticket_id, content, org, county in self._rows(self._since, last):
            self._index.add(ticket_id, content or "", org, county or "")
            last = pk
        self._last_id = max(last, top)

    def neighbours(
        self, text: str, *, since: datetime, k: int, threshold: float, exclude: int | None = None
    ) -> list[Neighbour] | None:
        """Similar past dispatches; ``None`` while the index is still being built."""
        from django.db.models import Max

        from hotline.tickets.models import Assignment

        with self._lock:
            tick = time.monotonic()
            if (
                self._index is not None
                and self._since is not None
                and since >= self._since - timedelta(days=1)
                and tick - self._checked_at < REFRESH_SECONDS
                and tick - self._built_at <= REBUILD_AFTER.total_seconds()
            ):
                return self._index.neighbours(text, k=k, threshold=threshold, exclude=exclude)
            self._checked_at = tick
            top = Assignment.objects.aggregate(m=Max("pk"))["m"] or 0
            stale = (
                self._index is None
                or self._since is None
                or top < self._last_id  # rolled back or restored
                or since < self._since - timedelta(days=1)  # the window grew
                or time.monotonic() - self._built_at > REBUILD_AFTER.total_seconds()
            )
            if stale and not self._building:
                size = len(self._index) if self._index is not None else None
                if size is None:
                    size = self._rows(since).count()
                if size > BACKGROUND_ROWS:
                    self._build_in_background(since)  # the old index serves meanwhile
                else:
                    self._index, last = self._build(since)
                    self._last_id = max(last, top)
                    self._since, self._built_at = since, time.monotonic()
            if self._index is None:
                return None
            if top > self._last_id:
                self._top_up(top)
            return self._index.neighbours(text, k=k, threshold=threshold, exclude=exclude)

    def expire(self) -> None:
        """Look for new dispatches at the next query, whatever ``REFRESH_SECONDS`` says (a
        batch of dispatches made faster than real time: the demo history)."""
        with self._lock:
            self._checked_at = -1e18

    def reset(self) -> None:
        with self._lock:
            self._index = None
            self._last_id = 0
            self._since = None
            self._built_at = 0.0
            self._checked_at = -1e18


history = DispatchHistory()
