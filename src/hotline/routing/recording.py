"""What routing suggested and what was chosen, recorded for the intake and dispatch hooks
(``ticket_received`` and ``ticket_dispatching`` of :mod:`hotline.tickets.hooks`, registered in
``apps.py``).

* :func:`record_intake` — the category suggestion and the category the agent chose.
* :func:`record_dispatch` — the unit suggestion and the lead unit chosen; a coordinated
  dispatch is kept as a precedent (Art 14(3)).

The acceptance figures (:mod:`hotline.routing.selectors`) are read from these records. Nothing
here may make an intake or a dispatch fail: a missing or damaged model only means no category
suggestion, hence no record.

**Off the request's path** (issue 14): when the service's transaction commits the change (a
request), the suggestion is computed and recorded after the commit, with the others of the
last second in one INSERT, by a background thread of the process (``_Pending``; a process
that exits writes what is left). It is still the suggestion made before the dispatch counts
as history: it leaves the ticket itself out, and the learned models read the dispatches only
when they are refreshed. The demo history records inside its transaction, one INSERT a day
(:func:`inline`); nested in a test case's transaction, the record is written at once. A
coordinated dispatch's precedent is written at once either way (the next dispatch reads it).
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime

from django.db import connection, connections, transaction

from hotline.routing.models import Precedent, RoutingSuggestion, SuggestionKind
from hotline.routing.suggestions import locate, precedents, suggest_categories, suggest_units


def _record(
    ticket,
    kind: str,
    suggested: list[str],
    reasons: list,
    chosen: str,
    version: str,
    actor,
    now,
    sources: list | None = None,
) -> RoutingSuggestion | None:
    """The record (not written) of a suggestion and what was chosen; none without one."""
    if not suggested:
        return None
    rank = suggested.index(chosen) + 1 if chosen in suggested else None
    return RoutingSuggestion(
        ticket=ticket,
        kind=kind,
        suggested=suggested,
        reasons=reasons,
        sources=sources or [],
        chosen=chosen or "",
        accepted=rank is not None,
        rank=rank,
        model_version=version,
        at=now,
        actor=actor if getattr(actor, "pk", None) else None,
    )


logger = logging.getLogger("hotline.routing")

Build = Callable[[], RoutingSuggestion | None]


class _Pending:
    """Suggestions to compute and record after their ticket's commit: done, and written in
    one INSERT per second, by a daemon thread of this process (started on the first one,
    again after a fork), by :func:`flush`, and at exit."""

    interval = 1.0

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: list[Build] = []
        self._pid: int | None = None

    def add(self, build: Build) -> None:
        with self._lock:
            self._items.append(build)
            if self._pid != os.getpid():
                self._pid = os.getpid()
                threading.Thread(target=self._run, name="routing-records", daemon=True).start()

    def flush(self, *, exiting: bool = False) -> int:
        with self._lock:
            items, self._items = self._items, []
        rows, failed = [], 0
        for build in items:
            try:
                row = build()
            except Exception:  # a statistic, never worth more than a log line
                if not exiting:
                    logger.exception("a routing suggestion could not be computed")
                failed += 1
                continue
            if row is not None:
                rows.append(row)
        if failed and exiting:  # e.g. the model cannot be loaded any more at shutdown
            logger.warning("%d routing suggestions not recorded at exit", failed)
        if rows:
            try:
                RoutingSuggestion.objects.bulk_create(rows)
            except Exception:
                logger.exception("%d routing suggestion records could not be written", len(rows))
                return 0
        return len(rows)

    def _run(self) -> None:
        stop = threading.Event()
        while not stop.wait(self.interval):
            if not self._items:
                continue
            try:
                self.flush()
            finally:
                connections.close_all()  # this thread's own: held only while it writes


_pending = _Pending()
atexit.register(lambda: _pending.flush(exiting=True))


def flush() -> int:
    """Compute and write the records that wait for the background thread now."""
    return _pending.flush()


_inline: ContextVar[list[RoutingSuggestion] | None] = ContextVar("routing_inline", default=None)


@contextmanager
def inline() -> Iterator[None]:
    """Record inside the caller's transaction, every record of the block in one INSERT when
    it ends (the demo history, one day per block: the next days and its tests read them)."""
    rows: list[RoutingSuggestion] = []
    token = _inline.set(rows)
    try:
        yield
        RoutingSuggestion.objects.bulk_create(rows)
    finally:
        _inline.reset(token)


def _deferred() -> bool:
    """Whether the records wait for the commit (module doc): inside a transaction that
    commits the change, outside ``inline``, and not inside a test case's transaction."""
    blocks = connection.atomic_blocks
    return (
        bool(blocks) and _inline.get() is None and not getattr(blocks[0], "_from_testcase", False)
    )


def _write(record: RoutingSuggestion | None) -> RoutingSuggestion | None:
    if record is None:
        return None
    rows = _inline.get()
    if rows is not None:
        rows.append(record)
    else:
        record.save(force_insert=True)
    return record


def _intake_record(*, ticket, actor, now: datetime) -> RoutingSuggestion | None:
    cats = suggest_categories(ticket.content)
    chosen = ticket.category.code if ticket.category_id else ""
    return _record(
        ticket,
        SuggestionKind.CATEGORY,
        [c["code"] for c in cats.items],
        [c["confidence"] for c in cats.items],
        chosen,
        cats.model_version,
        actor,
        now,
    )


def _dispatch_record(*, ticket, lead, actor, now: datetime) -> RoutingSuggestion | None:
    category = ticket.category.code if ticket.category_id else ""
    place = locate(ticket.address, ticket.content, ticket.county.code)
    units = suggest_units(
        ticket.content,
        category=category,
        county=ticket.county.code,
        township=place.township if place.county == ticket.county.code else "",
        exclude_ticket=ticket.pk,
        now=now,
    )
    return _record(
        ticket,
        SuggestionKind.UNIT,
        [u.code for u in units],
        [u.reasons for u in units],
        lead.code,
        "",
        actor,
        now,
        sources=[u.sources for u in units],
    )


def _keep_precedent(*, ticket, lead, assists: Sequence, actor, now: datetime) -> None:
    """Art 14(3): a coordinated dispatch is kept as a precedent (later similar tickets are
    dispatched the same way); at once, inside the dispatch (the next dispatch reads it)."""
    fields = {
        "category": ticket.category,
        "county": ticket.county,
        "text": ticket.content,
        "lead": lead,
        "assists": [a.code for a in assists],
        "created_at": now,
        "created_by": actor if getattr(actor, "pk", None) else None,
        "active": True,
    }
    # the ticket row is locked by the dispatch: no race on its one precedent
    if Precedent.objects.filter(ticket=ticket).update(**fields):
        precedents.clear()  # update() sends no post_save
    else:
        Precedent.objects.create(ticket=ticket, **fields)


def record_intake(*, ticket, actor, now: datetime) -> RoutingSuggestion | None:
    """The category suggestion for the ticket's text and the category the agent chose."""
    return _write(_intake_record(ticket=ticket, actor=actor, now=now))


def record_dispatch(
    *, ticket, lead, assists: Sequence = (), coordinated: bool, actor, now: datetime
) -> RoutingSuggestion | None:
    """The unit suggestion for the ticket and the lead unit chosen; a coordinated dispatch is
    kept as a precedent (Art 14(3): later similar tickets are dispatched the same way)."""
    record = _write(_dispatch_record(ticket=ticket, lead=lead, actor=actor, now=now))
    if coordinated:
        _keep_precedent(ticket=ticket, lead=lead, assists=assists, actor=actor, now=now)
    return record


# -- the ticket hooks (registered in apps.py) ----------------------------------------------------
# Thin on purpose: the names are looked up when the hook runs, so a test that replaces
# ``record_intake`` / ``record_dispatch`` on this module replaces what the hooks do.


def on_ticket_received(*, ticket, actor, now: datetime) -> None:
    """``ticket_received``: at the end of ``ticket_intake``, inside its transaction; the
    suggestion is computed and recorded after its commit (module doc)."""
    if not _deferred():
        record_intake(ticket=ticket, actor=actor, now=now)
        return
    transaction.on_commit(
        lambda: _pending.add(lambda: _intake_record(ticket=ticket, actor=actor, now=now))
    )


def on_ticket_dispatching(
    *, ticket, lead, assists: Sequence, coordinated: bool, actor, now: datetime
) -> None:
    """``ticket_dispatching``: in ``ticket_dispatch`` before the state changes. The unit
    suggestion excludes this ticket and the learned models read the dispatches when they
    are refreshed, so the suggestion computed after the commit is the one made before this
    dispatch counts as history (module doc); the precedent is kept at once."""
    if not _deferred():
        record_dispatch(
            ticket=ticket, lead=lead, assists=assists, coordinated=coordinated, actor=actor, now=now
        )
        return
    transaction.on_commit(
        lambda: _pending.add(
            lambda: _dispatch_record(ticket=ticket, lead=lead, actor=actor, now=now)
        )
    )
    if coordinated:
        _keep_precedent(ticket=ticket, lead=lead, assists=assists, actor=actor, now=now)
