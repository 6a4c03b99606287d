"""Scheduled retraining of the category model, and what the administrator sees of the
stored model versions.

* :func:`retraining_due` — cheap check the timer (``routing.timers``) asks every sweep.
* :func:`retrain_category_model` — train from the closed tickets and install the result only
  if it is no worse than the current model (policy ``routing_retrain_tolerance``); one
  ``RetrainingRun`` row per attempt, claimed through a partial unique index so that two
  workers never train at once.
* :func:`model_header` / :func:`model_versions_overview` — the metadata of the model files.

Training is work on the real machine, so the intervals here are measured with
``core.clock.real_now`` (not the business clock that the simulation moves).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import socket
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from hotline.core.clock import real_now
from hotline.core.policy import policy
from hotline.routing.classifier import MAGIC, ModelInfo, TrainingDataError
from hotline.routing.models import RetrainingRun, RetrainingStatus
from hotline.routing.training import (
    current_model_path,
    model_versions,
    models_dir,
    next_model_path,
    split_rows,
    train_new_version,
    training_rows_from_tickets,
)
from hotline.tickets.models import Ticket

logger = logging.getLogger(__name__)

RETRAIN_CHECK_SECONDS = 600  # how often the count of closed tickets is asked, per process
RETRAIN_STALE = timedelta(hours=6)  # a "running" run older than this was abandoned

_retrain_checked: dict[str, Any] = {"at": -1e18, "due": False, "detail": {}}
_headers: dict[str, tuple[float, Any]] = {}


def model_header(path) -> Any:
    """The metadata of a model file (the JSON line after the magic), without reading the
    weights; cached by modification time. ``None`` for a file that is not a model."""
    path = Path(path)
    try:
        stamp = path.stat().st_mtime
    except OSError:
        return None
    cached = _headers.get(str(path))
    if cached is not None and cached[0] == stamp:
        return cached[1]
    try:
        with path.open("rb") as fh:
            if fh.read(len(MAGIC)) != MAGIC:
                return None
            info = ModelInfo.from_dict(json.loads(fh.readline(1 << 20).decode("utf-8")))
    except (OSError, ValueError, TypeError):
        return None
    _headers[str(path)] = (stamp, info)
    return info


def model_versions_overview() -> list[dict[str, Any]]:
    """The stored category models, newest (= current) first: version, trained, source, texts,
    hold-out macro-F1 (for the administrator)."""
    out = []
    versions = model_versions(models_dir(settings.DATA_DIR))
    for number, path in reversed(versions):
        info = model_header(path)
        out.append(
            {
                "version": info.version if info else path.stem,
                "number": number,
                "current": number == versions[-1][0],
                "trained_at": info.trained_at if info else "",
                "source": info.source if info else "",
                "n_samples": info.n_samples if info else 0,
                "macro_f1": (info.metrics or {}).get("macro_f1") if info else None,
                "readable": info is not None,
            }
        )
    return out


def _closed_ticket_count() -> int:
    """Closed tickets with a category: what ``training_rows_from_tickets`` trains on."""
    return Ticket.objects.filter(status="closed", category__isnull=False).count()


def retraining_due(*, force_check: bool = False) -> tuple[bool, dict[str, Any]]:
    """Is a scheduled retraining due? Only when a current model exists (the first one is
    trained on purpose: ``hotline routing train`` or the demo), the policy interval
    ``routing_retrain_interval_days`` (0 = never) has passed since that model was written and
    since the last run started (real time: training is work on the real machine), no run is
    going on, and at least ``routing_retrain_min_new_tickets`` closed tickets were added since
    the model was trained. Cheap when not due: a directory listing, then at most one indexed
    query; the ticket count is asked at most every ``RETRAIN_CHECK_SECONDS`` per process."""
    days = policy("routing_retrain_interval_days")
    if days <= 0:
        return False, {"reason": "disabled"}
    path = current_model_path(models_dir(settings.DATA_DIR))
    if path is None:
        return False, {"reason": "no_model"}
    interval = timedelta(days=days)
    now = real_now()
    written = datetime.fromtimestamp(path.stat().st_mtime, tz=now.tzinfo)
    if now - written < interval:
        return False, {"reason": "interval"}
    last = RetrainingRun.objects.order_by("-started_at", "-id").values_list("status", "started_at")[
        :1
    ]
    for status, started in last:
        if status == RetrainingStatus.RUNNING and now - started < RETRAIN_STALE:
            return False, {"reason": "running"}
        if now - started < interval:
            return False, {"reason": "interval"}
    tick = time.monotonic()
    if not force_check and tick - _retrain_checked["at"] < RETRAIN_CHECK_SECONDS:
        return _retrain_checked["due"], dict(_retrain_checked["detail"])
    info = model_header(path)
    closed = _closed_ticket_count()
    new = closed - (info.n_samples if info is not None and info.source == "tickets" else 0)
    detail = {
        "reason": "new_tickets",
        "closed": closed,
        "new": new,
        "needed": policy("routing_retrain_min_new_tickets"),
        "current": path.stem,
    }
    due = new >= detail["needed"]
    if not due:
        detail["reason"] = "too_few_new"
    _retrain_checked.update(at=tick, due=due, detail=detail)
    return due, dict(detail)


def _claim_retraining(*, trigger: str, force: bool):
    """Insert the ``running`` row, or ``None`` when not due or another worker has it (the
    partial unique index decides)."""
    now = real_now()
    with transaction.atomic():
        RetrainingRun.objects.filter(
            status=RetrainingStatus.RUNNING, started_at__lt=now - RETRAIN_STALE
        ).update(
            status=RetrainingStatus.FAILED,
            finished_at=now,
            reason="abandoned: the worker stopped before finishing",
        )
    detail: dict[str, Any] = {}
    if not force:
        due, detail = retraining_due(force_check=True)
        if not due:
            return None
    try:
        with transaction.atomic():
            return RetrainingRun.objects.create(
                status=RetrainingStatus.RUNNING,
                trigger=trigger[:20],
                started_at=now,
                worker=f"{socket.gethostname()}:{os.getpid()}"[:100],
                new_tickets=detail.get("new", 0),
            )
    except IntegrityError:
        return None  # another worker is training


def retrain_category_model(*, trigger: str = "manual", force: bool = False):
    """Retrain the category model from the closed tickets when due (or ``force``), and install
    the result as the next version only if its hold-out macro-F1 is no worse than the current
    model's by more than the policy ``routing_retrain_tolerance``; otherwise the current model
    stays and the run records why. Safe to call from several workers at once: one trains,
    the others return ``None``. Returns the finished :class:`RetrainingRun` (or ``None``)."""
    run = _claim_retraining(trigger=trigger, force=force)
    if run is None:
        return None
    directory = models_dir(settings.DATA_DIR)
    staging = directory / f".retrain-{run.pk}"
    started = time.monotonic()
    key = settings.SECRET_KEY.encode("utf-8")
    try:
        current = current_model_path(directory)
        info = model_header(current) if current is not None else None
        if info is not None:
            run.previous_version = info.version
            run.previous_macro_f1 = (info.metrics or {}).get("macro_f1")
        texts, labels = split_rows(training_rows_from_tickets())
        run.n_samples = len(texts)
        if info is not None and info.source == "tickets":
            run.new_tickets = len(texts) - info.n_samples
        if len(set(labels)) < 2:
            raise TrainingDataError("fewer than two categories among the closed tickets")
        # trained into a private directory: nothing serves it before it is judged
        clf, _staged, metrics = train_new_version(
            texts, labels, directory=staging, source="tickets", signing_key=key
        )
        run.macro_f1 = metrics.get("macro_f1")
        tolerance = policy("routing_retrain_tolerance")
        if run.macro_f1 is None and run.previous_macro_f1 is not None:
            run.status = RetrainingStatus.KEPT
            run.reason = _("训练数据过少，无法在留出集上评估新模型，保留原模型")
        elif (
            run.macro_f1 is not None
            and run.previous_macro_f1 is not None
            and run.macro_f1 < run.previous_macro_f1 - tolerance
        ):
            run.status = RetrainingStatus.KEPT
            run.reason = _(
                "新模型留出集宏平均F1 %(new).4f 低于原模型 %(old).4f 超过容差 %(tol).4f，保留原模型"
            ) % {"new": run.macro_f1, "old": run.previous_macro_f1, "tol": tolerance}
        else:
            path = clf.save(next_model_path(directory), signing_key=key)
            run.status = RetrainingStatus.INSTALLED
            run.version = path.stem
            run.reason = _("已启用新模型 %(v)s") % {"v": path.stem}
    except Exception as exc:  # recorded for the administrator; the current model stays
        logger.exception("routing: retraining failed")
        run.status = RetrainingStatus.FAILED
        run.reason = str(exc)[:2000] or exc.__class__.__name__
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    run.seconds = round(time.monotonic() - started, 2)
    run.finished_at = real_now()
    run.save()
    _retrain_checked["at"] = -1e18
    return run
