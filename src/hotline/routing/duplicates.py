"""Exact and near-duplicate detection for ticket texts: MinHash + LSH over character shingles.

Pure Python + numpy; no Django, no database. Two tools:

* :class:`DuplicateIndex` — an in-memory index over the whole history (built for 1M tickets at
  well under 20 ms per query, see ``benchmarks/routing.py``). ``add(id, text, meta)``,
  ``query(text, threshold) -> [(id, jaccard_estimate)]``, ``save(path)`` / ``load(path)``.
  Exact duplicates (same text after :func:`~hotline.routing.text.normalize_for_matching`) are
  found through a 64-bit hash of the normalised text and always score 1.0.
* :func:`is_repeat` — the rule for repeat appeals (RULES §9, Art 11, Art 29(5)) over a short,
  already selected history (the caller's earlier tickets): exact Jaccard, no estimate.

How the index works. The normalised text is cut into overlapping character k-grams (shingles,
k = 3 by default). Each shingle is hashed to 64 bits (exact packing of the code points, then a
SplitMix64 finaliser). A MinHash signature keeps, for each of ``num_perm`` hash functions
``h_i(x) = a_i·x + b_i mod 2⁶⁴`` (fixed seed, so signatures are identical across processes and
machines), the minimum over the shingles; two texts agree on a component with probability equal
to the Jaccard similarity of their shingle sets. Only 16 bits of each (re-mixed) minimum are kept
("b-bit MinHash"): half the memory, and an accidental agreement rate of 1/65536. The signature
is cut into ``num_perm / band_rows`` bands; texts that agree on all rows of at least one band
become candidates (probability ``1 − (1 − J^r)^b``), and candidates are scored by the share of
agreeing components. Band keys live in sorted numpy arrays (binary search); recent additions
go to small dict buckets that are merged into the arrays every ``merge_every`` additions.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import numpy as np

from hotline.routing.text import DEFAULT_BOILERPLATE_RE, normalize_for_matching

FORMAT_VERSION = 1
DEFAULT_NUM_PERM = 128
DEFAULT_BAND_ROWS = 4
DEFAULT_SHINGLE_SIZE = 3
DEFAULT_SEED = 12345
DEFAULT_THRESHOLD = 0.5

_U64 = np.uint64
_M64 = (1 << 64) - 1
_SPLITMIX_1 = _U64(0xBF58476D1CE4E5B9)
_SPLITMIX_2 = _U64(0x94D049BB133111EB)
_POLY = _U64(0x100000001B3)  # FNV-64 prime; combining code points of a shingle
_MERGE_CHUNK = 100_000


def _mix64(x: np.ndarray) -> np.ndarray:
    """SplitMix64 finaliser (vectorised, wrap-around uint64 arithmetic)."""
    x = x ^ (x >> _U64(30))
    x = x * _SPLITMIX_1
    x = x ^ (x >> _U64(27))
    x = x * _SPLITMIX_2
    return x ^ (x >> _U64(31))


def _codepoints(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype="<u4").astype(np.uint64)


def shingle_hashes(normalized: str, k: int = DEFAULT_SHINGLE_SIZE) -> np.ndarray:
    """64-bit hashes of the character k-grams of an already normalised text (with repeats).

    A text shorter than ``k`` (but not empty) is one shingle; an empty text has none.
    """
    if not normalized:
        return np.empty(0, dtype=np.uint64)
    if len(normalized) < k:
        normalized = normalized + "\0" * (k - len(normalized))
    cps = _codepoints(normalized)
    n = len(cps) - k + 1
    h = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(k):
            h = h * _POLY + cps[j : j + n]
        return _mix64(h)


def shingle_set(normalized: str, k: int = DEFAULT_SHINGLE_SIZE) -> set[str]:
    """The k-gram set itself (for exact Jaccard on small inputs)."""
    if not normalized:
        return set()
    if len(normalized) < k:
        return {normalized}
    return {normalized[i : i + k] for i in range(len(normalized) - k + 1)}


def jaccard(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def text_hash(normalized: str) -> int:
    """Stable 63-bit hash of a normalised text (exact-duplicate key)."""
    digest = hashlib.blake2b(normalized.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little") & ((1 << 63) - 1)


class MinHasher:
    """Deterministic b-bit MinHash signatures (uint16 × ``num_perm``)."""

    def __init__(
        self,
        num_perm: int = DEFAULT_NUM_PERM,
        *,
        shingle_size: int = DEFAULT_SHINGLE_SIZE,
        seed: int = DEFAULT_SEED,
    ) -> None:
        if num_perm < 1 or shingle_size < 1:
            raise ValueError("num_perm and shingle_size must be positive")
        self.num_perm = num_perm
        self.shingle_size = shingle_size
        self.seed = seed
        rng = np.random.default_rng(seed)
        # Odd multipliers make each h_i a permutation of the 64-bit space.
        self._a = rng.integers(0, 2**63, size=num_perm, dtype=np.uint64) * _U64(2) + _U64(1)
        self._b = rng.integers(0, 2**63, size=num_perm, dtype=np.uint64)

    def signature(self, normalized: str) -> np.ndarray | None:
        """Signature of one normalised text; ``None`` for an empty text."""
        x = shingle_hashes(normalized, self.shingle_size)
        if len(x) == 0:
            return None
        with np.errstate(over="ignore"):
            mins = (self._a[:, None] * x[None, :] + self._b[:, None]).min(axis=1)
            return (_mix64(mins) & _U64(0xFFFF)).astype(np.uint16)

    def signatures(self, normalized: Sequence[str], chunk_shingles: int = 200_000) -> np.ndarray:
        """Signatures of many texts at once, shape (n, num_perm); empty texts get zeros.

        Vectorised over texts: shingles of a chunk of texts are concatenated and reduced per
        text with ``np.minimum.reduceat``. Callers drop empty texts themselves.
        """
        out = np.zeros((len(normalized), self.num_perm), dtype=np.uint16)
        start = 0
        while start < len(normalized):
            parts: list[np.ndarray] = []
            rows: list[int] = []
            total = 0
            stop = start
            while stop < len(normalized) and (total < chunk_shingles or not parts):
                x = shingle_hashes(normalized[stop], self.shingle_size)
                if len(x):
                    parts.append(x)
                    rows.append(stop)
                    total += len(x)
                stop += 1
            if parts:
                flat = np.concatenate(parts)
                offsets = np.cumsum([0] + [len(p) for p in parts[:-1]])
                mins = np.empty((len(parts), self.num_perm), dtype=np.uint64)
                with np.errstate(over="ignore"):
                    for i in range(self.num_perm):
                        mins[:, i] = np.minimum.reduceat(flat * self._a[i] + self._b[i], offsets)
                    out[rows] = (_mix64(mins) & _U64(0xFFFF)).astype(np.uint16)
            start = stop
        return out


def _band_keys(signatures: np.ndarray, band_rows: int, bands: int) -> np.ndarray:
    """uint32 key per (text, band): the band's rows packed and mixed. Shape (n, bands)."""
    sig = signatures[:, : bands * band_rows].astype(np.uint64).reshape(-1, bands, band_rows)
    packed = np.zeros(sig.shape[:2], dtype=np.uint64)
    with np.errstate(over="ignore"):
        for r in range(band_rows):
            packed = packed * _U64(0x10001) + sig[:, :, r]
        packed = packed + np.arange(bands, dtype=np.uint64)[None, :] * _U64(0x9E3779B97F4A7C15)
        return (_mix64(packed) >> _U64(32)).astype(np.uint32)


@dataclass(frozen=True)
class Match:
    id: Hashable
    score: float
    exact: bool
    meta: Any = None


class DuplicateIndex:
    """In-memory MinHash/LSH index of ticket texts (see the module docstring).

    ``ids`` may be any hashable; to :meth:`save` an index they must be ``int`` or ``str`` and
    ``meta`` JSON-serialisable. Adding the same id twice indexes it twice (queries report it
    once). Not thread-safe for concurrent writers; queries may run concurrently with each other.
    """

    def __init__(
        self,
        *,
        num_perm: int = DEFAULT_NUM_PERM,
        band_rows: int = DEFAULT_BAND_ROWS,
        shingle_size: int = DEFAULT_SHINGLE_SIZE,
        seed: int = DEFAULT_SEED,
        boilerplate: re.Pattern[str] | None = DEFAULT_BOILERPLATE_RE,
        merge_every: int = 50_000,
    ) -> None:
        if band_rows < 1 or band_rows > 4 or band_rows > num_perm:
            raise ValueError("band_rows must be between 1 and min(4, num_perm)")
        self.hasher = MinHasher(num_perm, shingle_size=shingle_size, seed=seed)
        self.band_rows = band_rows
        self.bands = num_perm // band_rows
        self.boilerplate = boilerplate
        self.merge_every = merge_every
        self._ids: list[Hashable] = []
        self._meta: list[Any] = []
        self._sigs = np.zeros((0, num_perm), dtype=np.uint16)
        self._hashes = np.zeros(0, dtype=np.int64)  # exact-duplicate key per position (-1: empty)
        # Merged part: per band, sorted keys and the positions they belong to.
        self._merged = 0
        self._band_sorted: list[np.ndarray] = [np.zeros(0, np.uint32)] * self.bands
        self._band_pos: list[np.ndarray] = [np.zeros(0, np.uint32)] * self.bands
        self._hash_sorted = np.zeros(0, dtype=np.int64)
        self._hash_pos = np.zeros(0, dtype=np.uint32)
        # Pending part (positions >= _merged): dict buckets.
        self._pending_bands: list[dict[int, list[int]]] = [{} for _ in range(self.bands)]
        self._pending_hashes: dict[int, list[int]] = {}

    # -- properties ----------------------------------------------------------------------

    @property
    def num_perm(self) -> int:
        return self.hasher.num_perm

    @property
    def shingle_size(self) -> int:
        return self.hasher.shingle_size

    def __len__(self) -> int:
        return len(self._ids)

    def normalize(self, text: str) -> str:
        return normalize_for_matching(text, self.boilerplate)

    def memory_bytes(self) -> int:
        """Bytes held in numpy arrays (signatures, band tables, hashes). Python-side ids and
        metadata come on top (about 40 bytes per integer id)."""
        arrays = [self._sigs, self._hashes, self._hash_sorted, self._hash_pos]
        arrays += self._band_sorted + self._band_pos
        return int(sum(a.nbytes for a in arrays))

    # -- writing -------------------------------------------------------------------------

    def _reserve(self, extra: int) -> None:
        need = len(self._ids) + extra
        if need > len(self._sigs):
            capacity = max(need, int(len(self._sigs) * 1.5) + 1024)
            sigs = np.zeros((capacity, self.num_perm), dtype=np.uint16)
            sigs[: len(self._ids)] = self._sigs[: len(self._ids)]
            hashes = np.full(capacity, -1, dtype=np.int64)
            hashes[: len(self._ids)] = self._hashes[: len(self._ids)]
            self._sigs, self._hashes = sigs, hashes

    def add(self, id: Hashable, text: str, meta: Any = None) -> None:
        """Index one ticket. Texts that normalise to nothing are kept but never match."""
        self.add_many([(id, text, meta)])

    def add_many(
        self,
        rows: Iterable[tuple[Hashable, str, Any]],
        *,
        batch_size: int = 20_000,
        progress: Any = None,
    ) -> int:
        """Index many tickets (vectorised). ``progress`` is an optional callable(n_done)."""
        first = len(self._ids)
        batch: list[tuple[Hashable, str, Any]] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= batch_size:
                self._append(batch)
                batch = []
                if progress:
                    progress(len(self._ids) - first)
        if batch:
            self._append(batch)
            if progress:
                progress(len(self._ids) - first)
        if len(self._ids) - self._merged >= self.merge_every:
            self.merge()
        else:
            self._index_pending(first, len(self._ids))
        return len(self._ids) - first

    def _append(self, batch: list[tuple[Hashable, str, Any]]) -> None:
        norms = [self.normalize(text) for _, text, _ in batch]
        first = len(self._ids)
        self._reserve(len(batch))
        self._sigs[first : first + len(batch)] = self.hasher.signatures(norms)
        self._hashes[first : first + len(batch)] = [text_hash(n) if n else -1 for n in norms]
        for id_, _, meta in batch:
            self._ids.append(id_)
            self._meta.append(meta)

    def _index_pending(self, start: int, stop: int) -> None:
        """Put positions [start, stop) into the dict buckets (small additions)."""
        positions = np.arange(start, stop)
        positions = positions[self._hashes[start:stop] >= 0]
        if not len(positions):
            return
        keys = _band_keys(self._sigs[positions], self.band_rows, self.bands)
        for row, pos in enumerate(positions.tolist()):
            self._pending_hashes.setdefault(int(self._hashes[pos]), []).append(pos)
            for band in range(self.bands):
                self._pending_bands[band].setdefault(int(keys[row, band]), []).append(pos)

    def merge(self) -> None:
        """Fold the pending buckets into the sorted arrays (done automatically)."""
        n = len(self._ids)
        if n == self._merged:
            return
        valid = np.flatnonzero(self._hashes[:n] >= 0).astype(np.uint32)
        # Band keys band-major, computed in chunks: the packing temporaries of a million
        # signatures at once would take a gigabyte.
        keys = np.empty((self.bands, len(valid)), dtype=np.uint32)
        for lo in range(0, len(valid), _MERGE_CHUNK):
            chunk = valid[lo : lo + _MERGE_CHUNK]
            keys[:, lo : lo + len(chunk)] = _band_keys(
                self._sigs[chunk], self.band_rows, self.bands
            ).T
        for band in range(self.bands):
            order = np.argsort(keys[band])
            self._band_sorted[band] = keys[band][order]
            self._band_pos[band] = valid[order]
        del keys
        hashes = self._hashes[valid]
        order = np.argsort(hashes, kind="stable")
        self._hash_sorted = hashes[order]
        self._hash_pos = valid[order]
        self._merged = n
        self._pending_bands = [{} for _ in range(self.bands)]
        self._pending_hashes = {}

    def compact(self) -> None:
        """Release the spare capacity kept for future additions."""
        n = len(self._ids)
        if len(self._sigs) > n:
            self._sigs = self._sigs[:n].copy()
            self._hashes = self._hashes[:n].copy()

    # -- reading -------------------------------------------------------------------------

    def _exact_positions(self, h: int) -> list[int]:
        lo = np.searchsorted(self._hash_sorted, h, side="left")
        hi = np.searchsorted(self._hash_sorted, h, side="right")
        found = self._hash_pos[lo:hi].tolist()
        return found + self._pending_hashes.get(h, [])

    def _candidate_positions(self, sig: np.ndarray) -> np.ndarray:
        keys = _band_keys(sig[None, :], self.band_rows, self.bands)[0]
        parts: list[np.ndarray] = []
        for band in range(self.bands):
            key = keys[band]
            table = self._band_sorted[band]
            if len(table):
                lo = np.searchsorted(table, key, side="left")
                hi = np.searchsorted(table, key, side="right")
                if hi > lo:
                    parts.append(self._band_pos[band][lo:hi])
            pending = self._pending_bands[band].get(int(key))
            if pending:
                parts.append(np.asarray(pending, dtype=np.uint32))
        if not parts:
            return np.zeros(0, dtype=np.uint32)
        return np.unique(np.concatenate(parts))

    def matches(
        self, text: str, threshold: float = DEFAULT_THRESHOLD, *, limit: int | None = None
    ) -> list[Match]:
        """Indexed tickets whose estimated Jaccard similarity to ``text`` is ≥ ``threshold``,
        best first; exact duplicates (same normalised text) first with score 1.0."""
        norm = self.normalize(text)
        if not norm or not self._ids:
            return []
        exact = self._exact_positions(text_hash(norm))
        sig = self.hasher.signature(norm)
        assert sig is not None
        cand = self._candidate_positions(sig)
        scores = (self._sigs[cand] == sig).mean(axis=1) if len(cand) else np.zeros(0)
        keep = scores >= threshold
        cand, scores = cand[keep], scores[keep]
        order = np.argsort(-scores, kind="stable")
        result: list[Match] = []
        seen: set[Hashable] = set()
        for pos in exact:
            if self._ids[pos] not in seen:
                seen.add(self._ids[pos])
                result.append(Match(self._ids[pos], 1.0, True, self._meta[pos]))
        for i in order:
            pos = int(cand[i])
            id_ = self._ids[pos]
            if id_ in seen:
                continue
            seen.add(id_)
            result.append(Match(id_, float(scores[i]), False, self._meta[pos]))
            if limit is not None and len(result) >= limit:
                break
        return result[:limit] if limit is not None else result

    def query(
        self, text: str, threshold: float = DEFAULT_THRESHOLD
    ) -> list[tuple[Hashable, float]]:
        """``[(id, jaccard_estimate)]`` at or above ``threshold``, best first."""
        return [(m.id, m.score) for m in self.matches(text, threshold)]

    def exact_duplicates(self, text: str) -> list[Hashable]:
        """Ids whose normalised text is identical to that of ``text``."""
        norm = self.normalize(text)
        if not norm:
            return []
        return list(dict.fromkeys(self._ids[p] for p in self._exact_positions(text_hash(norm))))

    def candidate_pairs(self, threshold: float = DEFAULT_THRESHOLD) -> list[tuple[int, int, float]]:
        """All pairs of positions (i < j) sharing a band with estimated Jaccard ≥ threshold
        (batch use: reports over a whole collection). Exact duplicates score 1.0."""
        self.merge()
        pairs: dict[tuple[int, int], float] = {}
        for band in range(self.bands):
            keys, pos = self._band_sorted[band], self._band_pos[band]
            if not len(keys):
                continue
            bounds = np.flatnonzero(np.diff(keys)) + 1
            for group in np.split(pos, bounds):
                if len(group) < 2:
                    continue
                group = np.sort(group)
                for a_i in range(len(group) - 1):
                    a = int(group[a_i])
                    rest = group[a_i + 1 :]
                    sims = (self._sigs[rest] == self._sigs[a]).mean(axis=1)
                    for b, s in zip(rest.tolist(), sims.tolist(), strict=True):
                        if (a, b) not in pairs:
                            exact = self._hashes[a] == self._hashes[b]
                            pairs[(a, b)] = 1.0 if exact else s
        return [(a, b, s) for (a, b), s in pairs.items() if s >= threshold]

    def id_at(self, position: int) -> Hashable:
        return self._ids[position]

    # -- persistence ---------------------------------------------------------------------

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the index to one ``.npz`` file (signatures, hashes, ids, meta, parameters).
        Band tables are not stored: :meth:`load` rebuilds them (a few seconds per million)."""
        path = Path(path)
        n = len(self._ids)
        header = {
            "format": FORMAT_VERSION,
            "num_perm": self.num_perm,
            "band_rows": self.band_rows,
            "shingle_size": self.shingle_size,
            "seed": self.hasher.seed,
            "boilerplate": None if self.boilerplate is None else self.boilerplate.pattern,
        }
        try:
            ids_json = json.dumps(self._ids, ensure_ascii=False)
            meta_json = json.dumps(self._meta, ensure_ascii=False)
        except TypeError as exc:
            raise ValueError("ids must be int/str and meta JSON-serialisable to save") from exc
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                np.savez(
                    fh,
                    header=np.frombuffer(json.dumps(header).encode(), dtype=np.uint8),
                    signatures=self._sigs[:n],
                    hashes=self._hashes[:n],
                    ids=np.frombuffer(ids_json.encode(), dtype=np.uint8),
                    meta=np.frombuffer(meta_json.encode(), dtype=np.uint8),
                )
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        return path

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> DuplicateIndex:
        with np.load(Path(path), allow_pickle=False) as data:
            header = json.loads(data["header"].tobytes().decode())
            if header.get("format") != FORMAT_VERSION:
                raise ValueError(f"unsupported duplicate index format: {header.get('format')}")
            pattern = header["boilerplate"]
            index = cls(
                num_perm=header["num_perm"],
                band_rows=header["band_rows"],
                shingle_size=header["shingle_size"],
                seed=header["seed"],
                boilerplate=None if pattern is None else re.compile(pattern),
            )
            index._sigs = np.array(data["signatures"], dtype=np.uint16)
            index._hashes = np.array(data["hashes"], dtype=np.int64)
            index._ids = json.loads(data["ids"].tobytes().decode())
            index._meta = json.loads(data["meta"].tobytes().decode())
        if not (len(index._ids) == len(index._meta) == len(index._sigs) == len(index._hashes)):
            raise ValueError("corrupt duplicate index: array lengths differ")
        index.merge()
        return index

    @classmethod
    def build(cls, rows: Iterable[tuple[Hashable, str, Any]], **kwargs: Any) -> DuplicateIndex:
        """A new index over ``rows`` of (id, text, meta) — e.g. streamed from the database."""
        index = cls(**kwargs)
        index.add_many(rows)
        index.merge()
        index.compact()
        return index


# -- repeat appeals ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TicketText:
    """What :func:`is_repeat` needs to know about a ticket."""

    id: Hashable
    text: str
    phone: str = ""
    county: str = ""


@dataclass(frozen=True)
class RepeatMatch:
    id: Hashable
    similarity: float
    exact: bool


_PHONE_JUNK = re.compile(r"\D+")


def normalize_phone(phone: str) -> str:
    """Digits only, without a leading +86/0086/86 country code on mobile numbers."""
    digits = _PHONE_JUNK.sub("", phone or "")
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) - len(prefix) == 11:
            return digits[len(prefix) :]
    return digits


def similarity(
    a: str,
    b: str,
    *,
    shingle_size: int = 2,
    boilerplate: re.Pattern[str] | None = DEFAULT_BOILERPLATE_RE,
) -> float:
    """Exact Jaccard similarity of the character ``shingle_size``-gram sets of the two
    normalised texts; 1.0 when the normalised texts are identical, 0.0 when either is empty."""
    na, nb = normalize_for_matching(a, boilerplate), normalize_for_matching(b, boilerplate)
    if not na or not nb:
        return 0.0
    if na == nb:
        return 1.0
    return jaccard(shingle_set(na, shingle_size), shingle_set(nb, shingle_size))


def is_repeat(
    candidate: TicketText,
    history: Iterable[TicketText],
    *,
    same_phone: bool,
    same_county: bool,
    threshold: float,
    shingle_size: int = 2,
    boilerplate: re.Pattern[str] | None = DEFAULT_BOILERPLATE_RE,
) -> RepeatMatch | None:
    """Is ``candidate`` a repeat appeal of one of the earlier tickets in ``history``?

    RULES §9: the same citizen about the same matter (same place, same substance). Semantics:

    * ``history`` is what the caller already selected: earlier tickets in the policy window
      (``art9_repeat_window_days``), typically the same caller's. It is read once, in order; a
      ticket with the candidate's own id is skipped.
    * ``same_phone=True``: only tickets whose phone equals the candidate's (digits only, a
      +86 prefix ignored) count; if either phone is empty, nothing matches.
    * ``same_county=True``: likewise for the county (place) code.
    * substance: :func:`similarity` of the texts (character ``shingle_size``-grams of the
      normalised text, boilerplate like 市民来电反映 removed; identical normalised texts → 1.0)
      must be ≥ ``threshold`` — a policy value (``art9_repeat_similarity``), not a literal.
    * Returns the most similar qualifying ticket (the earliest in ``history`` order on ties),
      or ``None``. A candidate whose text normalises to nothing is never a repeat.
    """
    cand_norm = normalize_for_matching(candidate.text, boilerplate)
    if not cand_norm:
        return None
    cand_phone = normalize_phone(candidate.phone) if same_phone else ""
    if same_phone and not cand_phone:
        return None
    if same_county and not candidate.county:
        return None
    cand_set = shingle_set(cand_norm, shingle_size)
    best: RepeatMatch | None = None
    for earlier in history:
        if earlier.id == candidate.id:
            continue
        if same_phone and normalize_phone(earlier.phone) != cand_phone:
            continue
        if same_county and earlier.county != candidate.county:
            continue
        norm = normalize_for_matching(earlier.text, boilerplate)
        if not norm:
            continue
        exact = norm == cand_norm
        score = 1.0 if exact else jaccard(cand_set, shingle_set(norm, shingle_size))
        if score >= threshold and (best is None or score > best.similarity):
            best = RepeatMatch(earlier.id, score, exact)
    return best


def repeat_match(
    content: str, candidates: Sequence[tuple[int, str]], *, threshold: float
) -> int | None:
    """The ``repeat_match`` provider of ``tickets.hooks`` (Art 11(7), Art 29(5)): the pk of the
    candidate ``(pk, content)`` that is the same matter as ``content``, or ``None``. The caller
    already selected the candidates (same caller, same county, within the window), so only
    the substance is compared (:func:`is_repeat`)."""
    match = is_repeat(
        TicketText(None, content),
        (TicketText(pk, text) for pk, text in candidates),
        same_phone=False,
        same_county=False,
        threshold=threshold,
    )
    return None if match is None else cast(int, match.id)  # the ids given were pks
