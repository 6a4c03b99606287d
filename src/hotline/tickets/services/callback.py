"""Callback and closing (Art 16(1)) and a unit's dispute of an evaluation (Art 16(2))."""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext as _

from hotline.calendar.services import get_calendar
from hotline.core.errors import InvalidInput
from hotline.orgs.models import User
from hotline.orgs.selectors import center_org
from hotline.tickets import deadlines
from hotline.tickets.choices import (
    CallbackOutcome,
    CloseReason,
    EventType,
    ReviewKind,
    TicketStatus,
)
from hotline.tickets.error_codes import TicketErrorCode as Code
from hotline.tickets.models import Assignment, Evaluation, Review, Ticket
from hotline.tickets.services import reference
from hotline.tickets.services.archive import (
    _check,
    _event,
    _lock,
    _save_ticket,
    _set_assignment_state,
    _set_ticket_state,
    _ticket_write,
)
from hotline.tickets.services.handling import _top_level_live
from hotline.tickets.services.locking import save_row
from hotline.tickets.services.validation import _clean_text

CLOSE_FOR_OUTCOME: dict[str, CloseReason] = {
    CallbackOutcome.SATISFIED: CloseReason.SATISFIED,
    CallbackOutcome.BASICALLY_SATISFIED: CloseReason.BASICALLY_SATISFIED,
    CallbackOutcome.NO_RESPONSE: CloseReason.NO_RESPONSE,
}


def _close(ticket: Ticket, *, reason: str, actor: User | None, now: datetime) -> None:
    _set_ticket_state(ticket, "close")
    ticket.closed_at = now
    ticket.close_reason = reason
    _event(ticket, EventType.CLOSED, now=now, actor=actor, data={"close_reason": reason})
    _save_ticket(
        ticket,
        [
            "status",
            "closed_at",
            "close_reason",
            "evaluation_outcome",
            "evaluation_resolved",
            "evaluated_at",
        ],
    )


def _redo(ticket: Ticket, *, actor: User | None, now: datetime) -> list[Assignment]:
    cal = get_calendar()
    base = deadlines.base_working_days(
        appeal_type=ticket.appeal_type, channel=ticket.channel, category=ticket.category
    )
    _set_ticket_state(ticket, "redo")
    ticket.redo_total += 1
    ticket.result_received_at = None
    ticket.callback_due_at = None
    redone = []
    for assignment in _top_level_live(ticket):
        _set_assignment_state(assignment, "redo")
        assignment.redo_count += 1
        assignment.replied_at = None
        first = assignment.first_signed_at or assignment.signed_at or now
        assignment.due_at = deadlines.redo_due(
            cal,
            first_clock_start=first,
            base_days=base,
            extension_days=assignment.extension_days,
            redo_start=now,
        )
        save_row(assignment, ["status", "redo_count", "replied_at", "due_at"])
        _event(
            ticket,
            EventType.REDO,
            now=now,
            actor=actor,
            org=assignment.org,
            assignment=assignment,
            data={"redo_count": assignment.redo_count, "due_at": assignment.due_at.isoformat()},
        )
        redone.append(assignment)
    _save_ticket(
        ticket,
        [
            "status",
            "redo_total",
            "result_received_at",
            "callback_due_at",
            "evaluation_outcome",
            "evaluation_resolved",
            "evaluated_at",
        ],
    )
    return redone


@_ticket_write
def ticket_callback(
    *,
    ticket: Ticket,
    outcome: str,
    resolved: bool | None = None,
    reasonable: bool | None = None,
    actor: User,
    now: datetime,
) -> Ticket:
    """Art 16(1): satisfied / basically satisfied → closed; unsatisfied and the result lawful →
    closed, marked so; unsatisfied and the appeal reasonable → redo; no response → closed as
    basically satisfied."""
    ticket = _lock(ticket)
    _check(actor, "callback", ticket=ticket, now=now)
    if outcome not in CallbackOutcome.values:
        raise InvalidInput(
            _("未知的回访结果：%(value)s") % {"value": outcome}, code=Code.UNKNOWN_OUTCOME
        )
    if outcome == CallbackOutcome.UNSATISFIED and reasonable is None:
        raise InvalidInput(_("不满意时须判定诉求是否合理"), code=Code.REASONABLE_REQUIRED)
    Evaluation.objects.create(
        ticket=ticket,
        outcome=outcome,
        resolved=resolved,
        reasonable=reasonable,
        at=now,
        actor=actor,
    )
    ticket.evaluation_outcome = outcome
    ticket.evaluation_resolved = resolved
    ticket.evaluated_at = now
    _event(
        ticket,
        EventType.CALLBACK,
        now=now,
        actor=actor,
        data={"outcome": outcome, "resolved": resolved, "reasonable": reasonable},
    )
    if outcome == CallbackOutcome.UNSATISFIED:
        if reasonable:
            _redo(ticket, actor=actor, now=now)
        else:
            _close(ticket, reason=CloseReason.UNSATISFIED_LAWFUL, actor=actor, now=now)
    else:
        _close(ticket, reason=CLOSE_FOR_OUTCOME[outcome], actor=actor, now=now)
    return ticket


@_ticket_write
def ticket_close_no_response(*, ticket: Ticket, now: datetime) -> bool:
    """Art 16(1): no evaluation by the callback deadline → closed as basically satisfied."""
    ticket = _lock(ticket)
    due_at = ticket.callback_due_at
    if (
        ticket.status != TicketStatus.AWAITING_CALLBACK
        or due_at is None  # overdue() is False without a deadline
        or not deadlines.overdue(due_at=due_at, now=now)
    ):
        return False
    at = deadlines.deadline_instant(due_at)
    Evaluation.objects.create(ticket=ticket, outcome=CallbackOutcome.NO_RESPONSE, at=at)
    ticket.evaluation_outcome = CallbackOutcome.NO_RESPONSE
    ticket.evaluated_at = at
    _event(ticket, EventType.CALLBACK_EXPIRED, now=at, actor=None, push=False)
    _close(ticket, reason=CloseReason.NO_RESPONSE, actor=None, now=at)
    return True


@_ticket_write
def ticket_dispute(*, ticket: Ticket, reason: str, actor: User, now: datetime) -> Ticket:
    """Art 16(2): a unit that handled the ticket disputes its evaluation (异议), one pending
    dispute at a time (both the guard's conditions); the center screens it (甄别)."""
    ticket = _lock(ticket)
    _check(actor, "dispute", ticket=ticket, now=now)
    reason = _clean_text(reason, "reason", required=True, limit=2000)
    Review.objects.create(
        kind=ReviewKind.DISPUTE,
        ticket=ticket,
        reviewer_org=reference.center() or center_org(),
        requested_by=actor,
        requested_org=actor.organisation,
        created_at=now,
        data={"reason": reason, "outcome": ticket.evaluation_outcome},
    )
    _event(ticket, EventType.DISPUTE_RAISED, now=now, actor=actor, data={"reason": reason})
    return ticket
