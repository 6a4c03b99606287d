"""The timers' actions: overdue assignments and dispatches, missed Art 18 progress
updates. No actor: the system records them (Art 17)."""

from __future__ import annotations

from datetime import datetime, timedelta

from hotline.core.policy import policy
from hotline.tickets import deadlines, rules
from hotline.tickets.choices import AssignmentStatus, EventType, TicketStatus
from hotline.tickets.models import Assignment, Ticket
from hotline.tickets.services.archive import (
    _event,
    _lock,
    _lock_assignment,
    _save_ticket,
    _ticket_write,
)
from hotline.tickets.services.locking import save_row


@_ticket_write
def assignment_mark_overdue(*, assignment: Assignment, now: datetime) -> bool:
    """An assignment past its deadline is overdue; overdue is never silently cleared."""
    ticket, assignment = _lock_assignment(assignment)
    due_at = assignment.due_at
    if (
        assignment.overdue
        or assignment.status not in rules.OPEN_ASSIGNMENT_STATES
        or due_at is None  # not signed yet: no handling deadline to miss
        or not (deadlines.overdue(due_at=due_at, now=now))
    ):
        return False
    assignment.overdue = True
    assignment.overdue_at = deadlines.deadline_instant(due_at)
    save_row(assignment, ["overdue", "overdue_at"])
    _event(
        ticket,
        EventType.OVERDUE,
        now=now,
        actor=None,
        org=assignment.org,
        assignment=assignment,
        data={"due_at": due_at.isoformat()},
    )
    return True


@_ticket_write
def ticket_mark_dispatch_overdue(*, ticket: Ticket, now: datetime) -> bool:
    ticket = _lock(ticket)
    if (
        ticket.status != TicketStatus.NEW
        or ticket.dispatch_overdue
        or (ticket.dispatch_due_at is None or now <= ticket.dispatch_due_at)
    ):
        return False
    ticket.dispatch_overdue = True
    _event(
        ticket,
        EventType.DISPATCH_OVERDUE,
        now=now,
        actor=None,
        data={"dispatch_due_at": ticket.dispatch_due_at.isoformat()},
    )
    _save_ticket(ticket, ["dispatch_overdue"])
    return True


@_ticket_write
def assignment_progress_missed(*, assignment: Assignment, now: datetime) -> bool:
    """Art 18: a major-incident unit that misses its first response or daily update."""
    ticket, assignment = _lock_assignment(assignment)
    if (
        assignment.status != AssignmentStatus.IN_PROGRESS
        or assignment.progress_due_at is None
        or assignment.progress_due_at > now
    ):
        return False
    missed_due = assignment.progress_due_at
    assignment.progress_missed += 1
    assignment.progress_due_at = missed_due + timedelta(
        hours=policy("art18_progress_interval_hours")
    )
    save_row(assignment, ["progress_missed", "progress_due_at"])
    kind = (
        EventType.FIRST_RESPONSE_MISSED
        if assignment.first_response_at is None
        else EventType.PROGRESS_MISSED
    )
    _event(
        ticket,
        kind,
        now=now,
        actor=None,
        org=assignment.org,
        assignment=assignment,
        data={"due_at": missed_due.isoformat()},
    )
    return True
