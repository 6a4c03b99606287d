"""``hotline routing evaluate|train|suggest``: output format, stored versions, and one readable
line (no traceback) for bad input."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command

from hotline.cli import main
from hotline.routing.training import model_versions

from .conftest import write_csv

LAST_LINE = re.compile(r"^macro_f1=[01]\.\d{4} accuracy=[01]\.\d{4}$")


@pytest.fixture
def csvs(tmp_path, train_set, test_set):
    train = write_csv(tmp_path / "train.csv", zip(*train_set, strict=True))
    test = write_csv(tmp_path / "test.csv", zip(*test_set, strict=True), bom=False)
    return train, test


def run_cli(capsys, *args):
    code = main(["routing", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_evaluate_prints_the_scores_as_the_last_line(csvs, capsys):
    train, test = csvs
    code, out, _ = run_cli(capsys, "evaluate", "--train", str(train), "--test", str(test))
    assert code == 0
    last = out.rstrip("\n").splitlines()[-1]
    assert LAST_LINE.match(last), last
    assert float(last.split()[0].split("=")[1]) >= 0.9


def assert_one_line_error(code, err, pattern):
    assert code != 0
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    assert re.search(pattern, lines[0]), lines[0]


def test_evaluate_bad_inputs_fail_with_one_line(csvs, tmp_path, capsys):
    train, test = csvs
    cases = [
        (tmp_path / "missing.csv", "no such file"),
        (write_csv(tmp_path / "cols.csv", [("x", "y")], header=("body", "label")), "text"),
        (write_csv(tmp_path / "empty.csv", [], header=None), "empty"),
        (write_csv(tmp_path / "blank.csv", [("", "")]), "no rows"),
        (write_csv(tmp_path / "one.csv", [("医院挂号难", "health"), ("医保", "health")]), "one"),
    ]
    for bad, pattern in cases:
        code, _, err = run_cli(capsys, "evaluate", "--train", str(bad), "--test", str(test))
        assert_one_line_error(code, err, pattern)
    latin = tmp_path / "latin.csv"
    latin.write_bytes("text,label\n\xe9t\xe9,a\n".encode("latin-1"))
    code, _, err = run_cli(capsys, "evaluate", "--train", str(train), "--test", str(latin))
    assert_one_line_error(code, err, "UTF-8")


def test_train_from_csv_stores_versions_and_suggest_uses_the_latest(csvs, settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    train, _ = csvs
    from io import StringIO

    out = StringIO()
    call_command("routing", "train", "--source", str(train), stdout=out, verbosity=0)
    report = out.getvalue()
    assert "category-v0001" in report and "hold-out" in report
    assert LAST_LINE.match(report.rstrip().splitlines()[-1])
    call_command("routing", "train", "--source", str(train), stdout=StringIO(), verbosity=0)
    versions = model_versions(settings.DATA_DIR / "models")
    assert [n for n, _ in versions] == [1, 2]

    out = StringIO()
    call_command("routing", "suggest", "幼儿园收费太高，老师还有偿补课", stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("1. education")


def test_suggest_without_a_model_says_so(settings, tmp_path, capsys):
    settings.DATA_DIR = tmp_path / "empty"
    code, _, err = run_cli(capsys, "suggest", "路灯坏了")
    assert_one_line_error(code, err, "no category model yet")


@pytest.mark.django_db
def test_train_from_ticket_history_with_no_closed_tickets_says_so(settings, tmp_path):
    from django.core.management.base import CommandError

    settings.DATA_DIR = tmp_path / "data"
    with pytest.raises(CommandError, match="no closed tickets with a category yet"):
        call_command("routing", "train", verbosity=0)


def test_serving_loader_picks_up_a_new_version(trained, tmp_path):
    from hotline.routing.classifier import ModelError
    from hotline.routing.training import current_classifier

    with pytest.raises(ModelError, match="no category model yet"):
        current_classifier(tmp_path)
    trained.save(tmp_path / "category-v0001.model", signing_key=b"k")
    first = current_classifier(tmp_path, signing_key=b"k")
    assert current_classifier(tmp_path, signing_key=b"k") is first  # cached
    trained.save(tmp_path / "category-v0002.model", signing_key=b"k")
    second = current_classifier(tmp_path, signing_key=b"k")
    assert second is not first and second.info.version == "category-v0002"


def test_train_calibrates_the_served_confidences_on_the_hold_out(train_set, test_set, tmp_path):
    import dataclasses
    import math

    from hotline.routing.classifier import CategoryClassifier
    from hotline.routing.training import TEMPERATURES, calibrate_temperature, train_new_version

    texts, labels = train_set
    clf, path, metrics = train_new_version(
        texts, labels, directory=tmp_path, source="test", signing_key=b"k" * 32
    )
    chosen = metrics["temperature"]
    assert chosen in TEMPERATURES
    stored = CategoryClassifier.load(path, signing_key=b"k" * 32)
    assert stored.params.temperature == chosen == clf.info.params["temperature"]

    # the chosen temperature is no worse than the default on labelled texts it never saw
    held_texts, held_labels = test_set

    def log_loss(model) -> float:
        total = 0.0
        for text, label in zip(held_texts, held_labels, strict=True):
            probs = dict(model.predict_top(text, k=len(model.info.classes)))
            total -= math.log(max(probs[label], 1e-12))
        return total / len(held_texts)

    default = CategoryClassifier.load(path, signing_key=b"k" * 32)
    default.params = dataclasses.replace(default.params, temperature=0.25)
    assert log_loss(stored) <= log_loss(default) + 0.05
    # and argmax (every reported metric) does not depend on it
    assert [stored.predict_top(t, 1)[0][0] for t in held_texts] == [
        default.predict_top(t, 1)[0][0] for t in held_texts
    ]
    # a hold-out without known labels keeps the default
    assert (
        calibrate_temperature(stored, ["路灯坏了"], ["no-such-label"]) == stored.params.temperature
    )
