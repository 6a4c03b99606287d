"""Category classifier for ticket texts: TF-IDF over words and character n-grams + linear SVM.

No Django here. Features (chosen by 5-fold cross-validation on the public tipdm2020c set, see
docs/routing.md):

* words: jieba segmentation of typed text, or the existing segmentation of pre-segmented text
  (:func:`hotline.routing.text.word_tokens`), unigrams, sublinear tf, idf, l2;
* characters: 1–3-grams of the text without spaces and punctuation, seen in at least two
  training texts, sublinear tf, idf, l2;
* the head of the text again: character 1–3-grams of its first 20 characters (the same
  settings), the block scaled by 0.7 — a ticket (or a message's title) usually names the
  matter first, while the rest mentions many things in passing.

The blocks are stacked and a one-vs-rest linear SVM (liblinear) is trained. Confidences
are a softmax over the decision values with a fixed temperature (chosen for the lowest
cross-validated log-loss), so the three confidences served always sum to at most 1.

Prediction of a single text does not go through scikit-learn's vectorizers (whose per-call
overhead is several times the work): :meth:`CategoryClassifier.predict_top` looks the n-grams up
in the fitted vocabularies and multiplies only the used columns of the weight matrix. A test
checks that both paths give the same scores.

Model files (:meth:`CategoryClassifier.save`) are a one-line header, a one-line JSON metadata
record and a pickle of the fitted state. The metadata carries the SHA-256 of the pickle and,
when a signing key is given, an HMAC of it: :meth:`CategoryClassifier.load` refuses a file whose
checksum or signature does not match *before* unpickling anything.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import math
import os
import pickle
import re
import tempfile
import time
import unicodedata
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from itertools import chain, repeat
from pathlib import Path
from typing import Any

import numpy as np

from hotline.routing.text import char_text, fold, word_tokens

MAGIC = b"HOTLINE-CATEGORY-MODEL 1\n"
_MAX_HEADER = 1 << 20  # the metadata line; a bigger one is not ours


class ModelError(Exception):
    """A model file cannot be used (missing, damaged, tampered, incompatible)."""


class TrainingDataError(ValueError):
    """Training input is unusable (empty, one class, …). The message is one readable line."""


@dataclass(frozen=True)
class ClassifierParams:
    word_ngrams: tuple[int, int] = (1, 1)
    char_ngrams: tuple[int, int] = (1, 3)
    char_min_df: int = 2
    C: float = 1.0  # the SVM's regularisation parameter, under its usual name
    temperature: float = 0.25
    max_iter: int = 2000
    # Only the first 600 non-space characters are read: bounds the cost per ticket; in
    # cross-validation 600 / 1000 / unlimited score the same (0.9246 / 0.9247 / 0.9253).
    max_chars: int | None = 600
    # Head blocks: the first ``head_words`` words / ``head_chars`` characters as more TF-IDF
    # blocks (the same settings as the full-text blocks), each scaled by ``head_weight``; 0
    # switches a block off. Cross-validated: characters 20 at 0.7 gives 0.9309 macro-F1
    # (words 10 + characters 20 at 0.5: 0.9297; none: 0.9246). Model files written before
    # these existed load with both off.
    head_words: int = 0
    head_chars: int = 20
    head_weight: float = 0.7


@dataclass
class ModelInfo:
    """The metadata record stored at the top of a model file."""

    version: str = ""
    trained_at: str = ""
    classes: list[str] = field(default_factory=list)
    n_samples: int = 0
    metrics: dict[str, Any] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    source: str = ""
    training_seconds: float = 0.0
    sklearn: str = ""
    sha256: str = ""
    hmac: str = ""

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModelInfo:
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})


def clip(text: str, max_chars: int | None) -> str:
    """The start of ``text`` holding its first ``max_chars`` non-space characters."""
    if max_chars is None or len(text) <= max_chars:
        return text
    match = re.match(r"(?:\s*\S){%d}" % max_chars, text)  # noqa: UP031 — a regex quantifier
    return text[: match.end()] if match else text


def _prepare(text: str, max_chars: int | None = None) -> tuple[str, str]:
    """(space-joined words, character text) — what the two vectorizers see."""
    text = fold(clip(text, max_chars))
    return " ".join(word_tokens(text, folded=True)), char_text(text, folded=True)


def _split_tokens(doc: str) -> list[str]:
    return doc.split()


@dataclass(frozen=True)
class _Block:
    """One feature block: ``kind`` "word" or "char", read from the first ``limit`` units of
    the text (``None``: all of it), its l2-normalised TF-IDF vector scaled by ``weight``."""

    kind: str
    limit: int | None = None
    weight: float = 1.0


def _blocks(p: ClassifierParams) -> list[_Block]:
    blocks = [_Block("word"), _Block("char")]
    if p.head_words:
        blocks.append(_Block("word", p.head_words, p.head_weight))
    if p.head_chars:
        blocks.append(_Block("char", p.head_chars, p.head_weight))
    return blocks


def _views(words: str, chars: str, blocks: Sequence[_Block]) -> list[str]:
    """What each block's vectorizer reads, from :func:`_prepare`'s (words, characters)."""
    views = []
    for block in blocks:
        if block.kind == "word":
            views.append(words if block.limit is None else " ".join(words.split()[: block.limit]))
        else:
            views.append(chars if block.limit is None else chars[: block.limit])
    return views


def _ngrams(units: Sequence[str], sizes: tuple[int, int], sep: str) -> Iterable[str]:
    """All n-grams for n in ``sizes`` (inclusive), in the order scikit-learn builds them.
    Built with ``map``/``zip`` so that the per-n-gram work stays in C."""
    lo, hi = sizes
    parts: list[Iterable[str]] = []
    for n in range(lo, hi + 1):
        if n == 1:
            parts.append(units)
        elif len(units) >= n:
            parts.append(map(sep.join, zip(*(units[i:] for i in range(n)), strict=False)))
    return chain.from_iterable(parts)


def _sklearn_version() -> str:
    import sklearn

    return sklearn.__version__


class _CharNgramKeys:
    """Vocabulary lookup of character n-grams with numpy instead of one dict lookup per n-gram.

    Every character of a vocabulary n-gram is itself a vocabulary unigram (document frequency
    can only fall as n-grams grow, and only ``min_df`` filters), so characters get small codes
    1…U (0 = not in the vocabulary) and an n-gram the integer ``Σ code_i · B^(n-1-i)`` with
    ``B = U + 1`` — distinct for every n-gram and every length. A text's n-gram keys are then
    computed with array arithmetic and found by binary search in the sorted vocabulary keys.
    """

    def __init__(self, vocabulary: dict[str, int], ngram_range: tuple[int, int]) -> None:
        self.lo, self.hi = ngram_range
        unigrams = sorted(g for g in vocabulary if len(g) == 1)
        self.codes = {ch: i + 1 for i, ch in enumerate(unigrams)}
        self.base = len(unigrams) + 1
        self.dict_fallback: dict[str, int] | None = None
        keys = np.empty(len(vocabulary), dtype=np.int64)
        ids = np.empty(len(vocabulary), dtype=np.intp)
        try:
            if self.lo != 1 or not vocabulary or self.base**self.hi >= 2**62:
                raise KeyError("layout")
            for row, (gram, index) in enumerate(vocabulary.items()):
                key = 0
                for ch in gram:
                    key = key * self.base + self.codes[ch]
                keys[row] = key
                ids[row] = index
        except KeyError:
            # Not the layout above (other n-gram range, pruned unigrams): plain dict lookups.
            self.dict_fallback = vocabulary
            return
        order = np.argsort(keys)
        self.keys, self.ids_by_key = keys[order], ids[order]

    def ids(self, chars: str) -> np.ndarray:
        if self.dict_fallback is not None:
            grams = _ngrams(chars, (self.lo, self.hi), "")
            found = np.fromiter(map(self.dict_fallback.get, grams, repeat(-1)), dtype=np.intp)
            return found[found >= 0]
        codes = np.fromiter(map(self.codes.get, chars, repeat(0)), dtype=np.int64, count=len(chars))
        parts = []
        for n in range(self.lo, self.hi + 1):
            m = len(codes) - n + 1
            if m <= 0:
                break
            key = codes[:m].copy()
            known = codes[:m] > 0
            for j in range(1, n):
                key = key * self.base + codes[j : j + m]
                known &= codes[j : j + m] > 0
            parts.append(key[known])
        if not parts:
            return np.zeros(0, dtype=np.intp)
        wanted = np.concatenate(parts)
        pos = np.minimum(np.searchsorted(self.keys, wanted), len(self.keys) - 1)
        hit = self.keys[pos] == wanted
        return self.ids_by_key[pos[hit]]


class CategoryClassifier:
    """``fit(texts, labels)`` → ``predict_top(text, k=3)`` → ``[(label, confidence)]``."""

    def __init__(self, params: ClassifierParams | None = None) -> None:
        self.params = params or ClassifierParams()
        self.info = ModelInfo()
        # One fitted TfidfVectorizer per block of _blocks(self.params), in that order.
        self._vecs: list[Any] = []
        self._svm: Any = None
        self._fast: dict[str, Any] | None = None

    # -- training ------------------------------------------------------------------------

    @property
    def classes(self) -> list[str]:
        return list(self.info.classes)

    @property
    def is_fitted(self) -> bool:
        return self._svm is not None

    def _vectorizer(self, kind: str, min_df: int) -> Any:
        from sklearn.feature_extraction.text import TfidfVectorizer

        if kind == "word":
            return TfidfVectorizer(
                analyzer="word",
                tokenizer=_split_tokens,
                token_pattern=None,
                lowercase=False,
                ngram_range=self.params.word_ngrams,
                sublinear_tf=True,
                dtype=np.float32,
            )
        return TfidfVectorizer(
            analyzer="char",
            lowercase=False,
            ngram_range=self.params.char_ngrams,
            min_df=min_df,
            sublinear_tf=True,
            dtype=np.float32,
        )

    def fit(
        self,
        texts: Sequence[str],
        labels: Sequence[str],
        *,
        progress: bool = False,
        source: str = "",
    ) -> CategoryClassifier:
        """Train on ``texts`` with ``labels``. ``progress`` draws a tqdm bar on stderr."""
        from scipy.sparse import hstack
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.svm import LinearSVC
        from tqdm import tqdm

        texts, labels = list(texts), [str(label) for label in labels]
        check_training_data(texts, labels)
        started = time.perf_counter()
        p = self.params
        blocks = _blocks(p)
        bar = tqdm(
            total=len(texts) + len(blocks) + 1,
            desc="training",
            unit="step",
            disable=not progress,
            leave=False,
            dynamic_ncols=True,
        )
        docs: list[list[str]] = [[] for _ in blocks]
        for text in texts:
            for column, view in zip(
                docs, _views(*_prepare(text, p.max_chars), blocks), strict=True
            ):
                column.append(view)
            bar.update(1)
        bar.set_description("vectorising")
        min_df = p.char_min_df if len(texts) >= 10 * p.char_min_df else 1
        self._vecs, matrices = [], []
        for block, column in zip(blocks, docs, strict=True):
            vectorizer = self._vectorizer(block.kind, min_df)
            try:
                matrix = vectorizer.fit_transform(column)
            except ValueError:
                if block.limit is None or min_df == 1:
                    raise
                # No head n-gram in two texts (a tiny or odd training set): keep them all.
                vectorizer = self._vectorizer(block.kind, 1)
                matrix = vectorizer.fit_transform(column)
            if block.weight != 1.0:
                matrix = matrix * np.float32(block.weight)
            # The n-grams cut by min_df, kept for introspection only: most of a pickle's size.
            if hasattr(vectorizer, "stop_words_"):
                del vectorizer.stop_words_
            self._vecs.append(vectorizer)
            matrices.append(matrix)
            bar.update(1)
        bar.set_description("fitting")
        features = hstack(matrices, format="csr")
        self._svm = LinearSVC(C=p.C, max_iter=p.max_iter)
        with warnings.catch_warnings():
            # On odd inputs liblinear may stop at max_iter; the model is still usable and a
            # two-line warning on stderr would only break the commands' one-line contract.
            warnings.simplefilter("ignore", ConvergenceWarning)
            # "The number of unique classes is greater than 50% of the number of samples":
            # true of a first model on a handful of tickets, which is still worth having.
            warnings.filterwarnings("ignore", "The number of unique classes", UserWarning)
            self._svm.fit(features, labels)
        bar.update(1)
        bar.close()
        self._fast = None
        self.info = ModelInfo(
            classes=[str(c) for c in self._svm.classes_],
            n_samples=len(texts),
            trained_at=datetime.now(UTC).isoformat(timespec="seconds"),
            params=_params_dict(p),
            source=source,
            training_seconds=round(time.perf_counter() - started, 2),
            sklearn=_sklearn_version(),
        )
        return self

    # -- prediction ----------------------------------------------------------------------

    def _require_fitted(self) -> None:
        if not self.is_fitted:
            raise ModelError("the classifier is not trained")

    def decision_function(self, texts: Sequence[str]) -> np.ndarray:
        """Raw SVM scores, shape (n, classes), through scikit-learn (batch path)."""
        from scipy.sparse import hstack

        self._require_fitted()
        blocks = _blocks(self.params)
        views = [_views(*_prepare(t, self.params.max_chars), blocks) for t in texts]
        matrices = []
        for j, (block, vectorizer) in enumerate(zip(blocks, self._vecs, strict=True)):
            matrix = vectorizer.transform([v[j] for v in views])
            if block.weight != 1.0:
                matrix = matrix * np.float32(block.weight)
            matrices.append(matrix)
        scores = self._svm.decision_function(hstack(matrices, format="csr"))
        if scores.ndim == 1:  # two classes: liblinear returns one column
            scores = np.column_stack([-scores, scores])
        return scores

    def predict(self, texts: Sequence[str]) -> list[str]:
        scores = self.decision_function(texts)
        classes = self.classes
        return [classes[i] for i in scores.argmax(axis=1)]

    def _fast_tables(self) -> dict[str, Any]:
        if self._fast is None:
            coef = np.asarray(self._svm.coef_, dtype=np.float64)
            intercept = np.asarray(self._svm.intercept_, dtype=np.float64)
            if coef.shape[0] == 1:  # two classes
                coef = np.vstack([-coef, coef])
                intercept = np.array([-intercept[0], intercept[0]])
            tables = []
            start = 0
            for block, vectorizer in zip(_blocks(self.params), self._vecs, strict=True):
                vocabulary = vectorizer.vocabulary_
                end = start + len(vocabulary)
                table = {
                    "block": block,
                    "idf": vectorizer.idf_.astype(np.float64),
                    # Column-major so that picking the used feature columns is contiguous;
                    # the block's weight is folded in (it scales the whole block vector).
                    "coef_t": np.ascontiguousarray(coef[:, start:end].T * block.weight),
                    "ngrams": vectorizer.ngram_range,
                }
                if block.kind == "word":
                    table["vocab"] = vocabulary
                else:
                    table["keys"] = _CharNgramKeys(vocabulary, vectorizer.ngram_range)
                tables.append(table)
                start = end
            self._fast = {"blocks": tables, "intercept": intercept}
        return self._fast

    @staticmethod
    def _block_scores(ids: np.ndarray, idf: np.ndarray, coef_t: np.ndarray) -> np.ndarray:
        # ``ids``: vocabulary ids of the text's n-grams, unknown ones already dropped. tf-idf as
        # scikit-learn computes it — (1 + log tf) · idf, l2-normalised — then only the used
        # rows of the weight matrix.
        if not len(ids):
            return np.zeros(coef_t.shape[1])
        cols, counts = np.unique(ids, return_counts=True)
        weights = (np.log(counts) + 1.0) * idf[cols]
        weights /= math.sqrt(float(weights @ weights))
        return weights @ coef_t[cols]

    def scores_one(self, text: str) -> np.ndarray:
        """SVM scores of one text without scikit-learn's per-call overhead (same numbers)."""
        self._require_fitted()
        t = self._fast_tables()
        words, chars = _prepare(text, self.params.max_chars)
        word_list = words.split()
        scores = t["intercept"].copy()
        for table in t["blocks"]:
            block = table["block"]
            if block.kind == "word":
                units = word_list if block.limit is None else word_list[: block.limit]
                grams = _ngrams(units, table["ngrams"], " ")
                ids = np.fromiter(map(table["vocab"].get, grams, repeat(-1)), dtype=np.intp)
                ids = ids[ids >= 0]
            else:
                ids = table["keys"].ids(chars if block.limit is None else chars[: block.limit])
            scores += self._block_scores(ids, table["idf"], table["coef_t"])
        return scores

    def confidences(self, scores: np.ndarray) -> np.ndarray:
        z = scores / self.params.temperature
        z = np.exp(z - z.max(axis=-1, keepdims=True))
        return z / z.sum(axis=-1, keepdims=True)

    def predict_top(self, text: str, k: int = 3) -> list[tuple[str, float]]:
        """The ``k`` most likely categories with confidences (softmax; best first)."""
        probs = self.confidences(self.scores_one(text))
        order = np.argsort(-probs, kind="stable")[: max(k, 0)]
        classes = self.info.classes
        return [(classes[i], float(probs[i])) for i in order]

    # -- persistence ---------------------------------------------------------------------

    def save(self, path: str | os.PathLike[str], *, signing_key: bytes | None = None) -> Path:
        """Write the model (atomically) with its metadata; see the module docstring."""
        self._require_fitted()
        path = Path(path)
        state = {"params": self.params, "vectorizers": self._vecs, "svm": self._svm}
        payload = pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)
        info = ModelInfo(**asdict(self.info))
        info.version = path.stem  # the file name is the version: category-v0003
        info.sha256 = hashlib.sha256(payload).hexdigest()
        info.hmac = _sign(payload, signing_key) if signing_key else ""
        header = json.dumps(asdict(info), ensure_ascii=False, sort_keys=True).encode("utf-8")
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(MAGIC)
                fh.write(header + b"\n")
                fh.write(payload)
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        self.info = info
        return path

    @classmethod
    def load(
        cls, path: str | os.PathLike[str], *, signing_key: bytes | None = None
    ) -> CategoryClassifier:
        """Read a model written by :meth:`save`; refuses damaged, tampered or foreign files."""
        info, payload = read_model_file(path)
        if hashlib.sha256(payload).hexdigest() != info.sha256:
            raise ModelError(f"{path}: checksum mismatch, the model file is damaged or modified")
        if signing_key is not None and not (
            info.hmac and hmac.compare_digest(info.hmac, _sign(payload, signing_key))
        ):
            raise ModelError(
                f"{path}: signature mismatch (modified file, or trained under another "
                "SECRET_KEY): retrain with `hotline routing train`"
            )
        installed = _sklearn_version()
        if info.sklearn.split(".")[:2] != installed.split(".")[:2]:
            raise ModelError(
                f"{path}: trained with scikit-learn {info.sklearn}, installed {installed}: "
                "retrain with `hotline routing train`"
            )
        state = pickle.loads(payload)  # noqa: S301 — our own file, checksum (and HMAC) verified
        params = state["params"]
        if "vectorizers" in state:
            vectorizers = state["vectorizers"]
        else:  # written before the head blocks existed: words and characters only
            vectorizers = [state["word_vec"], state["char_vec"]]
            params = replace(params, head_words=0, head_chars=0)
        clf = cls(params)
        clf._vecs, clf._svm = list(vectorizers), state["svm"]
        clf.info = info
        clf._fast_tables()  # build the serving tables now, not on the first request
        return clf


def read_model_file(path: str | os.PathLike[str]) -> tuple[ModelInfo, bytes]:
    """(metadata, payload bytes) of a model file, without unpickling anything."""
    try:
        with open(path, "rb") as fh:
            if fh.read(len(MAGIC)) != MAGIC:
                raise ModelError(f"{path}: not a hotline category model file")
            header = fh.readline(_MAX_HEADER)
            payload = fh.read()
    except FileNotFoundError as exc:
        raise ModelError(f"{path}: no such model file") from exc
    except IsADirectoryError as exc:
        raise ModelError(f"{path}: is a directory") from exc
    try:
        info = ModelInfo.from_dict(json.loads(header.decode("utf-8")))
    except (UnicodeDecodeError, json.JSONDecodeError, TypeError) as exc:
        raise ModelError(f"{path}: damaged model metadata") from exc
    return info, payload


def _sign(payload: bytes, key: bytes) -> str:
    return hmac.new(key, payload, hashlib.sha256).hexdigest()


def _params_dict(params: ClassifierParams) -> dict[str, Any]:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(params).items()}


def check_training_data(texts: Sequence[str], labels: Sequence[str]) -> None:
    """Raise :class:`TrainingDataError` with one readable line when training cannot work."""
    if len(texts) != len(labels):
        raise TrainingDataError("texts and labels differ in length")
    if not texts:
        raise TrainingDataError("no training examples")
    classes = set(labels)
    if len(classes) < 2:
        only = next(iter(classes))
        raise TrainingDataError(f"only one category in the training data ({only}): need two+")
    if not any(char_text(t) for t in texts):
        raise TrainingDataError("the training texts are all empty")


def evaluate(
    clf: CategoryClassifier, texts: Sequence[str], labels: Sequence[str]
) -> dict[str, Any]:
    """``{macro_f1, accuracy, per_class: {label: {precision, recall, f1, support}}, n}``.

    Macro-F1 averages over every label seen in ``labels`` or predicted (scikit-learn's
    convention), so a class the model never predicts counts as F1 0.
    """
    from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support

    if not texts:
        raise TrainingDataError("no evaluation examples")
    truth = [str(label) for label in labels]
    predicted = clf.predict(texts)
    names = sorted(set(truth) | set(predicted))
    precision, recall, f1, support = precision_recall_fscore_support(
        truth, predicted, labels=names, zero_division=0
    )
    per_class = {
        name: {
            "precision": float(precision[i]),
            "recall": float(recall[i]),
            "f1": float(f1[i]),
            "support": int(support[i]),
        }
        for i, name in enumerate(names)
    }
    return {
        "macro_f1": float(f1_score(truth, predicted, labels=names, average="macro")),
        "accuracy": float(accuracy_score(truth, predicted)),
        "per_class": per_class,
        "n": len(truth),
    }


def stratified_split(
    labels: Sequence[str], test_share: float = 0.2, seed: int = 12345
) -> tuple[list[int], list[int]]:
    """Indices (train, test): ``test_share`` of every class to test, at least one example of
    each class kept for training (a class with one example is train-only)."""
    rng = np.random.default_rng(seed)
    by_class: dict[str, list[int]] = {}
    for i, label in enumerate(labels):
        by_class.setdefault(label, []).append(i)
    train: list[int] = []
    test: list[int] = []
    for label in sorted(by_class):
        members = np.array(by_class[label])
        rng.shuffle(members)
        n_test = min(round(len(members) * test_share), len(members) - 1)
        test.extend(members[:n_test].tolist())
        train.extend(members[n_test:].tolist())
    return sorted(train), sorted(test)


def _pad(text: str, width: int) -> str:
    """Left-justify for a terminal, where CJK characters take two columns."""
    used = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(width - used, 0)


def format_report(metrics: dict[str, Any]) -> str:
    """Human-readable evaluation report (per-class lines, then the summary line)."""
    out = io.StringIO()
    out.write(f"{_pad('category', 24)} {'precision':>9} {'recall':>7} {'f1':>7} {'n':>6}\n")
    for name, m in sorted(metrics["per_class"].items()):
        out.write(
            f"{_pad(name, 24)} {m['precision']:>9.4f} {m['recall']:>7.4f} {m['f1']:>7.4f} "
            f"{m['support']:>6}\n"
        )
    out.write(summary_line(metrics))
    return out.getvalue()


def summary_line(metrics: dict[str, Any]) -> str:
    return f"macro_f1={metrics['macro_f1']:.4f} accuracy={metrics['accuracy']:.4f}"
