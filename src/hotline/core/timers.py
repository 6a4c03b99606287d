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
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from django.db import close_old_connections, connections

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper

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


class Stoppable(Protocol):
    def stop(self) -> None: ...

    def join(self, timeout: float | None = None) -> None: ...


# The key of the PostgreSQL advisory lock whose holder runs the in-process background work
# ("hotline" in ASCII); advisory locks are per database, so one lead per database.
TIMER_LEAD_LOCK_KEY = 0x686F746C696E65


class TimerLeadThread(threading.Thread):
    """Runs the in-process background work (timers, relay) in exactly one process of many.

    Several ``hotline serve`` processes (gunicorn workers, several app servers) may share one
    PostgreSQL database with no broker. Timers are safe to run twice at once, but running them
    in every process multiplies the sweeps, and the outbox relay is meant to run once. The lead
    is a session advisory lock (``pg_try_advisory_lock``) taken on a connection of its own: it
    lasts exactly as long as that session, so a process that dies (or loses its connection)
    loses the lead with it, and the next campaign of another process takes it over within
    ``retry_seconds``. The holder checks its session every ``retry_seconds`` too and stops
    the work at once when the session is gone (another process may hold the lock by then).

    ``start()`` starts the work and returns what to stop when the lead ends.
    """

    def __init__(
        self,
        *,
        start: Callable[[], Sequence[Stoppable]],
        retry_seconds: float = 5.0,
        key: int = TIMER_LEAD_LOCK_KEY,
        alias: str = "default",
    ) -> None:
        super().__init__(name="hotline-timer-lead", daemon=True)
        self.start_work = start
        self.retry_seconds = retry_seconds
        self.key = key
        self.alias = alias
        self.stopped = threading.Event()
        self.leading = threading.Event()
        self._session: BaseDatabaseWrapper | None = None  # the session that holds the lock
        self._work: Sequence[Stoppable] = ()

    def run(self) -> None:
        try:
            while not self.stopped.is_set():
                try:
                    if self._session is None:
                        self._campaign()
                    elif not self._session_alive():
                        logger.warning(
                            "timer lead lost by process %s (its database session ended)",
                            os.getpid(),
                        )
                        self._step_down()
                except Exception:  # the database may be away; retry on the next round
                    logger.exception("timer lead campaign failed")
                    self._step_down()
                self.stopped.wait(self.retry_seconds)
        finally:
            self._step_down()

    def stop(self) -> None:
        self.stopped.set()

    def _campaign(self) -> None:
        session = connections.create_connection(self.alias)
        try:
            with session.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_lock(%s)", [self.key])
                row = cursor.fetchone()
                won = bool(row and row[0])
        except Exception:
            with contextlib.suppress(Exception):
                session.close()
            raise
        if not won:
            session.close()
            return
        self._session = session
        self._work = tuple(self.start_work())
        self.leading.set()
        logger.info("timer lead taken by process %s", os.getpid())

    def _session_alive(self) -> bool:
        if self._session is None:
            return False
        try:
            with self._session.cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
        except Exception:
            return False
        return True

    def _step_down(self) -> None:
        work, self._work = self._work, ()
        for item in work:
            item.stop()
        for item in work:
            item.join(timeout=10)
        session, self._session = self._session, None
        if session is not None:
            # closing the session releases the lock; the explicit unlock is for a pooled
            # connection that would otherwise outlive us
            with contextlib.suppress(Exception), session.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [self.key])
            with contextlib.suppress(Exception):
                session.close()
            if self.leading.is_set():
                logger.info("timer lead released by process %s", os.getpid())
        self.leading.clear()


@register("core.prune_api_tokens", order=950)
def prune_api_tokens(*, now: datetime) -> int:
    """Delete expired API tokens (real time: they expire on the real clock)."""
    from hotline.core.auth import tokens_prune

    return tokens_prune()
