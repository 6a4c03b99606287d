"""The duplicate engine: normalisation, deterministic MinHash signatures, exact and near
duplicates through the LSH index (pending and merged parts, save/load), and is_repeat."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from hotline.routing.duplicates import (
    DuplicateIndex,
    MinHasher,
    TicketText,
    is_repeat,
    jaccard,
    normalize_phone,
    shingle_set,
    similarity,
)
from hotline.routing.text import compile_boilerplate, normalize_for_matching

LAMP = "驿城区雪松路与解放路交叉口的路灯已经坏了一个多星期，晚上出行很不安全，请相关部门尽快处理。"
LAMP_AGAIN = "市民来电反映：驿城区雪松路与解放路交叉口路灯已经坏了一个多星期了，晚上出行很不安全！"
PARKING = "西平县柏城街道某小区物业乱收停车费，每月三百元，业主多次反映一直没有结果。"
SCHOOL = "上蔡县第二小学门口上下学时间车辆乱停，孩子过马路非常危险，希望安排交警疏导。"


def test_normalisation_folds_width_punctuation_and_boilerplate():
    assert normalize_for_matching("市民来电反映：ＡＢＣ１２３，路灯　坏了！") == "abc123路灯坏了"
    assert normalize_for_matching("来电人称，诉求人咨询：医保怎么报销？") == "医保怎么报销"
    # A phrase broken by punctuation is still boilerplate.
    assert normalize_for_matching("市民来电，反映路灯坏了") == "路灯坏了"
    custom = compile_boilerplate(["据网友留言"])
    assert (
        normalize_for_matching("据网友留言：市民来电反映路灯坏了", custom) == "市民来电反映路灯坏了"
    )
    assert normalize_for_matching("市民来电反映路灯坏了", None) == "市民来电反映路灯坏了"
    assert normalize_for_matching("，。！") == ""


def test_signatures_are_deterministic_and_pinned():
    norm = normalize_for_matching(LAMP)
    a, b = MinHasher(128, seed=7), MinHasher(128, seed=7)
    assert np.array_equal(a.signature(norm), b.signature(norm))
    assert not np.array_equal(a.signature(norm), MinHasher(128, seed=8).signature(norm))
    batch = a.signatures([norm, "", normalize_for_matching(PARKING)])
    assert np.array_equal(batch[0], a.signature(norm))
    assert np.array_equal(batch[2], a.signature(normalize_for_matching(PARKING)))
    assert a.signature("") is None
    # Pinned: a change here silently invalidates every stored index. Bump FORMAT_VERSION.
    digest = hashlib.sha256(MinHasher().signature(norm).astype("<u2").tobytes()).hexdigest()[:16]
    assert digest == PINNED_DIGEST


PINNED_DIGEST = "c6eeb2814e5887da"  # MinHasher() defaults: 128 permutations, 3-grams, seed


def test_estimate_tracks_exact_jaccard():
    na, nb = normalize_for_matching(LAMP), normalize_for_matching(LAMP_AGAIN)
    exact = jaccard(shingle_set(na, 3), shingle_set(nb, 3))
    hasher = MinHasher(128)
    estimate = float((hasher.signature(na) == hasher.signature(nb)).mean())
    assert abs(estimate - exact) < 0.15


@pytest.fixture
def index():
    idx = DuplicateIndex(merge_every=3)
    idx.add(1, LAMP, {"county": "411702"})
    idx.add(2, PARKING)
    idx.add(3, SCHOOL)  # third addition: merged into the sorted arrays
    idx.add(4, "，。")  # normalises to nothing: kept, never matches
    return idx


def test_exact_duplicate_scores_one(index):
    assert index._merged == 3  # positions 0-2 merged, 3 pending
    found = index.matches(
        "西平县柏城街道某小区物业乱收停车费，每月三百元，业主多次反映一直没有结果"
    )
    assert found[0].id == 2 and found[0].score == 1.0 and found[0].exact
    assert index.exact_duplicates("市民来电反映：" + PARKING.replace("，", " ")) == [2]


def test_near_duplicate_above_threshold_and_different_text_below(index):
    result = index.query(LAMP_AGAIN, threshold=0.5)
    assert [i for i, _ in result] == [1]
    assert 0.5 <= result[0][1] < 1.0
    assert index.matches(LAMP_AGAIN)[0].meta == {"county": "411702"}
    assert index.query("正阳县农村低保申请需要什么材料，到哪里办理？", threshold=0.3) == []
    assert index.query("，。") == []


def test_pending_additions_are_found_before_a_merge():
    idx = DuplicateIndex(merge_every=1000)
    idx.add("a", LAMP)
    assert idx._merged == 0
    assert idx.query(LAMP_AGAIN, 0.5)[0][0] == "a"
    idx.merge()
    idx.add("b", LAMP_AGAIN)
    assert [i for i, _ in idx.query(LAMP, 0.5)] == ["a", "b"]


def test_save_and_load_round_trip(index, tmp_path):
    path = index.save(tmp_path / "dups.npz")
    loaded = DuplicateIndex.load(path)
    assert len(loaded) == 4
    assert loaded.query(LAMP_AGAIN, 0.5) == index.query(LAMP_AGAIN, 0.5)
    assert loaded.matches(LAMP)[0].meta == {"county": "411702"}
    loaded.add(5, LAMP)
    assert [i for i, _ in loaded.query(LAMP, 0.9)] == [1, 5]


def test_build_and_candidate_pairs():
    rows = [(1, LAMP, None), (2, LAMP_AGAIN, None), (3, PARKING, None), (4, PARKING, None)]
    idx = DuplicateIndex.build(rows)
    pairs = {(idx.id_at(a), idx.id_at(b)): s for a, b, s in idx.candidate_pairs(0.5)}
    assert set(pairs) == {(1, 2), (3, 4)}
    assert pairs[(3, 4)] == 1.0


def test_is_repeat_needs_same_caller_same_place_and_similar_substance():
    earlier = [
        TicketText(10, PARKING, phone="13800001111", county="411721"),
        TicketText(11, LAMP, phone="13800001111", county="411702"),
        TicketText(12, LAMP, phone="13900002222", county="411702"),
    ]
    cand = TicketText(20, LAMP_AGAIN, phone="+86 138-0000-1111", county="411702")
    match = is_repeat(cand, earlier, same_phone=True, same_county=True, threshold=0.35)
    assert match is not None and match.id == 11 and not match.exact
    assert match.similarity == pytest.approx(similarity(LAMP, LAMP_AGAIN))
    # Another county: not the same place.
    moved = TicketText(20, LAMP_AGAIN, phone="13800001111", county="411721")
    assert is_repeat(moved, earlier, same_phone=True, same_county=True, threshold=0.35) is None
    # Without the phone condition the other caller's identical-place ticket counts.
    other = TicketText(21, LAMP, phone="", county="411702")
    found = is_repeat(other, earlier, same_phone=False, same_county=True, threshold=0.35)
    assert found is not None and found.id == 11 and found.exact and found.similarity == 1.0
    # Phone required but missing → never a repeat.
    assert is_repeat(other, earlier, same_phone=True, same_county=False, threshold=0.1) is None
    # Threshold above the similarity → no.
    assert is_repeat(cand, earlier, same_phone=True, same_county=True, threshold=0.99) is None
    # Its own id is skipped.
    itself = TicketText(11, LAMP, phone="13800001111", county="411702")
    assert is_repeat(itself, earlier[1:2], same_phone=True, same_county=True, threshold=0.1) is None


def test_phone_normalisation():
    assert normalize_phone("+86 138-0000-1111") == "13800001111"
    assert normalize_phone("0086 13800001111") == "13800001111"
    assert normalize_phone("0396-1234567") == "03961234567"
    assert normalize_phone("") == ""
