"""``hotline routing evaluate|train|suggest`` — the category classifier from the command line.

Errors are one readable line on stderr and a non-zero exit (CommandError), never a traceback.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from hotline.routing.classifier import ModelError, TrainingDataError, format_report
from hotline.routing.training import (
    load_current,
    models_dir,
    read_labelled_csv,
    split_rows,
    train_and_evaluate,
    train_new_version,
    training_rows_from_tickets,
)


def _signing_key() -> bytes:
    return settings.SECRET_KEY.encode("utf-8")


class Command(BaseCommand):
    help = "Category classifier: evaluate on CSV files, train a new version, suggest categories."
    # Offline work on files and the model directory: the URL/admin system checks only cost time.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        ev = sub.add_parser(
            "evaluate",
            help="train on one CSV (text,label) and score on another; the last line is "
            "'macro_f1=… accuracy=…'",
        )
        ev.add_argument("--train", required=True, type=Path, help="training CSV (text,label)")
        ev.add_argument("--test", required=True, type=Path, help="test CSV (text,label)")
        tr = sub.add_parser(
            "train",
            help="train and store a new model version (default source: closed tickets)",
        )
        tr.add_argument("--source", type=Path, help="train from this CSV (text,label) instead")
        sg = sub.add_parser("suggest", help="top three categories for a text (current model)")
        sg.add_argument("text", help="the appeal text")
        sg.add_argument("-k", type=int, default=3, help="how many categories (default 3)")

    def handle(self, *args, action: str, **options):
        progress = options.get("verbosity", 1) >= 1
        try:
            if action == "evaluate":
                self._evaluate(options["train"], options["test"], progress)
            elif action == "train":
                self._train(options.get("source"), progress)
            else:
                self._suggest(options["text"], options["k"])
        except (TrainingDataError, ModelError) as exc:
            raise CommandError(str(exc)) from exc

    def _evaluate(self, train: Path, test: Path, progress: bool) -> None:
        train_texts, train_labels = read_labelled_csv(train)
        test_texts, test_labels = read_labelled_csv(test)
        clf, metrics = train_and_evaluate(
            train_texts, train_labels, test_texts, test_labels, progress=progress
        )
        self.stdout.write(
            f"trained on {len(train_texts)} texts ({len(clf.classes)} categories) in "
            f"{clf.info.training_seconds:.1f} s; tested on {len(test_texts)}"
        )
        self.stdout.write(format_report(metrics))

    def _train(self, source: Path | None, progress: bool) -> None:
        if source is not None:
            texts, labels = read_labelled_csv(source)
            origin = f"csv:{source.name}"
        else:
            texts, labels = split_rows(training_rows_from_tickets())
            origin = "tickets"
            if not texts:
                raise TrainingDataError(
                    "no closed tickets with a category yet: nothing to train on "
                    "(or train from a CSV with --source FILE)"
                )
        clf, path, metrics = train_new_version(
            texts,
            labels,
            directory=models_dir(settings.DATA_DIR),
            source=origin,
            signing_key=_signing_key(),
            progress=progress,
        )
        self.stdout.write(
            f"model {clf.info.version}: {clf.info.n_samples} texts, {len(clf.classes)} "
            f"categories, saved to {path}"
        )
        if metrics:
            self.stdout.write(f"hold-out evaluation ({metrics['n']} texts, 20%):")
            self.stdout.write(format_report(metrics))
        else:
            self.stdout.write("too few texts for a hold-out evaluation")

    def _suggest(self, text: str, k: int) -> None:
        if not text.strip():
            raise CommandError("the text is empty")
        if k < 1:
            raise CommandError(f"-k must be at least 1 (got {k})")
        clf = load_current(models_dir(settings.DATA_DIR), signing_key=_signing_key())
        for rank, (label, confidence) in enumerate(clf.predict_top(text, k=k), start=1):
            self.stdout.write(f"{rank}. {label}\t{confidence:.3f}")
