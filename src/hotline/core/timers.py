"""The timer registry: every time-driven action of the platform registers here.

A timer is a function ``fn(*, now) -> int`` that finds due work through indexed ``*_due_at``
columns, acts through the services, and returns how many items it handled. Timers must be
idempotent and safe to run in two processes at once (they lock what they change), so the
in-process thread, the Celery beat task and ``POST /simulation/run-timers`` share this one
entry point.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db import close_old_connections

logger = logging.getLogger(__name__)

TimerFn = Callable[..., int]


@dataclass(frozen=True)
class Timer:
    name: str
    fn: TimerFn
    order: int


_registry: dict[str, Timer] = {}


def register(name: str, *, order: int = 100) -> Callable[[TimerFn], TimerFn]:
    """Decorator: ``@register("tickets.auto_sign")`` adds a timer; lower ``order`` runs first."""

    def decorator(fn: TimerFn) -> TimerFn:
        _registry[name] = Timer(name=name, fn=fn, order=order)
        return fn

    return decorator


def registered() -> list[Timer]:
    return sorted(_registry.values(), key=lambda t: (t.order, t.name))


def run_due_timers(*, now: datetime, trigger: str = "manual") -> dict[str, int]:
    """Run every registered timer at business time ``now`` and record the run."""
    from hotline.core.clock import real_now
    from hotline.core.models import TimerRun

    # one row per sweep, written when it ends; a failed sweep is recorded unfinished when the
    # database still takes writes
    run = TimerRun(started_at=real_now(), business_now=now, trigger=trigger)
    try:
        for timer in registered():
            run.summary[timer.name] = timer.fn(now=now)
    except Exception:
        with contextlib.suppress(Exception):
            run.save()
        raise
    run.finished_at = real_now()
    run.save()
    return run.summary


class InProcessTimerThread(threading.Thread):
    """Runs the timers every ``interval`` seconds inside ``hotline serve`` (embedded default)."""

    def __init__(self, interval: float) -> None:
        super().__init__(name="hotline-timers", daemon=True)
        self.interval = interval
        self.stopped = threading.Event()

    def run(self) -> None:
        from hotline.core.clock import now

        while not self.stopped.wait(self.interval):
            try:
                close_old_connections()
                run_due_timers(now=now(), trigger="in-process")
            except Exception:  # keep the thread alive; the next sweep retries
                logger.exception("timer sweep failed")
            finally:
                close_old_connections()

    def stop(self) -> None:
        self.stopped.set()


@register("core.prune_api_tokens", order=950)
def prune_api_tokens(*, now: datetime) -> int:
    """Delete expired API tokens (real time: they expire on the real clock)."""
    from hotline.core.auth import tokens_prune

    return tokens_prune()
