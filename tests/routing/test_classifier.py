"""The category classifier: learns, serves a sorted top three with confidences, round-trips
through a versioned model file, and refuses a damaged or tampered file."""

from __future__ import annotations

import json

import numpy as np
import pytest

from hotline.routing.classifier import (
    MAGIC,
    CategoryClassifier,
    ClassifierParams,
    ModelError,
    TrainingDataError,
    evaluate,
    read_model_file,
    stratified_split,
)
from hotline.routing.text import char_text, is_segmented, word_tokens


def test_learns_the_synthetic_categories(trained, test_set):
    texts, labels = test_set
    metrics = evaluate(trained, texts, labels)
    assert metrics["accuracy"] >= 0.9
    assert metrics["macro_f1"] >= 0.9
    assert set(metrics["per_class"]) == {"traffic", "education", "environment", "health"}
    assert metrics["n"] == len(texts)


def test_top_three_sorted_with_confidences_summing_to_at_most_one(trained):
    top = trained.predict_top("西平县解放大道十字路口红绿灯坏了，公交车也不按站停", k=3)
    assert len(top) == 3
    assert top[0][0] == "traffic"
    confidences = [c for _, c in top]
    assert confidences == sorted(confidences, reverse=True)
    assert all(0.0 <= c <= 1.0 for c in confidences)
    assert sum(confidences) <= 1.0 + 1e-9
    assert len({label for label, _ in top}) == 3


def test_fast_single_text_path_matches_scikit_learn(trained, test_set):
    texts, _ = test_set
    # Plus characters the model never saw, an emoji (outside the BMP), Latin text, spaces.
    texts = [
        *texts[:8],
        "医院😀挂号ｘｙｚ，喵喵喵",
        "Bus 12 路 公交车",
        "囧",
        "医院 挂号 排队 太长",
    ]
    batch = trained.decision_function(texts)
    single = np.array([trained.scores_one(t) for t in texts])
    np.testing.assert_allclose(single, batch, rtol=1e-4, atol=1e-5)
    assert trained.scores_one("").shape == (4,)  # empty text: intercepts only, no crash


def test_head_blocks_are_used_and_can_be_switched_off(trained, train_set, test_set):
    # Default: words + characters + the head's characters.
    assert len(trained._vecs) == 3
    assert trained.info.params["head_chars"] == 20
    texts, labels = train_set
    both = CategoryClassifier(ClassifierParams(head_words=10, head_chars=20)).fit(texts, labels)
    assert len(both._vecs) == 4
    probe = [*test_set[0][:6], "医院 挂号 排队 太长 一 二 三 四 五 六 七 八 九 十 十一"]
    np.testing.assert_allclose(
        np.array([both.scores_one(t) for t in probe]),
        both.decision_function(probe),
        rtol=1e-4,
        atol=1e-5,
    )
    plain = CategoryClassifier(ClassifierParams(head_words=0, head_chars=0)).fit(texts, labels)
    assert len(plain._vecs) == 2
    probe = test_set[0][:6]
    np.testing.assert_allclose(
        np.array([plain.scores_one(t) for t in probe]),
        plain.decision_function(probe),
        rtol=1e-4,
        atol=1e-5,
    )
    assert not np.allclose(plain.decision_function(probe), trained.decision_function(probe))


def test_heads_that_share_no_character_still_train():
    # 20 texts (min_df 2 applies) whose first 20 characters are all different.
    texts = [
        "".join(chr(0x4E00 + 20 * i + j) for j in range(20)) + ("医院挂号" if i % 2 else "公交车站")
        for i in range(20)
    ]
    labels = ["health" if i % 2 else "traffic" for i in range(20)]
    clf = CategoryClassifier().fit(texts, labels)
    assert clf.predict_top("医院挂号", k=1)[0][0] == "health"
    batch = clf.decision_function(texts[:1])[0]
    np.testing.assert_allclose(clf.scores_one(texts[0]), batch, atol=1e-5)


def test_model_file_written_before_the_head_blocks_still_loads(train_set, test_set, tmp_path):
    """Files from the two-block model (state keys word_vec / char_vec) keep serving."""
    import hashlib
    import pickle
    from dataclasses import asdict

    texts, labels = train_set
    plain = CategoryClassifier(ClassifierParams(head_words=0, head_chars=0)).fit(texts, labels)
    old_state = {
        "params": ClassifierParams(),  # as unpickled from an old file: the new defaults
        "word_vec": plain._vecs[0],
        "char_vec": plain._vecs[1],
        "svm": plain._svm,
    }
    payload = pickle.dumps(old_state)
    info = {**asdict(plain.info), "sha256": hashlib.sha256(payload).hexdigest()}
    path = tmp_path / "category-v0001.model"
    path.write_bytes(MAGIC + json.dumps(info).encode() + b"\n" + payload)
    loaded = CategoryClassifier.load(path)
    probe = test_set[0][:6]
    assert loaded.params.head_words == 0 and loaded.params.head_chars == 0
    np.testing.assert_allclose(loaded.decision_function(probe), plain.decision_function(probe))
    assert loaded.predict_top(probe[0]) == plain.predict_top(probe[0])


def test_segmented_and_typed_text_give_the_same_words():
    assert is_segmented("医院 挂号 排队 时间 太长")
    assert not is_segmented("医院挂号排队时间太长，请尽快处理")
    assert word_tokens("医院 挂号 排队") == ["医院", "挂号", "排队"]
    typed = word_tokens("医院挂号，排队！")
    assert "医院" in typed and "挂号" in typed and "，" not in typed
    assert char_text("Ａ３区　医院，挂号") == "a3区医院挂号"


def test_save_load_round_trip_keeps_version_metadata(trained, test_set, tmp_path):
    texts, _ = test_set
    trained.info.metrics = {"macro_f1": 0.5}
    path = trained.save(tmp_path / "category-v0007.model", signing_key=b"k")
    loaded = CategoryClassifier.load(path, signing_key=b"k")
    assert loaded.info.version == "category-v0007"
    assert loaded.info.trained_at
    assert loaded.info.classes == trained.info.classes
    assert loaded.info.n_samples == 120
    assert loaded.info.metrics == {"macro_f1": 0.5}
    assert loaded.predict(texts) == trained.predict(texts)
    assert loaded.predict_top(texts[0]) == trained.predict_top(texts[0])
    info, _ = read_model_file(path)  # metadata readable without unpickling
    assert info.sha256 and info.hmac


def test_tampered_damaged_or_foreign_files_are_refused(trained, tmp_path):
    path = trained.save(tmp_path / "m.model", signing_key=b"k")
    data = bytearray(path.read_bytes())
    data[-10] ^= 0xFF
    damaged = tmp_path / "damaged.model"
    damaged.write_bytes(bytes(data))
    with pytest.raises(ModelError, match="checksum"):
        CategoryClassifier.load(damaged)

    # Someone rewrites payload and checksum: only the signature can tell.
    payload = b"\x80\x04N."  # pickle of None
    import hashlib

    info, _ = read_model_file(path)
    record = {**info.__dict__, "sha256": hashlib.sha256(payload).hexdigest()}
    forged = tmp_path / "forged.model"
    forged.write_bytes(MAGIC + json.dumps(record).encode() + b"\n" + payload)
    with pytest.raises(ModelError, match="signature"):
        CategoryClassifier.load(forged, signing_key=b"k")
    with pytest.raises(ModelError, match="signature"):
        CategoryClassifier.load(path, signing_key=b"another key")

    foreign = tmp_path / "foreign.model"
    foreign.write_bytes(b"not a model")
    with pytest.raises(ModelError, match="not a hotline"):
        CategoryClassifier.load(foreign)
    with pytest.raises(ModelError, match="no such"):
        CategoryClassifier.load(tmp_path / "missing.model")


def test_training_input_is_checked():
    with pytest.raises(TrainingDataError, match="only one category"):
        CategoryClassifier().fit(["医院挂号难", "医保报销"], ["health", "health"])
    with pytest.raises(TrainingDataError, match="no training"):
        CategoryClassifier().fit([], [])
    with pytest.raises(TrainingDataError, match="empty"):
        CategoryClassifier().fit(["，", "。"], ["a", "b"])


def test_two_classes_work(train_set):
    texts, labels = train_set
    pairs = [(t, lab) for t, lab in zip(texts, labels, strict=True) if lab in {"health", "traffic"}]
    clf = CategoryClassifier().fit([t for t, _ in pairs], [lab for _, lab in pairs])
    top = clf.predict_top("医院挂号排队太长", k=3)
    assert [lab for lab, _ in top] == ["health", "traffic"]
    assert np.allclose(
        clf.scores_one("医院挂号"), clf.decision_function(["医院挂号"])[0], atol=1e-5
    )


def test_stratified_split_keeps_every_class_in_training():
    labels = ["a"] * 10 + ["b"] * 5 + ["c"]
    train, test = stratified_split(labels, 0.2)
    assert sorted(train + test) == list(range(16))
    assert [labels[i] for i in test].count("a") == 2
    assert "c" in {labels[i] for i in train} and "c" not in {labels[i] for i in test}


def test_only_the_start_of_a_very_long_text_is_read():
    from hotline.routing.classifier import clip

    assert clip("医院 挂号 排队", 4) == "医院 挂号"
    assert clip("医院挂号", 10) == "医院挂号"
    assert clip("医院挂号", None) == "医院挂号"
    assert clip("  医 院  ", 5) == "  医 院  "  # fewer than 5 non-space characters: whole text
