"""The text model of past dispatches (similar tickets vote for their lead unit) and the
scheduled retraining of the category model."""

from __future__ import annotations

import dataclasses
import os
import time
from datetime import timedelta

import numpy as np
import pytest
from django.test import Client

from hotline.core.policy import policy_set
from hotline.routing import retraining, suggestions
from hotline.routing import timers as routing_timers
from hotline.routing.models import RetrainingRun, RoutingSuggestion
from hotline.routing.training import current_model_path, model_versions, models_dir
from hotline.routing.unit_index import NeighbourIndex, vote
from hotline.tickets import services
from hotline.tickets.models import Assignment

from .conftest import LABEL_TO_CATEGORY, make_dataset
from .test_integration import LIGHT_TEXT, NOW, dispatch, intake

GARBAGE = "驿城区文化路小区门口垃圾堆放多日无人清运，气味很大，请尽快处理。"


# -- the index itself ----------------------------------------------------------------------------


def test_neighbour_index_finds_similar_texts_and_votes():
    index = NeighbourIndex()
    for i in range(5):
        index.add(i, f"雪松路{i}号附近路灯不亮已经一周，晚上很黑", "urban", "411702")
    for i in range(5, 9):
        index.add(i, f"文化路{i}号小区垃圾无人清运，气味难闻", "sanitation", "411702")
    index.add(9, "开源路路灯不亮，晚上出行不便", "411722", "411722")
    found = index.neighbours("解放路路灯不亮好几天了，晚上很黑", k=5, threshold=0.3)
    assert found and {nb.label for nb in found} <= {"urban", "411722"}
    assert found == sorted(found, key=lambda nb: -nb.score)
    votes = vote(found, group="411702")
    assert votes[0].label == "urban" and votes[0].share == pytest.approx(1.0)
    assert index.neighbours("完全无关的医保报销咨询", threshold=0.3) == []
    # the same text again after the CSR merge gives the same answer
    index._merge()
    assert index.neighbours("解放路路灯不亮好几天了，晚上很黑", k=5, threshold=0.3) == found


def test_neighbour_index_replaces_a_redispatched_ticket_and_excludes():
    index = NeighbourIndex()
    index.add(1, "雪松路路灯不亮已经一周", "wrong-unit", "411702")
    index.add(1, "雪松路路灯不亮已经一周", "urban", "411702")  # re-dispatched after a return
    found = index.neighbours("雪松路路灯不亮已经一周", threshold=0.5)
    assert [(nb.ticket_id, nb.label) for nb in found] == [(1, "urban")]
    assert index.neighbours("雪松路路灯不亮已经一周", threshold=0.5, exclude=1) == []
    assert len(index) == 1


def test_postings_keep_the_newest_per_bigram():
    index = NeighbourIndex(cap=3)
    for i in range(10):
        index.add(i, "路灯不亮", "old" if i < 7 else "new", "")
    index._merge()
    found = index.neighbours("路灯不亮", k=10, threshold=0.5)
    assert sorted(nb.ticket_id for nb in found) == [7, 8, 9]


def test_bulk_and_one_by_one_loading_agree():
    import random

    texts, labels = make_dataset(40, seed=7)
    rows = [(i, t, lb, str(i % 3)) for i, (t, lb) in enumerate(zip(texts, labels, strict=True))]
    bulk, single = NeighbourIndex(cap=50), NeighbourIndex(cap=50)
    bulk.add_many(rows)
    for row in rows:
        single.add(*row)
    rng = random.Random(1)
    for query in rng.sample(texts, 20):
        assert bulk.neighbours(query, k=10, threshold=0.2) == single.neighbours(
            query, k=10, threshold=0.2
        )
    single._merge()
    assert np.array_equal(bulk._postings, single._postings)


# -- in suggest_units ----------------------------------------------------------------------------


def _history(users, orgs, n_lights=4, n_garbage=3):
    lights = [
        intake(
            users, orgs, content=f"雪松路{i}号路灯不亮已经一周，晚上很黑", phone=f"1390000{i:04d}"
        )
        for i in range(n_lights)
    ]
    garbage = [
        intake(users, orgs, content=f"{GARBAGE}（{i}）", phone=f"1391000{i:04d}")
        for i in range(n_garbage)
    ]
    for t in lights:
        dispatch(users, t, orgs["urban"])
    for t in garbage:
        dispatch(users, t, orgs["411702"])
    suggestions.clear_caches()
    return lights, garbage


def test_similar_past_dispatches_suggest_their_unit_with_a_reason(users, orgs, db):
    lights, _garbage = _history(users, orgs)
    units = suggestions.suggest_units("解放路路灯不亮，晚上很黑", county="411702", now=NOW)
    assert units[0].code == "urban" and units[0].sources == ["neighbours"]
    reason = units[0].reasons[0]
    assert reason.startswith("模型 1.00（相似历史工单 4 件，如 工单 ZMD")
    assert any(t.number in reason for t in lights)
    votes, n = suggestions.neighbour_model(GARBAGE, county="411702", now=NOW)
    assert n == 3 and votes[0].code == "411702"


def test_a_returned_dispatch_does_not_teach(users, orgs, db):
    lights, _garbage = _history(users, orgs, n_lights=3, n_garbage=0)
    Assignment.objects.filter(ticket__in=lights, org=orgs["urban"]).update(status="returned")
    suggestions.clear_caches()
    assert suggestions.neighbour_model("解放路路灯不亮，晚上很黑", now=NOW) == ([], 0)


def test_the_dispatch_record_keeps_the_sources(users, orgs, db):
    _history(users, orgs)
    ticket = intake(users, orgs, content="解放路路灯不亮，晚上很黑", phone="13700000000")
    dispatch(users, ticket, orgs["urban"])
    record = RoutingSuggestion.objects.get(ticket=ticket, kind="unit")
    assert record.suggested[0] == "urban" and record.rank == 1
    assert record.sources[0] == ["neighbours"] and "相似历史工单" in record.reasons[0][0]


def test_the_model_joins_the_other_sources_without_duplicates(users, orgs, categories):
    from hotline.routing.models import DispatchRule

    lights = "public-services.municipal.street-lights"
    DispatchRule.objects.create(category=categories[lights], unit=orgs["urban"])
    _history(users, orgs)
    units = suggestions.suggest_units(
        "解放路路灯不亮，晚上很黑", category=lights, county="411702", now=NOW
    )
    assert [u.code for u in units].count("urban") == 1
    assert units[0].code == "urban" and set(units[0].sources) == {"catalogue", "neighbours"}


# -- scheduled retraining ------------------------------------------------------------------------


def _closed_history(users, orgs, n_per_class=6, seed=3):
    texts, labels = make_dataset(n_per_class, seed=seed)
    cats = {c: services.category_by_code(c) for c in set(LABEL_TO_CATEGORY.values())}
    for i, (text, label) in enumerate(zip(texts, labels, strict=True)):
        t = intake(
            users, orgs, content=text, phone=f"1380{i:07d}", category=cats[LABEL_TO_CATEGORY[label]]
        )
        services.ticket_answer(ticket=t, answer="已答复", actor=users("agent"), now=NOW)
    return len(texts)


def _age(path, days: float) -> None:
    old = time.time() - days * 86400
    os.utime(path, (old, old))


@pytest.fixture
def fresh_check():
    retraining._retrain_checked["at"] = -1e18
    yield
    retraining._retrain_checked["at"] = -1e18


def test_not_due_without_a_model_or_before_the_interval(
    users, orgs, categories, data_dir, fresh_check
):
    assert retraining.retraining_due() == (False, {"reason": "no_model"})
    assert routing_timers.retrain_when_due(now=NOW) == 0


def test_due_after_the_interval_with_enough_new_closed_tickets(
    users, orgs, categories, model, data_dir, fresh_check
):
    path = current_model_path(models_dir(data_dir))
    assert retraining.retraining_due()[1]["reason"] == "interval"  # just written
    _age(path, 8)
    n = _closed_history(users, orgs)
    policy_set(key="routing_retrain_min_new_tickets", value=n + 1)
    due, detail = retraining.retraining_due(force_check=True)
    assert not due and detail["reason"] == "too_few_new" and detail["new"] == n
    policy_set(key="routing_retrain_min_new_tickets", value=n)
    assert retraining.retraining_due(force_check=True)[0]
    policy_set(key="routing_retrain_interval_days", value=0)
    assert retraining.retraining_due(force_check=True) == (False, {"reason": "disabled"})


def test_retraining_installs_a_model_that_is_not_worse(users, orgs, categories, model, data_dir):
    _closed_history(users, orgs)
    run = retraining.retrain_category_model(trigger="test", force=True)
    assert run.status == "installed" and run.version == "category-v0002"
    assert run.n_samples == 24 and run.macro_f1 is not None and run.seconds is not None
    assert [p.name for _n, p in model_versions(models_dir(data_dir))][-1] == "category-v0002.model"
    assert not any(p.name.startswith(".retrain") for p in models_dir(data_dir).iterdir())
    # serving picks it up, under its own name
    assert suggestions.suggest_categories(LIGHT_TEXT).model_version == "category-v0002"
    # the interval starts again
    assert retraining.retraining_due(force_check=True)[0] is False


def test_a_worse_model_is_kept_out_and_the_reason_recorded(
    users, orgs, categories, data_dir, category_model, settings, monkeypatch
):
    from hotline.routing import training

    directory = models_dir(data_dir)
    strong = dataclasses.replace(category_model.info, metrics={"macro_f1": 0.9})
    clf = type(category_model)(category_model.params)
    clf._vecs, clf._svm, clf.info = category_model._vecs, category_model._svm, strong
    clf.save(directory / "category-v0001.model", signing_key=settings.SECRET_KEY.encode())
    _closed_history(users, orgs, n_per_class=3)
    real = training.train_new_version

    def scored(*args, **kwargs):
        clf, path, metrics = real(*args, **kwargs)
        return clf, path, {**metrics, "macro_f1": worse[0]}

    monkeypatch.setattr(retraining, "train_new_version", scored)
    worse = [0.85]
    policy_set(key="routing_retrain_tolerance", value=0.02)
    run = retraining.retrain_category_model(trigger="test", force=True)
    assert run.status == "kept" and run.version == "" and run.previous_macro_f1 == 0.9
    assert run.macro_f1 == 0.85 and "保留原模型" in run.reason and "0.8500" in run.reason
    assert [p.name for _n, p in model_versions(directory)] == ["category-v0001.model"]
    # within the tolerance: installed
    worse[0] = 0.885
    assert retraining.retrain_category_model(trigger="test", force=True).status == "installed"
    assert [p.name for _n, p in model_versions(directory)][-1] == "category-v0002.model"


def test_two_workers_train_once(users, orgs, categories, model, data_dir):
    from hotline.core.clock import real_now

    RetrainingRun.objects.create(status="running", trigger="other", started_at=real_now())
    assert retraining.retrain_category_model(trigger="test", force=True) is None
    assert len(model_versions(models_dir(data_dir))) == 1


def test_an_abandoned_run_does_not_block_forever(users, orgs, categories, model, data_dir):
    from hotline.core.clock import real_now

    stale = RetrainingRun.objects.create(
        status="running", trigger="other", started_at=real_now() - timedelta(hours=7)
    )
    _closed_history(users, orgs, n_per_class=3)
    run = retraining.retrain_category_model(trigger="test", force=True)
    assert run is not None and run.status == "installed"
    stale.refresh_from_db()
    assert stale.status == "failed" and "abandoned" in stale.reason


def test_a_failure_is_recorded_and_keeps_the_model(users, orgs, categories, model, data_dir):
    run = retraining.retrain_category_model(trigger="test", force=True)  # no closed tickets
    assert run.status == "failed" and run.reason
    assert len(model_versions(models_dir(data_dir))) == 1


def test_the_timer_only_launches_when_due(monkeypatch, settings, fresh_check):
    launched = []
    monkeypatch.setattr(retraining, "retraining_due", lambda **kw: (True, {}))
    monkeypatch.setattr(routing_timers, "launch", lambda: launched.append(1) or True)
    assert routing_timers.retrain_when_due(now=NOW) == 1 and launched == [1]


def test_launch_sends_the_celery_task_with_a_broker(monkeypatch, settings):
    sent = []
    settings.CELERY_BROKER_URL = "redis://example.invalid:6379/0"
    settings.SIMULATION = False
    monkeypatch.setattr(
        routing_timers.tasks.retrain_category_model, "delay", lambda **kw: sent.append(kw)
    )
    assert routing_timers.launch() is True and sent == [{"trigger": "celery"}]


def test_launch_without_a_broker_runs_in_a_thread(monkeypatch, settings):
    done = []
    settings.CELERY_BROKER_URL = ""
    monkeypatch.setattr(
        retraining, "retrain_category_model", lambda **kw: done.append(kw["trigger"])
    )
    assert routing_timers.launch() is True
    routing_timers._thread.join(5)
    assert done == ["in-process"]


def test_the_admin_shows_runs_and_model_versions(users, orgs, categories, model, data_dir):
    from hotline.core.clock import real_now

    RetrainingRun.objects.create(
        status="kept", trigger="celery", started_at=real_now(), reason="新模型较差，保留原模型"
    )
    client = Client()
    client.force_login(users("admin"))
    html = client.get("/admin/routing/retrainingrun/").content.decode()
    assert "保留原模型" in html and "category-v0001" in html


def test_sources_agreeing_on_a_unit_outweigh_one_stronger_source(monkeypatch, orgs, db):
    """Evidence adds up (noisy-OR): the catalogue's second unit, which the count model of past
    dispatches names too, ranks above the catalogue's first unit alone."""
    monkeypatch.setattr(suggestions, "precedent_matches", lambda *a, **k: [])
    monkeypatch.setattr(
        suggestions,
        "catalogue_matches",
        lambda *a, **k: [("urban", "派单目录规则：路灯", None), ("411702", "属地县区", None)],
    )
    monkeypatch.setattr(suggestions, "neighbour_model", lambda *a, **k: ([], 0))
    monkeypatch.setattr(suggestions, "history_model", lambda *a, **k: ([("411702", 1.0)], 12))
    units = suggestions.suggest_units("路灯不亮", category="x", county="411702", now=NOW)
    assert [u.code for u in units[:2]] == ["411702", "urban"]
    assert units[0].sources == ["catalogue", "model"]
    assert units[0].score == pytest.approx(1 - (1 - 0.8) * (1 - 0.8))
    assert units[1].score == pytest.approx(0.9)
