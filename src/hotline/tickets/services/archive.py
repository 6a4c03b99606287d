"""The one home of what every ticket service shares: the guard call, the row locks, the state
changes through the transition tables, and the archive (Art 17) and outbox (Art 21) rows.

How a service uses it::

    @_ticket_write                      # one transaction; the archive rows written at its end
    def ticket_x(*, ticket, actor, now):
        ticket = _lock(ticket)          # the row lock: two people acting at once get one success
        _check(actor, "x", ticket=ticket, now=now)     # the guard (rules.allowed)
        _set_ticket_state(ticket, "x")  # through rules.TICKET_TRANSITIONS only
        _event(ticket, EventType.X, now=now, actor=actor)   # event + outbox row
        _save_ticket(ticket, ["status"])

**Why a collector in a context variable** (it replaced a ``threading.local``): ``_event`` does
not INSERT its rows one by one; the service's :class:`ArchiveBatch` collects them and
``_ticket_write`` writes them with one ``bulk_create`` per table when the service returns,
together with the outbox sequence of every ticket the service advanced. The batch is the
state of one running service call, so it lives in a :class:`contextvars.ContextVar` set by
``_ticket_write`` and reset (by token) when it leaves: it is explicit (one object, typed,
created and discarded in one place), and it follows the caller's context where a thread-local
follows the thread (asgiref's ``sync_to_async`` runs sync code in a copied context on a shared
thread). A service called from inside another one first writes the outer batch's rows, so
the archive keeps its order, then collects its own. Behaviour is that of the thread-local it
replaced: the same rows, in the same order, with the same number of queries. Outside any
service (a shell, a data fix) ``_event`` writes at once.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from hotline.core.errors import DomainError, InvalidTransition, PermissionDenied
from hotline.orgs.models import Organisation, User
from hotline.tickets import rules
from hotline.tickets.error_codes import TicketErrorCode
from hotline.tickets.models import Assignment, OutboxMessage, Review, Ticket, TicketEvent
from hotline.tickets.services.locking import (
    lock_ticket,
    locked_assignment,
    locked_review,
    save_row,
)

# -- errors with contract codes ------------------------------------------------------------


class Conflict(DomainError):
    status = 409
    code = TicketErrorCode.CONFLICT


def _refuse(decision: rules.Decision) -> None:
    """Raise the domain error that carries the guard's refusal (its HTTP status and code)."""
    if decision.ok:
        return
    if decision.status == 403:
        raise PermissionDenied()
    if decision.code == TicketErrorCode.INVALID_TRANSITION:
        raise InvalidTransition()
    raise Conflict(decision.message, code=decision.code)


def _check(user: User, action: str, *, now: datetime, **objects: Any) -> None:
    """The one guard (rules.allowed): the same answer decides which buttons a page shows."""
    _refuse(rules.allowed(user, action, now=now, **objects))


# -- archive and outbox ----------------------------------------------------------------------


@dataclass
class ArchiveBatch:
    """The archive rows one service call appended, written when it returns (module doc)."""

    events: list[TicketEvent] = field(default_factory=list)
    messages: list[OutboxMessage] = field(default_factory=list)
    # the tickets whose outbox_seq was advanced in Python and is not yet stored, by pk
    tickets: dict[int, Ticket] = field(default_factory=dict)
    # what the call wrote, kept for its caller's answer (``last_batch``): every event in
    # order, and every assignment it locked, changed or created, by pk
    written: list[TicketEvent] = field(default_factory=list)
    assignments: dict[int, Assignment] = field(default_factory=dict)
    # outbox rows appended per ticket pk (each advanced that ticket's outbox_seq by one)
    pushed: dict[int, int] = field(default_factory=dict)
    # the ticket the caller locked for this call (``holding``): ``_lock`` hands it over
    held: Ticket | None = None

    def touch(self, assignment: Assignment) -> None:
        self.assignments[assignment.pk] = assignment

    def flush_rows(self) -> None:
        """One INSERT per table, in the order the rows were appended (an action that records
        two events writes them together)."""
        if self.events:
            TicketEvent.objects.bulk_create(self.events)
            self.events.clear()
        if self.messages:
            OutboxMessage.objects.bulk_create(self.messages)
            self.messages.clear()

    def flush(self) -> None:
        self.flush_rows()
        for ticket in self.tickets.values():
            _flush_seq(ticket)

    def take(self, call: ArchiveBatch) -> None:
        """Keep the rows of a call that succeeded (``batched``); its outbox sequence is
        written now (the next lock of its ticket reads it)."""
        self.events.extend(call.events)
        self.messages.extend(call.messages)
        call.events.clear()
        call.messages.clear()
        for ticket in call.tickets.values():
            _flush_seq(ticket)
        if len(self.events) + len(self.messages) >= BATCHED_ROWS:
            self.flush_rows()


# rows kept by ``batched`` before they are written anyway (one INSERT per table and batch)
BATCHED_ROWS = 4000


_batch: ContextVar[ArchiveBatch | None] = ContextVar("tickets_archive_batch", default=None)
_scope: ContextVar[ArchiveBatch | None] = ContextVar("tickets_archive_scope", default=None)


@contextmanager
def batched() -> Iterator[None]:
    """Many service calls inside one transaction of the caller, their archive rows written
    with one INSERT per table (issue 14: the demo history plays a day's work in one
    transaction; a call's two INSERTs were a fifth of its time). The rows of each call that
    succeeded are kept, in order, and written when the block ends, every ``BATCHED_ROWS``,
    and on ``flush_batched`` (before anything reads the archive); a call that fails leaves
    none, as its savepoint leaves nothing else. The outbox sequence of each call is written
    at once, as without the block."""
    scope = ArchiveBatch()
    token = _scope.set(scope)
    try:
        yield
        scope.flush_rows()
    finally:
        _scope.reset(token)


def flush_batched() -> None:
    """Write the rows ``batched`` keeps now (a reader of the archive comes next)."""
    scope = _scope.get()
    if scope is not None:
        scope.flush_rows()


_last: ContextVar[ArchiveBatch | None] = ContextVar("tickets_archive_last", default=None)


def last_batch() -> ArchiveBatch | None:
    """The batch of the outermost service call that last returned in this context: the
    events it wrote and the assignments it touched, so the API renders its answer from the
    objects in hand instead of reading the ticket again (issue 14)."""
    return _last.get()


def _touch(assignment: Assignment) -> None:
    batch = _batch.get()
    if batch is not None:
        batch.touch(assignment)


def _ticket_write(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``transaction.atomic`` for a service that appends events: the outbox sequence is kept
    in Python on the ticket row the service locked, and written back here once, with the
    service's own ticket update when it has one (no extra query for it)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        outer = _batch.get()
        held = _held.get() if outer is None else None
        # inside ``holding`` the caller's transaction is this call's: no savepoint of its own
        with transaction.atomic(savepoint=held is None):
            if outer is not None:
                flush_batched()  # a nested service: the archive keeps its order
                outer.flush()
            else:
                _last.set(None)  # a failed call leaves no answer behind
            batch = ArchiveBatch(held=held)
            if held is not None:
                _held.set(None)  # only the first service call inside ``holding``
                batch.tickets[held.pk] = held
            token = _batch.set(batch)
            try:
                result = fn(*args, **kwargs)
                scope = _scope.get() if outer is None else None
                if scope is None:
                    batch.flush()
                else:  # ``batched``: the rows wait for the others of the block
                    scope.take(batch)
            finally:
                _batch.reset(token)
            if outer is not None:
                # what a nested call wrote is part of the outer call's answer
                outer.written.extend(batch.written)
                outer.assignments.update(batch.assignments)
                for pk, n in batch.pushed.items():
                    outer.pushed[pk] = outer.pushed.get(pk, 0) + n
            else:
                _last.set(batch)
            return result

    return wrapper


def _seq_unsaved(ticket: Ticket) -> bool:
    """Whether ``outbox_seq`` in memory differs from the stored one (``_seq_stored``: what the
    lock reserved, ``locking.lock_ticket``, or what was last written; unknown: written)."""
    return ticket.outbox_seq != getattr(ticket, "_seq_stored", None)


def _flush_seq(ticket: Ticket) -> None:
    if _seq_unsaved(ticket):
        Ticket.objects.filter(pk=ticket.pk).update(outbox_seq=ticket.outbox_seq)
        ticket._seq_stored = ticket.outbox_seq


def _save_ticket(ticket: Ticket, fields: Sequence[str]) -> None:
    """Save the changed fields of the locked ticket, with any outbox sequence not yet written."""
    update = [*fields, "updated_at"]
    if _seq_unsaved(ticket):
        update.append("outbox_seq")
        ticket._seq_stored = ticket.outbox_seq
    save_row(ticket, update)


def _event(
    ticket: Ticket,
    type_: str,
    *,
    now: datetime,
    actor: User | None,
    org: Organisation | None = None,
    assignment: Assignment | None = None,
    data: dict[str, Any] | None = None,
    push: bool = True,
    seq_stored: bool = False,
) -> TicketEvent:
    """Append the event (Art 17) and, for state changes, the outbox row (Art 21) — same
    transaction as the change itself. ``type_`` is an ``EventType``. The ticket must be the row
    the service locked (or created): its ``outbox_seq`` is advanced here and written back by
    ``_ticket_write`` (``seq_stored``: the caller already stored the new value, as intake does
    on insert)."""
    type_ = str(type_)  # the stored code, not the enum member
    if org is None and actor is not None:
        org = actor.organisation
    batch = _batch.get()
    event = TicketEvent(
        ticket=ticket,
        assignment=assignment,
        at=now,
        type=type_,
        actor=actor,
        org=org,
        data=data or {},
    )
    if batch is None:
        event.save(force_insert=True)  # called outside a service: written at once
    else:
        batch.events.append(event)
        batch.written.append(event)
        if assignment is not None:
            batch.touch(assignment)
    if push:
        if seq_stored:
            ticket._seq_stored = ticket.outbox_seq
        else:
            ticket.outbox_seq += 1
            if batch is None:
                _flush_seq(ticket)  # called outside a service: write it back at once
            else:
                batch.tickets[ticket.pk] = ticket
        seq = ticket.outbox_seq
        message = OutboxMessage(
            ticket=ticket,
            seq=seq,
            type=type_,
            created_at=now,
            next_attempt_at=now,
            payload={
                "type": type_,
                "seq": seq,
                "at": now.isoformat(),
                "ticket": {
                    "number": ticket.number,
                    "status": ticket.status,
                    "channel": ticket.channel,
                    "appeal_type": ticket.appeal_type,
                    "county": ticket.county.code if ticket.county_id else None,
                },
                "assignment": (
                    {"id": assignment.pk, "org": assignment.org.code, "status": assignment.status}
                    if assignment is not None
                    else None
                ),
                "org": org.code if org is not None else None,
                "data": data or {},
            },
        )
        if batch is None:
            message.save(force_insert=True)
        else:
            batch.messages.append(message)
            batch.pushed[ticket.pk] = batch.pushed.get(ticket.pk, 0) + 1
    return event


# -- locks and state changes -----------------------------------------------------------------

_held: ContextVar[Ticket | None] = ContextVar("tickets_held", default=None)


@contextmanager
def holding(
    target: QuerySet, *, reserve: int = 1, review_id: int | None = None
) -> Iterator[Ticket | None]:
    """One transaction for a caller that finds the ticket in its scope and then runs one
    service on it (the API): the scoped read is the row lock (``locking.lock_ticket``, with
    the history the answer needs), and the service takes the ticket locked here instead of
    locking it again, inside this transaction instead of a savepoint of its own. Yields
    ``None`` when ``target`` (a selector's query of one ticket id) selects nothing: the caller
    answers 404."""
    with transaction.atomic():
        ticket = lock_ticket(target, reserve=reserve, events=True, review_id=review_id)
        token = _held.set(ticket)
        try:
            yield ticket
        finally:
            _held.reset(token)


def _lock(ticket: Ticket, *, reserve: int = 1, review_id: int | None = None) -> Ticket:
    """The ticket under its row lock, with every assignment: two people acting at once get
    one success. The ticket the caller locked (``holding``) when it is this one; else one
    statement locks and reads it (``locking.lock_ticket``, which also reserves ``reserve``
    outbox sequence numbers: the rows the action will append, one for nearly every action)."""
    batch = _batch.get()
    if batch is not None and batch.held is not None and batch.held.pk == ticket.pk:
        held, batch.held = batch.held, None
        return held
    fresh = lock_ticket(ticket.pk, reserve=reserve, review_id=review_id)
    if fresh is None:
        raise Ticket.DoesNotExist()
    if batch is not None:
        batch.tickets[fresh.pk] = fresh  # the reserved sequence is put right if unused
    return fresh


def _lock_assignment(assignment: Assignment) -> tuple[Ticket, Assignment]:
    """Lock the ticket with every assignment (the one acted on, its parent — the clock and the
    reviewer of a re-dispatched unit — and its siblings: is every unit's reply in?) and hand
    back the locked copy of this one (its changes are made under that lock)."""
    ticket = _lock(Ticket(pk=assignment.ticket_id))
    fresh = locked_assignment(ticket, assignment.pk)
    if fresh is None:
        raise Assignment.DoesNotExist()
    for a in ticket._locked_assignments:
        _touch(a)
    return ticket, fresh


def _lock_review(review: Review) -> tuple[Ticket, Review]:
    """Lock the review's ticket and read the review under that lock (every change of a review
    is made under its ticket's lock)."""
    ticket = _lock(Ticket(pk=review.ticket_id), review_id=review.pk)
    fresh = locked_review(ticket)
    if fresh is None or fresh.pk != review.pk:  # the caller locked the ticket without it
        fresh = Review.objects.select_related("reviewer_org", "requested_org").get(pk=review.pk)
        if fresh.assignment_id is not None:
            fresh.assignment = locked_assignment(ticket, fresh.assignment_id)
    return ticket, fresh


def _set_ticket_state(ticket: Ticket, event: str) -> None:
    target = rules.next_ticket_state(ticket.status, event)
    if target is None:
        raise InvalidTransition()
    ticket.status = target


def _set_assignment_state(assignment: Assignment, event: str) -> None:
    target = rules.next_assignment_state(assignment.status, event)
    if target is None:
        raise InvalidTransition()
    assignment.status = target
