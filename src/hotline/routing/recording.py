"""What routing suggested and what was chosen, stored inside the intake and dispatch
transactions (the ``ticket_received`` and ``ticket_dispatching`` hooks of
:mod:`hotline.tickets.hooks`, registered in ``apps.py``).

* :func:`record_intake` — the category suggestion and the category the agent chose.
* :func:`record_dispatch` — the unit suggestion and the lead unit chosen; a coordinated
  dispatch is kept as a precedent (Art 14(3)).

The acceptance figures (:mod:`hotline.routing.selectors`) are read from these records. Nothing
here may make an intake or a dispatch fail: a missing or damaged model only means no category
suggestion, hence no record.

**Written after the answer** (issue 14): the suggestion is computed inside the transaction, so
it is the one made before this intake or dispatch counts as history, but the row is not on the
request's path: when the service's transaction is the outermost one (a request), the record
waits for its commit (``transaction.on_commit``) and is then written with the others of the
last second in one INSERT, by a background thread of the process (``_Pending``); the demo
history writes them at once (:func:`inline`), and a process that exits writes what is left.
Nested in a caller's transaction that is a test's, the record is written at once, in it. A
coordinated dispatch's precedent is written at once either way (later dispatches read it).
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime

from django.db import close_old_connections, connection, transaction

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
    if not suggested:
        return None
    rank = suggested.index(chosen) + 1 if chosen in suggested else None
    return _write(
        RoutingSuggestion(
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
    )


logger = logging.getLogger("hotline.routing")


class _Pending:
    """Suggestion records committed with their ticket and not yet written: written in one
    INSERT per second by a daemon thread of this process (started on the first record, again
    after a fork), by :func:`flush`, and at exit."""

    interval = 1.0

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rows: list[RoutingSuggestion] = []
        self._pid: int | None = None

    def add(self, row: RoutingSuggestion) -> None:
        with self._lock:
            self._rows.append(row)
            if self._pid != os.getpid():
                self._pid = os.getpid()
                threading.Thread(target=self._run, name="routing-records", daemon=True).start()

    def flush(self) -> int:
        with self._lock:
            rows, self._rows = self._rows, []
        if rows:
            try:
                RoutingSuggestion.objects.bulk_create(rows)
            except Exception:  # a statistic, never worth more than a log line
                logger.exception("%d routing suggestion records could not be written", len(rows))
                return 0
        return len(rows)

    def _run(self) -> None:
        stop = threading.Event()
        while not stop.wait(self.interval):
            try:
                self.flush()
            finally:
                close_old_connections()


_pending = _Pending()
atexit.register(_pending.flush)


def flush() -> int:
    """Write the records that wait for the background thread now (the demo seed, a test)."""
    return _pending.flush()


_inline: ContextVar[list[RoutingSuggestion] | None] = ContextVar("routing_inline", default=None)


@contextmanager
def inline() -> Iterator[None]:
    """Write the records inside the caller's transaction, all of them in one INSERT when the
    block ends (the demo history, one day per block: the next days and its tests read them)."""
    rows: list[RoutingSuggestion] = []
    token = _inline.set(rows)
    try:
        yield
        RoutingSuggestion.objects.bulk_create(rows)
    finally:
        _inline.reset(token)


def _write(record: RoutingSuggestion) -> RoutingSuggestion:
    rows = _inline.get()
    if rows is not None:
        rows.append(record)
        return record
    blocks = connection.atomic_blocks
    if blocks and not getattr(blocks[0], "_from_testcase", False):
        # the caller's transaction commits the change: the record follows it, off its path
        transaction.on_commit(lambda: _pending.add(record))
    else:
        record.save(force_insert=True)
    return record


def record_intake(*, ticket, actor, now: datetime) -> RoutingSuggestion | None:
    """The category suggestion for the ticket's text and the category the agent chose."""
    cats = suggest_categories(ticket.content)
    codes = [c["code"] for c in cats.items]
    chosen = ticket.category.code if ticket.category_id else ""
    return _record(
        ticket,
        SuggestionKind.CATEGORY,
        codes,
        [c["confidence"] for c in cats.items],
        chosen,
        cats.model_version,
        actor,
        now,
    )


def record_dispatch(
    *, ticket, lead, assists: Sequence = (), coordinated: bool, actor, now: datetime
) -> RoutingSuggestion | None:
    """The unit suggestion for the ticket and the lead unit chosen; a coordinated dispatch is
    kept as a precedent (Art 14(3): later similar tickets are dispatched the same way)."""
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
    record = _record(
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
    if coordinated:
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
    return record


# -- the ticket hooks (registered in apps.py) ----------------------------------------------------
# Thin on purpose: the names are looked up when the hook runs, so a test that replaces
# ``record_intake`` / ``record_dispatch`` on this module replaces what the hooks do.


def on_ticket_received(*, ticket, actor, now: datetime) -> None:
    """``ticket_received``: at the end of ``ticket_intake``, inside its transaction."""
    record_intake(ticket=ticket, actor=actor, now=now)


def on_ticket_dispatching(
    *, ticket, lead, assists: Sequence, coordinated: bool, actor, now: datetime
) -> None:
    """``ticket_dispatching``: in ``ticket_dispatch`` before the state changes, so the unit
    suggestion is the one made before this dispatch counts as history."""
    record_dispatch(
        ticket=ticket, lead=lead, assists=assists, coordinated=coordinated, actor=actor, now=now
    )
