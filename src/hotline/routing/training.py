"""Where training data comes from and where trained models go. No Django imports at module
level: the management command passes ``DATA_DIR`` and the signing key in.

Model files live in ``<DATA_DIR>/models/`` as ``category-v0001.model``, ``category-v0002.model``…
The highest version is the current one; older files stay for rollback (delete the newer file).
"""

from __future__ import annotations

import csv
import dataclasses
import os
import re
import sys
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from hotline.routing.classifier import (
    CategoryClassifier,
    ModelError,
    TrainingDataError,
    evaluate,
    stratified_split,
)

MODEL_PREFIX = "category-v"
MODEL_SUFFIX = ".model"
_VERSION_RE = re.compile(rf"^{re.escape(MODEL_PREFIX)}(\d+){re.escape(MODEL_SUFFIX)}$")


# -- training data ----------------------------------------------------------------------------


def read_labelled_csv(path: str | os.PathLike[str]) -> tuple[list[str], list[str]]:
    """``(texts, labels)`` from a UTF-8 CSV (a BOM is fine) with ``text`` and ``label`` columns.

    Rows whose text or label is blank are skipped. Raises :class:`TrainingDataError` with one
    readable line for a missing file, a non-UTF-8 file, missing columns or no usable rows.
    """
    path = Path(path)
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh)
            header = next(reader, None)
            if header is None:
                raise TrainingDataError(f"{path}: the file is empty")
            columns = [h.strip().lstrip("\ufeff").lower() for h in header]
            missing = [c for c in ("text", "label") if c not in columns]
            if missing:
                found = ", ".join(h.strip() for h in header) or "none"
                raise TrainingDataError(
                    f"{path}: needs columns 'text' and 'label' (missing {', '.join(missing)}; "
                    f"found: {found})"
                )
            ti, li = columns.index("text"), columns.index("label")
            texts: list[str] = []
            labels: list[str] = []
            for row in reader:
                if len(row) <= max(ti, li):
                    continue
                text, label = row[ti].strip(), row[li].strip()
                if text and label:
                    texts.append(text)
                    labels.append(label)
    except FileNotFoundError as exc:
        raise TrainingDataError(f"{path}: no such file") from exc
    except IsADirectoryError as exc:
        raise TrainingDataError(f"{path}: is a directory, not a CSV file") from exc
    except UnicodeDecodeError as exc:
        raise TrainingDataError(f"{path}: not UTF-8 text") from exc
    except csv.Error as exc:
        raise TrainingDataError(f"{path}: not a valid CSV file ({exc})") from exc
    if not texts:
        raise TrainingDataError(f"{path}: no rows with both a text and a label")
    return texts, labels


def training_rows_from_tickets() -> Iterator[tuple[str, str]]:
    """(text, category code) of the platform's closed tickets — the default training source.

    The ticket context owns the query (``hotline.tickets.selectors.closed_ticket_texts``); it is
    imported here, not at the top, so that training from a CSV never loads the ticket models.
    """
    from hotline.tickets.selectors import closed_ticket_texts

    for text, code in closed_ticket_texts():
        if text and code and str(text).strip():
            yield str(text), str(code)


def split_rows(rows: Iterable[tuple[str, str]]) -> tuple[list[str], list[str]]:
    texts: list[str] = []
    labels: list[str] = []
    for text, label in rows:
        texts.append(text)
        labels.append(label)
    return texts, labels


# -- model store ------------------------------------------------------------------------------


def models_dir(data_dir: str | os.PathLike[str]) -> Path:
    return Path(data_dir) / "models"


def model_versions(directory: str | os.PathLike[str]) -> list[tuple[int, Path]]:
    """(number, path) of the stored model files, oldest first."""
    directory = Path(directory)
    if not directory.is_dir():
        return []
    found = []
    for entry in directory.iterdir():
        match = _VERSION_RE.match(entry.name)
        if match and entry.is_file():
            found.append((int(match.group(1)), entry))
    return sorted(found)


def current_model_path(directory: str | os.PathLike[str]) -> Path | None:
    versions = model_versions(directory)
    return versions[-1][1] if versions else None


def load_current(
    directory: str | os.PathLike[str], *, signing_key: bytes | None = None
) -> CategoryClassifier:
    path = current_model_path(directory)
    if path is None:
        raise ModelError("no category model yet: run `hotline routing train`")
    return CategoryClassifier.load(path, signing_key=signing_key)


_serving: dict[Path, tuple[Path, CategoryClassifier]] = {}
_serving_lock = threading.Lock()


def current_classifier(
    directory: str | os.PathLike[str], *, signing_key: bytes | None = None
) -> CategoryClassifier:
    """The current model for serving (intake suggestions): loaded once per process and
    reloaded when a newer version appears in ``directory``. Raises :class:`ModelError` when
    there is none yet — callers show no suggestion then."""
    directory = Path(directory)
    path = current_model_path(directory)
    if path is None:
        raise ModelError("no category model yet: run `hotline routing train`")
    with _serving_lock:
        cached = _serving.get(directory)
        if cached is None or cached[0] != path:
            _serving[directory] = (path, CategoryClassifier.load(path, signing_key=signing_key))
        return _serving[directory][1]


def next_model_path(directory: str | os.PathLike[str]) -> Path:
    versions = model_versions(directory)
    number = versions[-1][0] + 1 if versions else 1
    return Path(directory) / f"{MODEL_PREFIX}{number:04d}{MODEL_SUFFIX}"


# -- the two workflows ------------------------------------------------------------------------


def train_and_evaluate(
    train_texts: list[str],
    train_labels: list[str],
    test_texts: list[str],
    test_labels: list[str],
    *,
    progress: bool = False,
) -> tuple[CategoryClassifier, dict[str, Any]]:
    """Fit on the first set, score on the second (``hotline routing evaluate``)."""
    clf = CategoryClassifier().fit(train_texts, train_labels, progress=progress)
    return clf, evaluate(clf, test_texts, test_labels)


TEMPERATURES = (0.02, 0.03, 0.05, 0.07, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.7, 1.0, 1.5, 2.0)


def calibrate_temperature(clf: CategoryClassifier, texts: list[str], labels: list[str]) -> float:
    """The softmax temperature with the lowest log-loss on held-out texts (temperature
    scaling, Guo et al. 2017): argmax and so every metric stay the same; only the served
    confidences become honest. The default is kept when no held-out label is known."""
    import numpy as np

    index = {c: i for i, c in enumerate(clf.info.classes)}
    rows = [(t, index[label]) for t, label in zip(texts, labels, strict=True) if label in index]
    if not rows:
        return clf.params.temperature
    scores = clf.decision_function([t for t, _ in rows])
    truth = np.array([i for _, i in rows])

    def log_loss(temperature: float) -> float:
        z = scores / temperature
        z = z - z.max(axis=1, keepdims=True)
        log_probs = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        return float(-log_probs[np.arange(len(truth)), truth].mean())

    return min(TEMPERATURES, key=log_loss)


def train_new_version(
    texts: list[str],
    labels: list[str],
    *,
    directory: str | os.PathLike[str],
    source: str,
    signing_key: bytes | None = None,
    holdout: float = 0.2,
    progress: bool = False,
) -> tuple[CategoryClassifier, Path, dict[str, Any]]:
    """``hotline routing train``: score a model trained on 80% against the other 20%
    (stratified, fixed seed), then train on everything and store it as the next version with
    the hold-out metrics in its metadata."""
    train_idx, test_idx = stratified_split(labels, holdout)
    metrics: dict[str, Any] = {}
    if test_idx:
        probe = CategoryClassifier().fit(
            [texts[i] for i in train_idx], [labels[i] for i in train_idx], progress=progress
        )
        held_texts = [texts[i] for i in test_idx]
        held_labels = [labels[i] for i in test_idx]
        metrics = evaluate(probe, held_texts, held_labels)
        metrics["holdout"] = holdout
        metrics["temperature"] = calibrate_temperature(probe, held_texts, held_labels)
    clf = CategoryClassifier().fit(texts, labels, progress=progress, source=source)
    if "temperature" in metrics:
        # the served confidences follow this platform's own data: a city's many fine
        # categories want another softmax temperature than the seven of the public set
        clf.params = dataclasses.replace(clf.params, temperature=metrics["temperature"])
        clf.info.params["temperature"] = metrics["temperature"]
    clf.info.metrics = metrics
    path = next_model_path(directory)
    clf.save(path, signing_key=signing_key)
    return clf, path, metrics
