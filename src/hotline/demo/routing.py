"""The demo's routing: a dispatch catalogue for the demo topics and a category model trained
from the closed demo tickets (``hotline seed --demo``, and the history generator, which seeds
the catalogue first and trains a first model a third of the way into its history).

Nothing outside ``hotline.demo`` and the seed/demo commands imports this module.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from hotline.demo.topics import TOPICS
from hotline.orgs.models import Organisation
from hotline.routing.classifier import TrainingDataError
from hotline.routing.models import DispatchRule
from hotline.routing.retraining import model_header
from hotline.routing.training import (
    current_model_path,
    models_dir,
    split_rows,
    train_new_version,
    training_rows_from_tickets,
)
from hotline.tickets.models import Category


def seed(*, stdout=None, train: bool = True, **_ignored: Any) -> dict[str, Any]:
    """For ``hotline seed --demo``: the demo dispatch catalogue (the ticket history seeds it
    first, so its dispatches are suggested and recorded), then the category model retrained
    from all the closed demo tickets. The seed command passes its other options too
    (``days``, ``seed``…): they are not routing's."""
    result: dict[str, Any] = {"catalogue": seed_demo_catalogue(), "model": None}
    if train:
        result.update(train_demo_model())
    if stdout is not None:
        line = f"routing: {DispatchRule.objects.count()} catalogue lines"
        if result["model"]:
            line += f", category model {result['model']} ({result['n']} closed tickets"
            if result.get("macro_f1") is not None:
                line += f", hold-out macro-F1 {result['macro_f1']:.3f}"
            line += ")"
        stdout.write(line)
    return result


def seed_demo_catalogue() -> int:
    """The dispatch catalogue of the demo topics (each topic's first unit, then its second),
    unless the catalogue already has lines. Returns the number of lines created."""
    if DispatchRule.objects.exists():
        return 0
    categories = {c.code: c for c in Category.objects.all()}
    orgs = {o.code: o for o in Organisation.objects.filter(active=True)}
    created = 0
    seen: set[tuple[str, str]] = set()
    for topic in TOPICS:
        category = categories.get(topic.get("category", ""))
        if category is None:
            continue
        for priority, token in enumerate(topic.get("units", [])[:2], start=1):
            if (category.code, token) in seen:
                continue
            seen.add((category.code, token))
            if token in ("county", "township"):
                DispatchRule.objects.create(
                    category=category, territorial=token, priority=priority, note="demo"
                )
            elif token in orgs:
                DispatchRule.objects.create(
                    category=category, unit=orgs[token], priority=priority, note="demo"
                )
            else:
                continue
            created += 1
    return created


def train_demo_model() -> dict[str, Any]:
    """Train the next category model from the closed tickets when there is none yet, or when
    the current one (trained from tickets) has seen fewer tickets than are closed now — the
    demo's first model a third of the way into its history, and the retrained one at its end.
    ``{"model": version or None, "n": tickets, "macro_f1": …}`` (``"error"`` when unusable)."""
    result: dict[str, Any] = {"model": None, "n": 0}
    directory = models_dir(settings.DATA_DIR)
    current = current_model_path(directory)
    info = model_header(current) if current is not None else None
    if current is not None and (info is None or info.source != "tickets"):
        return result  # a model someone trained on purpose (another source) is left alone
    texts, labels = split_rows(training_rows_from_tickets())
    result["n"] = len(texts)
    if info is not None and info.n_samples >= len(texts):
        return result
    try:
        if len(set(labels)) >= 2:
            clf, _path, metrics = train_new_version(
                texts,
                labels,
                directory=directory,
                source="tickets",
                signing_key=settings.SECRET_KEY.encode("utf-8"),
            )
            result["model"] = clf.info.version
            result["macro_f1"] = metrics.get("macro_f1")
    except TrainingDataError as exc:
        result["error"] = str(exc)
    return result
